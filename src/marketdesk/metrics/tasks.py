"""Background work of the metrics area on Django's tasks framework (settings.TASKS; the
worker is ``manage.py db_worker`` / ``marketdesk worker``)."""

from django.tasks import task


@task
def import_run_task(job_id: int) -> str:
    """Run one queued import job (a large file, O14); returns the job's final status."""
    from marketdesk.metrics.services import import_run  # noqa: PLC0415

    return import_run(job_id).status
