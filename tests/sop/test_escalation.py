"""Reminders and escalations over time with a frozen clock (``now=``): owner when
overdue, team leader after one day, marketing director after three; once per level."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.core.models import AuditEntry
from marketdesk.notify.models import Notification
from marketdesk.sop import services
from marketdesk.sop.models import Deadline
from tests.sop.conftest import local

PLANNING_DUE = dt.datetime(2030, 5, 2, 15, 59, 59, 999999, tzinfo=dt.UTC)  # 2 May 2030, end of day in Shanghai
SECOND = dt.timedelta(seconds=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def planning(run) -> Deadline:
    return Deadline.objects.get(run=run, key="planning")


def received(kind: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", "dedupe_key"))


@pytest.fixture
def late_salon(salon, users, make_user):
    """The salon of conftest (start 1 June 2030) with a second director."""
    make_user("director", username="director-two")
    return salon


@pytest.mark.parametrize(("after_due", "level"), [
    (-SECOND, 0),
    (SECOND, 1),
    (DAY - SECOND, 1),
    (DAY, 2),
    (3 * DAY - SECOND, 2),
    (3 * DAY, 3),
    (30 * DAY, 3),
])
def test_the_level_reached_at_each_moment(late_salon, after_due, level):
    _item, run = late_salon
    assert services.escalation_level_at(planning(run), PLANNING_DUE + after_due) == level


def test_escalation_climbs_one_level_at_a_time_and_tells_each_level_once(late_salon, users):
    item, run = late_salon
    assert services.escalate_overdue(now=PLANNING_DUE - SECOND) == []

    first = services.escalate_overdue(now=PLANNING_DUE + HOUR)
    assert [x.key for x in first] == ["planning.review.director", "planning"]
    assert services.escalate_overdue(now=PLANNING_DUE + HOUR) == []  # idempotent
    d = planning(run)
    assert (d.escalation_level, d.escalated_at) == (1, PLANNING_DUE + HOUR)
    key1, key2, key3 = (f"sop-escalation-{d.pk}-{n}" for n in (1, 2, 3))
    review = Deadline.objects.get(run=run, key="planning.review.director")
    rkey1 = f"sop-escalation-{review.pk}-1"
    assert received("sop.overdue") == sorted([
        ("marketer", key1),                                  # the owner owes the plan
        ("director", rkey1), ("director-two", rkey1),        # directors owe the review
    ])
    note = Notification.objects.get(dedupe_key=key1)
    assert note.title == f"Overdue: Event plan (at least one month ahead) — {item.name}"
    assert note.body == "Due 2030-05-02 23:59. Owner told it is overdue."

    assert [x.key for x in services.escalate_overdue(now=PLANNING_DUE + DAY)] == ["planning.review.director", "planning"]
    assert planning(run).escalation_level == 2
    assert services.escalate_overdue(now=PLANNING_DUE + 2 * DAY) == []
    services.escalate_overdue(now=PLANNING_DUE + 3 * DAY)
    assert planning(run).escalation_level == 3
    assert services.escalate_overdue(now=PLANNING_DUE + 10 * DAY) == []

    mine = sorted(Notification.objects.filter(dedupe_key__in=[key1, key2, key3])
                  .values_list("dedupe_key", "recipient__username"))
    assert mine == sorted([
        (key1, "marketer"),
        (key2, "marketer"), (key2, "team_leader"),
        (key3, "marketer"), (key3, "team_leader"), (key3, "director"), (key3, "director-two"),
    ])
    levels = [e.changes["after"]["escalation_level"] for e in
              AuditEntry.objects.filter(content_type__model="deadline", object_id=str(d.pk)).order_by("id")]
    assert levels == [1, 2, 3]


def test_a_deadline_found_late_jumps_to_its_level(late_salon, users):
    _item, run = late_salon
    [*escalated] = services.escalate_overdue(now=PLANNING_DUE + 5 * DAY)
    assert {(x.key, x.escalation_level) for x in escalated} == {("planning", 3), ("planning.review.director", 3)}
    d = planning(run)
    assert sorted(Notification.objects.filter(dedupe_key=f"sop-escalation-{d.pk}-3")
                  .values_list("recipient__username", flat=True)) == ["director", "director-two", "marketer", "team_leader"]


def test_done_deadlines_and_cancelled_runs_are_never_escalated(late_salon, users):
    _item, run = late_salon
    Deadline.objects.filter(run=run, key="planning").update(done_at=PLANNING_DUE - DAY)
    assert [d.key for d in services.escalate_overdue(now=PLANNING_DUE + HOUR)] == ["planning.review.director"]
    services.run_cancel(run, by=users["team_leader"], reason="The organiser cancelled the salon.")
    assert services.escalate_overdue(now=PLANNING_DUE + 10 * DAY) == []


def test_moving_the_date_later_starts_escalation_afresh(late_salon, users, adapter):
    item, run = late_salon
    services.escalate_overdue(now=PLANNING_DUE + 2 * DAY)
    assert planning(run).escalation_level == 2
    adapter.set(item, dates={"start": dt.date(2030, 7, 1), "end": dt.date(2030, 7, 1)})
    services.run_reschedule(run, by=users["marketer"], now=PLANNING_DUE + 2 * DAY)
    d = planning(run)
    assert (d.due_at, d.escalation_level, d.escalated_at) == (
        dt.datetime(2030, 6, 1, 15, 59, 59, 999999, tzinfo=dt.UTC), 0, None)


def test_reminders_go_out_once_within_a_day_of_the_due_time(late_salon, users):
    _item, run = late_salon
    assert services.upcoming_reminders(now=PLANNING_DUE - DAY - SECOND) == []
    reminded = services.upcoming_reminders(now=PLANNING_DUE - DAY)
    assert sorted(d.key for d in reminded) == ["planning", "planning.review.director"]
    assert services.upcoming_reminders(now=PLANNING_DUE - HOUR) == []
    d = planning(run)
    assert d.reminded_at == PLANNING_DUE - DAY
    note = Notification.objects.get(kind="sop.reminder", recipient=users["marketer"])
    assert (note.title, note.body, note.dedupe_key) == (
        f"Due soon: Event plan (at least one month ahead) — {run.item.name}", "Due 2030-05-02 23:59.",
        f"sop-reminder-{d.pk}")
    assert received("sop.reminder") == sorted([
        ("marketer", f"sop-reminder-{d.pk}"),
        ("director", f"sop-reminder-{Deadline.objects.get(run=run, key='planning.review.director').pk}"),
        ("director-two", f"sop-reminder-{Deadline.objects.get(run=run, key='planning.review.director').pk}"),
    ])


def test_notices_are_written_in_each_recipients_language(late_salon, users, adapter):
    from marketdesk.accounts.services import user_set_language

    adapter.set(late_salon[0], owner=user_set_language(users["marketer"], language="zh-hans"))
    services.escalate_overdue(now=PLANNING_DUE + HOUR)
    chinese = Notification.objects.get(kind="sop.overdue", recipient=users["marketer"])
    english = Notification.objects.get(kind="sop.overdue", recipient=users["director"])
    # The label comes from the definition in the recipient's language; the sentence around
    # it from the translation catalogue.
    assert "活动策划方案（提前≥一个月）" in chinese.title
    assert "Event plan" not in chinese.title
    assert english.title == "Overdue: Plan report and review by the marketing director (at least one month ahead) — " \
        + late_salon[0].name


def test_review_deadlines_are_owed_by_the_role_holders_who_may_take_them(late_salon, users, adapter):
    item, run = late_salon
    adapter.set(item, owner=users["director"])   # a director who owns the item never reviews it
    review = Deadline.objects.get(run=run, key="planning.review.director")
    ctx = services._context(run)
    assert [u.username for u in services.responsible_for(review, ctx)] == ["director-two"]
    assert [u.username for u in services.escalation_recipients(review, 3, ctx)] == [
        "director-two", "team_leader", "director"]
    assert local("Asia/Shanghai", 2030, 5, 2, 23, 59, 59, 999999) == PLANNING_DUE
