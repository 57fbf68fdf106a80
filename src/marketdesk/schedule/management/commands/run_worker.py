"""The task worker with the scheduler beside it: ``db_worker`` (django-tasks-db) runs the
tasks, a thread of the same process enqueues the scheduled jobs each minute
(docs/decisions/0005). ``--no-scheduler`` runs the bare worker, e.g. for extra workers."""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django.utils.translation import gettext_lazy as _
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from marketdesk.schedule.jobs import start_in_thread


class Command(DbWorkerCommand):
    help = _("Run the background task worker and the scheduler of recurring jobs.")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--scheduler", action="store_true", default=True,
                            help=_("Also enqueue the scheduled jobs each minute (default)."))
        parser.add_argument("--no-scheduler", action="store_false", dest="scheduler",
                            help=_("Run tasks only."))

    def handle(self, *args, scheduler: bool = True, **options):
        # With --reload the first process only watches files and restarts a child that
        # does the work: the scheduler belongs in that child, like the worker loop.
        # A --batch run drains the queue and exits: it schedules nothing.
        batch = options.get("batch")
        reloading = options.get("reload") and not batch
        if scheduler and not batch and (not reloading
                                        or os.environ.get(DJANGO_AUTORELOAD_ENV) == "true"):
            start_in_thread()
        super().handle(*args, **options)
