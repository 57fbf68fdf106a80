"""Every lead-time and retrospective rule of O7/O10 (and O11's same-day clock times),
table-driven, across time zones — Asia/Shanghai, Europe/Berlin across the 2025-03-30 DST
change, UTC — and with key dates that move (DOMAIN Conventions)."""

from __future__ import annotations

import datetime as dt

import pytest

from marketdesk.accounts.services import team_create
from marketdesk.sop import services
from tests.sop.conftest import local, shipped_text

EVENT_KEYS = ["event-exhibition", "event-summit", "event-salon", "event-livestream"]
ZONES = ["Asia/Shanghai", "Europe/Berlin", "UTC"]

START = dt.date(2025, 4, 10)  # Berlin is on summer time (UTC+2) from 2025-03-30
END = dt.date(2025, 4, 11)    # a two-day event: the retrospective counts from the END date

# Each O7/O9 rule: deadline key → the local day it falls due on (end of that local day).
LEAD_TIMES = {
    "planning": dt.date(2025, 3, 11),                         # 活动策划方案（提前≥一个月）: start −30d
    "planning.review.director": dt.date(2025, 3, 11),         # 方案汇报及审核（市场总监）提前至少一个月
    "execution_plan": dt.date(2025, 3, 27),                   # 执行跟进方案（提前≥2周）: start −14d
    "final_review": dt.date(2025, 4, 9),                      # reviews one day before = previous local day
    "final_review.review.team_leader": dt.date(2025, 4, 9),
    "final_review.review.business": dt.date(2025, 4, 9),      # 业务部门审核（提前一天）
    "final_review.review.director": dt.date(2025, 4, 9),      # 市场总监审核（提前1天）
    "onsite": dt.date(2025, 4, 10),                           # 现场执行: the start day
}

# The UTC instant at which each local day above ends, per zone (written out by hand).
END_OF_DAY_UTC = {
    "Asia/Shanghai": {
        dt.date(2025, 3, 11): "2025-03-11T15:59:59.999999+00:00",
        dt.date(2025, 3, 27): "2025-03-27T15:59:59.999999+00:00",
        dt.date(2025, 4, 9): "2025-04-09T15:59:59.999999+00:00",
        dt.date(2025, 4, 10): "2025-04-10T15:59:59.999999+00:00",
        dt.date(2025, 4, 13): "2025-04-13T15:59:59.999999+00:00",
        dt.date(2025, 4, 16): "2025-04-16T15:59:59.999999+00:00",
    },
    "Europe/Berlin": {  # CET (+1) before 2025-03-30, CEST (+2) after
        dt.date(2025, 3, 11): "2025-03-11T22:59:59.999999+00:00",
        dt.date(2025, 3, 27): "2025-03-27T22:59:59.999999+00:00",
        dt.date(2025, 4, 9): "2025-04-09T21:59:59.999999+00:00",
        dt.date(2025, 4, 10): "2025-04-10T21:59:59.999999+00:00",
        dt.date(2025, 4, 13): "2025-04-13T21:59:59.999999+00:00",
        dt.date(2025, 4, 16): "2025-04-16T21:59:59.999999+00:00",
    },
    "UTC": {
        dt.date(2025, 3, 11): "2025-03-11T23:59:59.999999+00:00",
        dt.date(2025, 3, 27): "2025-03-27T23:59:59.999999+00:00",
        dt.date(2025, 4, 9): "2025-04-09T23:59:59.999999+00:00",
        dt.date(2025, 4, 10): "2025-04-10T23:59:59.999999+00:00",
        dt.date(2025, 4, 13): "2025-04-13T23:59:59.999999+00:00",
        dt.date(2025, 4, 16): "2025-04-16T23:59:59.999999+00:00",
    },
}

# O10: N+X from the END date, X = 5 for P0–P1 and 2 for P2–P3.
RETROSPECTIVE = {"P0": dt.date(2025, 4, 16), "P1": dt.date(2025, 4, 16),
                 "P2": dt.date(2025, 4, 13), "P3": dt.date(2025, 4, 13)}

BEFORE_EVERYTHING = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def zone_team(db):
    def make(tz):
        slug = tz.lower().replace("/", "-")
        return team_create(name=f"Team {tz}", slug=slug, time_zone=tz)

    return make


def _due(run) -> dict[str, str | None]:
    return {e.key: e.due_at.isoformat() if e.due_at else None for e in services.timeline(run)}


@pytest.mark.parametrize("tz", ZONES)
@pytest.mark.parametrize("key", EVENT_KEYS)
@pytest.mark.parametrize("priority", ["P0", "P1", "P2", "P3"])
def test_every_lead_time_and_retrospective_rule(adapter, install, make_product, zone_team, key, tz, priority):
    install(shipped_text(key))
    team = zone_team(tz)
    item = make_product(team=team)
    adapter.set(item, dates={"start": START, "end": END}, priority=priority,
                flags={"needs_business_review": True})
    run = services.run_start(item, definition_key=f"test-{key}", by=None, now=BEFORE_EVERYTHING)

    expected = {k: END_OF_DAY_UTC[tz][day] for k, day in LEAD_TIMES.items()}
    expected["retrospective"] = END_OF_DAY_UTC[tz][RETROSPECTIVE[priority]]
    if key in ("event-exhibition", "event-summit"):
        # O7: important events (exhibitions and summits by default) report ≥ 2 weeks ahead.
        expected["execution_plan.review.director_report"] = END_OF_DAY_UTC[tz][dt.date(2025, 3, 27)]
    assert _due(run) == expected
    rules = {e.key: e.rule for e in services.timeline(run)}
    assert rules["retrospective"] == "O10"
    assert rules["onsite"] == "O9"
    assert {rules[k] for k in LEAD_TIMES if k != "onsite"} == {"O7"}


def test_business_review_deadline_only_when_the_flag_holds(adapter, install, make_product, team_a):
    install(shipped_text("event-salon"))
    item = make_product()
    adapter.set(item, dates={"start": START, "end": END}, priority="P2")
    run = services.run_start(item, definition_key="test-event-salon", by=None, now=BEFORE_EVERYTHING)
    keys = [e.key for e in services.timeline(run)]
    assert keys == [
        "planning.review.director", "planning", "execution_plan",
        "final_review.review.team_leader", "final_review.review.director", "final_review",
        "onsite", "retrospective",
    ]


def test_a_salon_marked_important_reports_two_weeks_ahead(adapter, install, make_product, team_a):
    install(shipped_text("event-salon"))
    item = make_product()
    adapter.set(item, dates={"start": START, "end": END}, priority="P2", flags={"important": True})
    run = services.run_start(item, definition_key="test-event-salon", by=None, now=BEFORE_EVERYTHING)
    assert _due(run)["execution_plan.review.director_report"] == "2025-03-27T15:59:59.999999+00:00"


def test_a_key_date_with_a_time_counts_on_the_local_calendar(adapter, install, make_product, zone_team):
    """01:00 in Shanghai on 10 April is still 9 April in UTC: each team counts its own days."""
    install(shipped_text("event-salon"))
    starts = local("Asia/Shanghai", 2025, 4, 10, 1, 0)
    shanghai_item, utc_item = make_product(team=zone_team("Asia/Shanghai")), make_product(team=zone_team("UTC"))
    for item in (shanghai_item, utc_item):
        adapter.set(item, dates={"start": starts, "end": starts}, priority="P2")
    shanghai = services.run_start(shanghai_item, definition_key="test-event-salon", by=None, now=BEFORE_EVERYTHING)
    in_utc = services.run_start(utc_item, definition_key="test-event-salon", by=None, now=BEFORE_EVERYTHING)
    assert _due(shanghai)["final_review"] == "2025-04-09T15:59:59.999999+00:00"
    assert _due(in_utc)["final_review"] == "2025-04-08T23:59:59.999999+00:00"


def test_a_deadline_already_past_at_creation_is_overdue_at_once(adapter, install, make_product, team_a, users):
    install(shipped_text("event-salon"))
    item = make_product()
    now = local("Asia/Shanghai", 2025, 4, 1, 9, 0)   # ten days before the start
    adapter.set(item, dates={"start": START, "end": END}, priority="P1", owner=users["marketer"])
    run = services.run_start(item, definition_key="test-event-salon", by=users["marketer"], now=now)
    states = {e.key: e.state for e in services.timeline(run, now=now)}
    assert states == {
        "planning.review.director": "overdue", "planning": "overdue", "execution_plan": "overdue",
        "final_review.review.team_leader": "upcoming", "final_review.review.director": "upcoming",
        "final_review": "upcoming", "onsite": "upcoming", "retrospective": "upcoming",
    }


def _through_stage(run, user, director, adapter, item, now):
    """Tick, fill and get the reviews of the current stage, then leave it."""
    state = services.run_state(run, user)
    for row in state.checklist:
        run = services.run_tick(run, item_key=row.key, checked=True, by=user, expected_version=run.version, now=now)
    for step in state.stage.reviews_for(state.flags):
        assert step.role == "director"
        services.run_review(run, decision="approved", by=director, expected_version=run.version, now=now)
        run.refresh_from_db()
    return services.run_advance(run, by=user, expected_version=run.version, now=now)


def test_moving_the_key_dates_moves_open_deadlines_and_keeps_done_ones(adapter, install, make_product, users):
    install(shipped_text("event-salon"))
    item = make_product()
    marketer, director = users["marketer"], users["director"]
    adapter.set(item, dates={"start": START, "end": END}, priority="P1", owner=marketer,
                fields={"score": 82, "priority": "P1", "plan": "plan"})
    now = local("Asia/Shanghai", 2025, 3, 1, 10, 0)
    run = services.run_start(item, definition_key="test-event-salon", by=marketer, now=now)
    for _stage in ("intake", "evaluation", "decision", "planning"):
        run = _through_stage(run, marketer, director, adapter, item, now)
    assert run.stage == "execution_plan"
    before = services.timeline(run, now=now)
    done = {e.key: (e.due_at, e.done_at) for e in before if e.state == "done"}
    assert done == {
        "planning.review.director": (dt.datetime.fromisoformat("2025-03-11T15:59:59.999999+00:00"), now),
        "planning": (dt.datetime.fromisoformat("2025-03-11T15:59:59.999999+00:00"), now),
    }

    # The event moves one week later and becomes a P3: open deadlines follow, done ones stay.
    adapter.set(item, dates={"start": START + dt.timedelta(days=7), "end": END + dt.timedelta(days=7)},
                priority="P3")
    run = services.run_reschedule(run, by=marketer, now=now)
    assert _due(run) == {
        "planning.review.director": "2025-03-11T15:59:59.999999+00:00",
        "planning": "2025-03-11T15:59:59.999999+00:00",
        "execution_plan": "2025-04-03T15:59:59.999999+00:00",
        "final_review.review.team_leader": "2025-04-16T15:59:59.999999+00:00",
        "final_review.review.director": "2025-04-16T15:59:59.999999+00:00",
        "final_review": "2025-04-16T15:59:59.999999+00:00",
        "onsite": "2025-04-17T15:59:59.999999+00:00",
        "retrospective": "2025-04-20T15:59:59.999999+00:00",   # end 18 April + 2 days (P3)
    }
    from marketdesk.core.models import AuditEntry

    moved = AuditEntry.objects.filter(message="deadlines moved").get()
    assert moved.changes["before"]["execution_plan"] == "2025-03-27T15:59:59.999999+00:00"
    assert moved.changes["after"]["execution_plan"] == "2025-04-03T15:59:59.999999+00:00"
    assert "planning" not in moved.changes["after"]


CONTENT = """
key: test-official-post
name: {en: "Official-account post", zh: "公众号推文"}
item: strategy.Product
dates: [publish]
flags:
  news: {en: "Same-day news", zh: "当日新闻类", default: false}
stages:
  - key: writing
    name: {en: "Writing", zh: "策划撰写"}
    rule: O11
  - key: preview
    name: {en: "Preview and review", zh: "预览审核"}
    rule: O11
    reviews:
      - key: daily
        role: director
        name: {en: "Daily post previewed and reviewed by 12:00 the same day", zh: "日常类公众号内容不晚于当日上午12:00预览审核"}
        when: not news
        deadline: {anchor: publish, offset: same-day, time: "12:00"}
      - key: news
        role: director
        name: {en: "Same-day news previewed by 18:00", zh: "当日新闻类公众号不晚于当晚18:00前预览"}
        when: news
        deadline: {anchor: publish, offset: 0d, time: "18:00"}
  - key: publish
    name: {en: "Publish", zh: "发布"}
    rule: O11
    deadline: {anchor: "stage:preview", offset: 0d}
"""

# O11 on the Berlin DST day itself (2025-03-30: 02:00 → 03:00, so noon is UTC+2).
CLOCK_TIMES = [
    ("Asia/Shanghai", False, "preview.review.daily", "2025-03-30T04:00:00+00:00"),
    ("Asia/Shanghai", True, "preview.review.news", "2025-03-30T10:00:00+00:00"),
    ("Europe/Berlin", False, "preview.review.daily", "2025-03-30T10:00:00+00:00"),
    ("Europe/Berlin", True, "preview.review.news", "2025-03-30T16:00:00+00:00"),
    ("UTC", False, "preview.review.daily", "2025-03-30T12:00:00+00:00"),
    ("UTC", True, "preview.review.news", "2025-03-30T18:00:00+00:00"),
]


@pytest.mark.parametrize(("tz", "news", "key", "expected"), CLOCK_TIMES)
def test_same_day_clock_times(adapter, install, make_product, zone_team, tz, news, key, expected):
    install(CONTENT)
    item = make_product(team=zone_team(tz))
    adapter.set(item, dates={"publish": dt.date(2025, 3, 30)}, flags={"news": news})
    run = services.run_start(item, definition_key="test-official-post", by=None, now=BEFORE_EVERYTHING)
    # The publish stage anchors to the moment the preview stage is completed: no date yet.
    assert _due(run) == {key: expected, "publish": None}


def test_a_flag_change_swaps_the_conditional_review_and_a_stage_anchor_resolves(
        adapter, install, make_product, zone_team, users, make_user):
    install(CONTENT)
    team = zone_team("Europe/Berlin")
    writer = make_user("marketer", username="writer", teams=[team])
    item = make_product(team=team)
    adapter.set(item, dates={"publish": dt.date(2025, 3, 30)}, owner=writer)
    now = local("Europe/Berlin", 2025, 3, 29, 9, 0)
    run = services.run_start(item, definition_key="test-official-post", by=writer, now=now)
    adapter.set(item, flags={"news": True})
    run = services.run_reschedule(run, by=writer, now=now)
    assert _due(run) == {"preview.review.news": "2025-03-30T16:00:00+00:00", "publish": None}

    run = services.run_advance(run, by=writer, expected_version=run.version, now=now)
    services.run_review(run, decision="approved", by=users["director"], expected_version=run.version, now=now)
    run.refresh_from_db()
    completed = local("Europe/Berlin", 2025, 3, 30, 14, 30)
    run = services.run_advance(run, by=writer, expected_version=run.version, now=completed)
    assert run.stage == "publish"
    # publish: the end of the local day on which the preview stage was completed.
    assert _due(run)["publish"] == "2025-03-30T21:59:59.999999+00:00"
