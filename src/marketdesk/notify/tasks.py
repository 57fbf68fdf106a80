"""Background work of notify on Django's tasks framework (settings.TASKS: the database
backend, run by ``manage.py db_worker``)."""

from django.tasks import task


@task
def deliver_task(delivery_id: int) -> None:
    """One attempt of one webhook delivery; a retry re-enqueues this task with run_after."""
    from marketdesk.notify.services import deliver

    deliver(delivery_id)


@task
def deliver_due_task() -> int:
    """Queue every delivery that is due — for the scheduler, every minute."""
    from marketdesk.notify.services import deliver_due

    return deliver_due()
