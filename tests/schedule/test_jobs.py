"""The scheduler: slots, exactly-once enqueueing, catch-up after downtime, run records,
the worker command — and a reminder that fires at the right time."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from marketdesk.schedule import jobs
from marketdesk.schedule.jobs import Cron, Every, Job, run_scheduler
from marketdesk.schedule.models import JobRun
from tests.schedule.conftest import SALON, deadline, local

pytestmark = pytest.mark.django_db

UTC = dt.UTC
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


def enqueued() -> list[tuple[str, dict]]:
    """The tasks in the database queue, oldest first: (job name, kwargs)."""
    rows = DBTaskResult.objects.order_by("enqueued_at", "id")
    return [(row.args_kwargs["kwargs"]["job"], row.args_kwargs["kwargs"]) for row in rows]


# --- slots ------------------------------------------------------------------------------

def test_every_counts_whole_intervals_from_the_epoch():
    five = Every(dt.timedelta(minutes=5))
    assert five.latest(utc(2099, 3, 8, 18, 4, 59)) == utc(2099, 3, 8, 18, 0)
    assert five.latest(utc(2099, 3, 8, 18, 5)) == utc(2099, 3, 8, 18, 5)
    assert Every(dt.timedelta(minutes=1)).latest(utc(2099, 3, 8, 18, 4, 59, 999999)) == utc(2099, 3, 8, 18, 4)
    with pytest.raises(ValueError, match="whole number of minutes"):
        Every(dt.timedelta(seconds=90))


def test_cron_matches_minutes_on_a_local_clock():
    daily = Cron(minute=30, hour=3, tz="Asia/Shanghai")
    # 03:30 Shanghai = 19:30 UTC the day before.
    assert daily.latest(utc(2099, 3, 8, 19, 29)) == utc(2099, 3, 7, 19, 30)
    assert daily.latest(utc(2099, 3, 8, 19, 30)) == utc(2099, 3, 8, 19, 30)
    weekly = Cron(minute=0, hour=9, weekday=0, tz="Europe/Berlin")  # Mondays 09:00 Berlin
    assert weekly.latest(utc(2099, 3, 12, 12, 0)) == utc(2099, 3, 9, 8, 0)  # CET, UTC+1
    assert weekly.latest(utc(2099, 4, 8, 12, 0)) == utc(2099, 4, 6, 7, 0)  # CEST, UTC+2
    hourly = Cron(minute=(0, 30))
    assert hourly.latest(utc(2099, 3, 8, 18, 45)) == utc(2099, 3, 8, 18, 30)
    with pytest.raises(ValueError, match="minute must be whole numbers from 0 to 59"):
        Cron(minute=60)


def test_a_job_has_one_schedule():
    with pytest.raises(ValueError, match="give exactly one of every= and cron="):
        Job("twice", jobs.sop_reminders_task, every=dt.timedelta(minutes=1), cron=Cron())


def test_the_schedule_of_this_installation():
    assert [(job.name, str(job.schedule)) for job in jobs.active_jobs()] == [
        ("sop_reminders", "every 1 min"),
        ("sop_escalations", "every 5 min"),
        ("cadence_reminders", "every 5 min"),
        ("notify_deliveries", "every 1 min"),
        ("registration_alerts", "cron 0 9 weekday * Asia/Shanghai"),
        ("retrospectives", "every 15 min"),
        ("facts_compaction", "cron 17 * weekday * Asia/Shanghai"),
        ("prune_task_results", "cron 30 3 weekday * Asia/Shanghai"),
    ]


# --- the scheduler ----------------------------------------------------------------------

def test_each_pass_enqueues_exactly_the_due_jobs_once():
    # Monday 2099-03-09 02:00 in Shanghai = Sunday 18:00 UTC: the first pass ever.
    start = utc(2099, 3, 8, 18, 0, 12)
    assert run_scheduler(once=True, now=start) == [
        "sop_reminders", "sop_escalations", "cadence_reminders", "notify_deliveries",
        "retrospectives"]
    # The daily jobs' last slots (09:00 and 03:30 on Sunday) came before the scheduler
    # knew them: they wait for their next slot instead of firing on the first start.
    assert run_scheduler(once=True, now=start + dt.timedelta(seconds=40)) == []
    assert run_scheduler(once=True, now=utc(2099, 3, 8, 18, 1, 5)) == [
        "sop_reminders", "notify_deliveries"]
    assert [name for name, _kwargs in enqueued()] == [
        "sop_reminders", "sop_escalations", "cadence_reminders", "notify_deliveries",
        "retrospectives", "sop_reminders", "notify_deliveries"]
    assert enqueued()[5][1] == {"job": "sop_reminders", "slot": "2099-03-08T18:01:00+00:00",
                                "now": "2099-03-08T18:01:00+00:00",
                                "since": "2099-03-08T18:00:00+00:00"}
    assert {row.task_path for row in DBTaskResult.objects.all()} == {
        "marketdesk.schedule.jobs.sop_reminders_task", "marketdesk.schedule.jobs.sop_escalations_task",
        "marketdesk.schedule.jobs.cadence_reminders_task",
        "marketdesk.schedule.jobs.notify_deliveries_task",
        "marketdesk.schedule.jobs.retrospective_creation_task"}


def test_after_downtime_each_missed_job_runs_once():
    run_scheduler(once=True, now=utc(2099, 3, 8, 18, 0))
    DBTaskResult.objects.all().delete()
    # Three hours later (05:00 in Shanghai): 180 minute slots, 36 five-minute slots and the
    # 03:30 daily prune were missed — each job runs once, for its latest slot.
    assert run_scheduler(once=True, now=utc(2099, 3, 8, 21, 0, 30)) == [
        "sop_reminders", "sop_escalations", "cadence_reminders", "notify_deliveries",
        "retrospectives", "facts_compaction", "prune_task_results"]
    assert [kwargs for _name, kwargs in enqueued() if _name == "cadence_reminders"] == [
        {"job": "cadence_reminders", "slot": "2099-03-08T21:00:00+00:00",
         "now": "2099-03-08T21:00:00+00:00", "since": "2099-03-08T18:00:00+00:00"}]
    assert dict(JobRun.objects.values_list("name", "last_run_at")) == {
        "sop_reminders": utc(2099, 3, 8, 21, 0),
        "sop_escalations": utc(2099, 3, 8, 21, 0),
        "cadence_reminders": utc(2099, 3, 8, 21, 0),
        "notify_deliveries": utc(2099, 3, 8, 21, 0),
        "registration_alerts": None,
        "retrospectives": utc(2099, 3, 8, 21, 0),
        "facts_compaction": utc(2099, 3, 8, 20, 17),
        "prune_task_results": utc(2099, 3, 8, 19, 30),
    }
    assert run_scheduler(once=True, now=utc(2099, 3, 8, 21, 0, 59)) == []
    assert len(enqueued()) == 7


def test_a_restarted_scheduler_in_the_same_minute_does_not_double(settings):
    now = utc(2099, 3, 8, 18, 0)
    run_scheduler(once=True, now=now)
    # Another process (a second worker, a restart) makes the same pass.
    assert jobs.tick(now + dt.timedelta(seconds=30)) == []
    assert DBTaskResult.objects.count() == 5


@task
def failing_task(*, job, slot, now, since=None):
    with jobs.recorded(job, slot):
        raise RuntimeError("the database was on fire")


@task
def counting_task(*, job, slot, now, since=None):
    with jobs.recorded(job, slot) as outcome:
        outcome["window"] = [since, now]
    return 1


def test_each_run_records_how_it_ended(settings):
    settings.TASKS = IMMEDIATE
    every_minute = dt.timedelta(minutes=1)
    test_jobs = [Job("counting", counting_task, every=every_minute),
                 Job("failing", failing_task, every=every_minute)]
    assert jobs.tick(utc(2099, 3, 8, 18, 0), jobs=test_jobs) == ["counting", "failing"]
    rows = {row.name: row for row in JobRun.objects.all()}
    assert (rows["counting"].last_status, rows["counting"].last_error, rows["counting"].last_result) == (
        "succeeded", "", {"window": [None, "2099-03-08T18:00:00+00:00"]})
    assert (rows["failing"].last_status, rows["failing"].last_error, rows["failing"].last_result) == (
        "failed", "RuntimeError: the database was on fire", None)
    assert rows["failing"].last_run_at == utc(2099, 3, 8, 18, 0)
    # A failure does not stop the schedule: the next slot runs.
    assert jobs.tick(utc(2099, 3, 8, 18, 1), jobs=test_jobs) == ["counting", "failing"]


def test_the_worker_runs_what_the_scheduler_enqueued(transactional_db):
    run_scheduler(once=True, now=utc(2099, 3, 8, 18, 0))
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert dict(JobRun.objects.exclude(last_run_at=None).values_list("name", "last_status")) == {
        "sop_reminders": "succeeded", "sop_escalations": "succeeded",
        "cadence_reminders": "succeeded", "notify_deliveries": "succeeded",
        "retrospectives": "succeeded"}


def test_the_management_command_makes_one_pass():
    call_command("run_scheduler", "--once", verbosity=0)
    assert sorted(JobRun.objects.values_list("name", flat=True)) == sorted(
        job.name for job in jobs.active_jobs())


# --- a reminder fires at the right time ---------------------------------------------------

def test_a_reminder_fires_when_its_deadline_is_a_day_away(
        settings, users, team_a, make_event, django_capture_on_commit_callbacks):
    from marketdesk.notify.models import Notification

    settings.TASKS = IMMEDIATE
    owner, director = users["marketer"], users["director"]
    # The plan is due at least a month before the start (O7): the salon starts on
    # 2099-04-10, so its plan is due at the end of 2099-03-11, Shanghai time.
    salon = make_event(owner, team=team_a, name=SALON, start=dt.date(2099, 4, 10))
    plan = deadline(salon, "planning")
    assert plan.due_at == local(2099, 3, 11, 23, 59, 59, 999999)

    def run_at(*when):
        with django_capture_on_commit_callbacks(execute=True):
            run_scheduler(once=True, now=local(*when))
        return list(Notification.objects.filter(kind="sop.reminder")
                    .order_by("recipient__username").values_list("recipient__username", "title"))

    # The day before, until its last minute: more than a day to go, no reminder.
    assert run_at(2099, 3, 10, 12, 0) == []
    assert run_at(2099, 3, 10, 23, 58) == []
    assert run_at(2099, 3, 10, 23, 59) == []
    # Midnight: the deadline is now within a day — the owner is reminded of the plan, the
    # director of the plan review waiting for them.
    reminders = [
        ("director", "Due soon: Plan report and review by the marketing director (at least "
                     "one month ahead) — 上海开发者沙龙"),
        ("marketer", "Due soon: Event plan (at least one month ahead) — 上海开发者沙龙"),
    ]
    assert run_at(2099, 3, 11, 0, 0) == reminders
    plan.refresh_from_db()
    assert plan.reminded_at == local(2099, 3, 11, 0, 0)
    assert list(Notification.objects.filter(recipient=owner).values_list("kind", "body", "url")) == [
        ("sop.reminder", "Due 2099-03-11 23:59.", salon.get_absolute_url())]
    # Once only.
    assert run_at(2099, 3, 11, 0, 1) == reminders
    assert Notification.objects.filter(recipient__in=[owner, director]).count() == 2
    assert JobRun.objects.get(name="sop_reminders").last_result == {"reminded": []}


def test_the_weekly_evaluation_meeting_is_announced_an_hour_before(settings, users, team_b):
    from marketdesk.notify.models import Notification

    settings.TASKS = IMMEDIATE

    def run_at(*when):
        run_scheduler(once=True, now=local(*when))
        return sorted(Notification.objects.filter(kind="schedule.cadence")
                      .values_list("recipient__username", "title", "url"))

    # Monday 2099-03-09; team A meets at 10:00 Shanghai, team B at 10:00 Berlin.
    assert run_at(2099, 3, 9, 8, 55) == []
    url = f"/calendar/?view=week&date=2099-03-09&team={users['marketer'].teams.get().pk}"
    announced = [(name, "Weekly event evaluation meeting at 10:00", url)
                 for name in ("marketer", "reviewer", "sales", "team_leader")]
    assert run_at(2099, 3, 9, 9, 0) == announced
    assert run_at(2099, 3, 9, 9, 5) == announced  # once only
    assert JobRun.objects.get(name="cadence_reminders").last_result == {"sent": []}
    # A week later the scheduler is down from 08:50 to 10:30: the catch-up pass covers the
    # 09:00 notice, but the meeting has begun — it is not announced late.
    run_at(2099, 3, 16, 8, 50)
    assert run_at(2099, 3, 16, 10, 30) == announced
    assert JobRun.objects.get(name="cadence_reminders").last_result == {"sent": []}


def test_the_retrospective_opens_on_day_n_plus_x(settings, users, team_a, make_event):
    from marketdesk.events.models import Retrospective

    settings.TASKS = IMMEDIATE
    # A P2 salon on 2099-04-10: its retrospective is due on N+2, 2099-04-12 (O10).
    salon = make_event(users["marketer"], team=team_a, name=SALON, start=dt.date(2099, 4, 10))
    run_scheduler(once=True, now=local(2099, 4, 11, 23, 45))
    assert Retrospective.objects.filter(event=salon).count() == 0
    run_scheduler(once=True, now=local(2099, 4, 12, 0, 0))
    assert Retrospective.objects.filter(event=salon).count() == 1
    assert JobRun.objects.get(name="retrospectives").last_result == {
        "opened": [Retrospective.objects.get(event=salon).pk]}
