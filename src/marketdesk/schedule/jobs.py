"""Background work on a schedule: a small declarative list of jobs and the scheduler
loop that, once a minute, enqueues the due ones as Django tasks (``django.tasks``; the
database backend by default, so the worker process runs them).

Each job has slots — the minutes it should run at: ``Every(minutes=5)`` counts from the
Unix epoch in UTC, ``Cron(minute=30, hour=3)`` matches minutes on a local clock (the
default team time zone unless one is given). A job is due when its latest slot is after
the slot it last ran for (``JobRun.last_run_at``); the scheduler advances that column by
compare-and-set in the transaction that enqueues the task, so a slot is enqueued once even
with two schedulers or a restart within the minute, and after downtime each missed job
runs once (not once per missed slot). A job never seen before is due from its first slot
at or after the minute it was first seen (a weekly job does not fire on install day).

Each task receives ``job``, ``slot``, ``now`` (the scheduler's clock) and ``since`` (the
slot of the previous run, or None) as ISO-8601 strings, so a catch-up run knows the whole
window it covers, and records how it ended on its JobRun row.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import zoneinfo
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, close_old_connections, transaction
from django.db.models import Q
from django.tasks import Task, task
from django.utils import timezone

from marketdesk.schedule.models import JobRun

logger = logging.getLogger("marketdesk.schedule")

UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def floor_minute(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError("the scheduler's clock must be an aware datetime")
    return value.astimezone(UTC).replace(second=0, microsecond=0)


# --- schedules ------------------------------------------------------------------------

@dataclass(frozen=True)
class Every:
    """Every ``interval`` (whole minutes), counted from the Unix epoch in UTC."""

    interval: dt.timedelta

    def __post_init__(self):
        if self.interval < MINUTE or self.interval % MINUTE:
            raise ValueError("an interval must be a whole number of minutes (at least one)")

    def latest(self, now: dt.datetime) -> dt.datetime:
        """The latest slot at or before ``now``."""
        return EPOCH + ((floor_minute(now) - EPOCH) // self.interval) * self.interval

    def __str__(self) -> str:
        minutes = int(self.interval / MINUTE)
        return f"every {minutes} min"


def _values(value, low: int, high: int, what: str) -> tuple[int, ...]:
    if value is None:
        return tuple(range(low, high + 1))
    values = (value,) if isinstance(value, int) else tuple(value)
    if not values or any(not isinstance(v, int) or not low <= v <= high for v in values):
        raise ValueError(f"{what} must be whole numbers from {low} to {high}, not {value!r}")
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class Cron:
    """Minutes matching ``minute``, ``hour`` and ``weekday`` (0 = Monday) on the local
    clock of ``tz`` (None: settings.DEFAULT_TEAM_TIME_ZONE). ``None`` in a field means any;
    a field takes one number or several."""

    minute: int | tuple[int, ...] = 0
    hour: int | tuple[int, ...] | None = None
    weekday: int | tuple[int, ...] | None = None
    tz: str | None = None

    def __post_init__(self):
        _values(self.minute, 0, 59, "minute")
        _values(self.hour, 0, 23, "hour")
        _values(self.weekday, 0, 6, "weekday")
        zoneinfo.ZoneInfo(self.zone_name)

    @property
    def zone_name(self) -> str:
        return self.tz or settings.DEFAULT_TEAM_TIME_ZONE

    def latest(self, now: dt.datetime) -> dt.datetime:
        zone = zoneinfo.ZoneInfo(self.zone_name)
        now = floor_minute(now)
        local_now = now.astimezone(zone)
        minutes = _values(self.minute, 0, 59, "minute")[::-1]
        hours = _values(self.hour, 0, 23, "hour")[::-1]
        weekdays = _values(self.weekday, 0, 6, "weekday")
        # A match lies within the last 8 local days (a weekly slot, plus DST slack).
        for back in range(9):
            day = local_now.date() - dt.timedelta(days=back)
            if day.weekday() not in weekdays:
                continue
            for hour in hours:
                for minute in minutes:
                    slot = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone).astimezone(UTC)
                    if slot <= now:
                        return slot
        raise ValueError(f"{self} has no slot in the last week")  # unreachable for valid specs

    def __str__(self) -> str:
        def part(value):
            if value is None:
                return "*"
            return ",".join(str(v) for v in _values(value, 0, 59, "field"))

        return f"cron {part(self.minute)} {part(self.hour)} weekday {part(self.weekday)} {self.zone_name}"


@dataclass(frozen=True)
class Job:
    """One scheduled job: ``every`` (a timedelta) or ``cron``; ``task`` is a django task
    taking the keyword arguments job, slot, now, since; ``requires`` names the apps it
    needs (the job is left out when one is not installed)."""

    name: str
    task: Task
    every: dt.timedelta | None = None
    cron: Cron | None = None
    requires: tuple[str, ...] = ()
    #: A further condition, asked each pass (e.g. "the events app offers this function").
    when: Callable[[], bool] | None = None

    def __post_init__(self):
        if (self.every is None) == (self.cron is None):
            raise ValueError(f"job {self.name}: give exactly one of every= and cron=")

    @property
    def schedule(self) -> Every | Cron:
        return Every(self.every) if self.every is not None else self.cron

    def is_available(self) -> bool:
        if not all(apps.is_installed(f"marketdesk.{app}") for app in self.requires):
            return False
        return self.when is None or self.when()


# --- recording a run --------------------------------------------------------------------

def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


@contextmanager
def recorded(job: str, slot: str):
    """Record on the job's row how the run of ``slot`` ended. A failure is recorded and
    raised again, so the task backend marks the task failed too."""
    run = JobRun.objects.filter(name=job, last_run_at=_parse(slot))
    outcome: dict = {}
    try:
        yield outcome
    except Exception as exc:
        run.update(last_status=JobRun.Status.FAILED, last_finished_at=timezone.now(),
                   last_error=f"{type(exc).__name__}: {exc}"[:4000], last_result=None)
        raise
    run.update(last_status=JobRun.Status.SUCCEEDED, last_finished_at=timezone.now(),
               last_error="", last_result=outcome or None)


# --- the scheduler ------------------------------------------------------------------------

def _claim(job: Job, now: dt.datetime) -> bool:
    """Enqueue ``job`` if it is due at ``now``; True if this call enqueued it."""
    slot = job.schedule.latest(now)
    with transaction.atomic():
        row, _created = JobRun.objects.get_or_create(name=job.name, defaults={"first_seen_at": now})
        since = row.last_run_at
        due = Q(last_run_at__lt=slot) | Q(last_run_at__isnull=True, first_seen_at__lte=slot)
        claimed = JobRun.objects.filter(due, pk=row.pk).update(
            last_run_at=slot, last_enqueued_at=now, last_status=JobRun.Status.ENQUEUED,
            last_error="", last_result=None, last_finished_at=None)
        if not claimed:
            return False
        # Inside the transaction: with the database task backend the task row and the
        # advanced JobRun commit together — never one without the other.
        job.task.enqueue(job=job.name, slot=slot.isoformat(), now=now.isoformat(),
                         since=since.isoformat() if since else None)
    return True


def tick(now: dt.datetime | None = None, *, jobs: Iterable[Job] | None = None) -> list[str]:
    """One pass: enqueue every due job; returns the names enqueued."""
    now = floor_minute(now or timezone.now())
    enqueued = []
    for job in jobs if jobs is not None else active_jobs():
        if _claim(job, now):
            logger.info("scheduler: enqueued %s for %s", job.name, now.isoformat())
            enqueued.append(job.name)
    return enqueued


def run_scheduler(*, once: bool = False, now: dt.datetime | None = None,
                  stop: threading.Event | None = None) -> list[str] | None:
    """``once``: one pass at ``now`` (default: the clock), returning the jobs enqueued.
    Otherwise loop, one pass at the start of every minute, until ``stop`` is set."""
    if once:
        return tick(now)
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        try:
            tick()
        except DatabaseError:
            # A locked or restarting database: try again next minute, the slots wait.
            logger.exception("scheduler: pass failed; retrying next minute")
        finally:
            close_old_connections()
        now = time.time()
        stop.wait(60 - now % 60 + 0.5)
    return None


def start_in_thread() -> tuple[threading.Thread, threading.Event]:
    """Run the scheduler loop beside the task worker, in the same process."""
    stop = threading.Event()
    thread = threading.Thread(target=run_scheduler, kwargs={"stop": stop},
                              name="marketdesk-scheduler", daemon=True)
    thread.start()
    return thread, stop


# --- the jobs -----------------------------------------------------------------------------
# Each task runs the published function of the app that owns the work, as of the
# scheduler's clock, and reports a small JSON-able result on its JobRun row.

@task
def sop_reminders_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """Remind the responsible people once of each deadline due within a day (sop)."""
    from marketdesk.sop.services import upcoming_reminders

    with recorded(job, slot) as outcome:
        outcome["reminded"] = [d.pk for d in upcoming_reminders(now=_parse(now))]
    return len(outcome["reminded"])


@task
def sop_escalations_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """Escalate overdue deadlines: owner, then team leader, then director (sop)."""
    from marketdesk.sop.services import escalate_overdue

    with recorded(job, slot) as outcome:
        outcome["escalated"] = [d.pk for d in escalate_overdue(now=_parse(now))]
    return len(outcome["escalated"])


@task
def cadence_reminders_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """Tell each team of its recurring meetings (weekly evaluation meeting, O4/O15)."""
    from marketdesk.schedule.services import cadence_reminders_send

    start = _parse(since) or _parse(slot) - CADENCE_EVERY
    with recorded(job, slot) as outcome:
        outcome["sent"] = cadence_reminders_send(since=start, now=_parse(now))
    return len(outcome["sent"])


@task
def notify_deliveries_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """Queue the chat-webhook deliveries whose (re)try is due (notify)."""
    from marketdesk.notify.services import deliver_due

    with recorded(job, slot) as outcome:
        outcome["queued"] = deliver_due()
    return outcome["queued"]


@task
def registration_alerts_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """O8: the daily check of registrations against the expected curve (events)."""
    from marketdesk.events.services import curve_alerts_run

    with recorded(job, slot) as outcome:
        outcome["alerts"] = [event.pk for event, _status in curve_alerts_run(now=_parse(now))]
    return len(outcome["alerts"])


@task
def facts_compaction_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """Rewrite the analytics store's partitions of many small files as one (metrics)."""
    from marketdesk.metrics import schema, store

    with recorded(job, slot) as outcome:
        results = [store.compact(name) for name in schema.TABLES]
        outcome["compacted"] = {r.table: r.partitions for r in results if r.partitions}
        outcome["purged"] = sum(r.purged for r in results)
    return sum(outcome["compacted"].values())


RETROSPECTIVES_FUNCTION = "retrospectives_open_due"


def _events_open_retrospectives() -> bool:
    from marketdesk.events import services

    return callable(getattr(services, RETROSPECTIVES_FUNCTION, None))


@task
def retrospective_creation_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """O10: open the retrospectives that have fallen due (N+5 for P0–P1, N+2 for P2–P3)."""
    from marketdesk.events import services

    with recorded(job, slot) as outcome:
        opened = getattr(services, RETROSPECTIVES_FUNCTION)(now=_parse(now))
        outcome["opened"] = [retro.pk for retro in opened]
    return len(outcome["opened"])


#: Finished task results are kept this long (the scheduler alone adds ~2,000 a day).
TASK_RESULTS_KEPT = dt.timedelta(days=14)


def _database_task_backend() -> bool:
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


@task
def prune_task_results_task(*, job: str, slot: str, now: str, since: str | None = None) -> int:
    """Delete finished task results older than TASK_RESULTS_KEPT (database backend)."""
    from django_tasks_db.models import DBTaskResult

    with recorded(job, slot) as outcome:
        old = DBTaskResult.objects.finished().filter(finished_at__lte=_parse(now) - TASK_RESULTS_KEPT)
        outcome["deleted"], _by_model = old.delete()
    return outcome["deleted"]


CADENCE_EVERY = dt.timedelta(minutes=5)

JOBS: tuple[Job, ...] = (
    Job("sop_reminders", sop_reminders_task, every=MINUTE, requires=("sop",)),
    Job("sop_escalations", sop_escalations_task, every=dt.timedelta(minutes=5), requires=("sop",)),
    Job("cadence_reminders", cadence_reminders_task, every=CADENCE_EVERY, requires=("sop",)),
    Job("notify_deliveries", notify_deliveries_task, every=MINUTE, requires=("notify",)),
    Job("registration_alerts", registration_alerts_task, cron=Cron(minute=0, hour=9),
        requires=("events",)),
    Job("retrospectives", retrospective_creation_task, every=dt.timedelta(minutes=15),
        requires=("events",), when=_events_open_retrospectives),
    Job("facts_compaction", facts_compaction_task, cron=Cron(minute=17), requires=("metrics",)),
    Job("prune_task_results", prune_task_results_task, cron=Cron(minute=30, hour=3),
        when=_database_task_backend),
)


def active_jobs() -> list[Job]:
    """The jobs whose apps (and conditions) are present in this installation."""
    return [job for job in JOBS if job.is_available()]
