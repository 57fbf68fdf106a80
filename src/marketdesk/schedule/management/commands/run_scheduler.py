from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketdesk.schedule.jobs import active_jobs, run_scheduler


class Command(BaseCommand):
    help = gettext_lazy("Enqueue scheduled background jobs (reminders, escalations, cadences) every "
             "minute; the task worker runs them. `marketdesk serve` and `marketdesk worker` "
             "already run this loop.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help=gettext_lazy("One pass: enqueue the jobs due now, then exit."))

    def handle(self, *args, once: bool = False, **options):
        if once:
            enqueued = run_scheduler(once=True)
            self.stdout.write(_("Enqueued: %(jobs)s") % {"jobs": ", ".join(enqueued) or "—"})
            return
        names = ", ".join(job.name for job in active_jobs())
        self.stdout.write(_("Scheduler running (jobs: %(jobs)s); Ctrl-C stops it.") % {"jobs": names})
        try:
            run_scheduler()
        except KeyboardInterrupt:
            self.stdout.write(_("Scheduler stopped."))
