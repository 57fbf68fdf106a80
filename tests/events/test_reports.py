"""Read models: the ranked list (O4), the board by stage, the weekly evaluation meeting
agenda for a fixed week (O4/O15) and the daily effect report (O8)."""

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from marketdesk.events import models as m
from marketdesk.events import reports, services

from .conftest import make_event

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


ALL_YES = {"competitor_present": "yes", "organiser_background": "yes",
           "past_influence": "yes", "business_value": "yes", "cost_effective": "yes"}


def scored(event, by, value, checks=None):
    """Screen and evaluate with every criterion at ``value`` (score = value × 20)."""
    services.event_screen(event, by=by, accept=True)
    event.refresh_from_db()
    return services.event_evaluate(event, by=by, checks=checks, scores={
        "topic_fit": value, "organiser": value, "attendees": value, "cost_effectiveness": value,
        "references": value, "other": value})


def created(event, when):
    m.Event.objects.filter(pk=event.pk).update(created_at=when)
    event.refresh_from_db()
    return event


def test_ranked_by_score_then_start_date_unscored_last(team_a, marketer):
    e = {}
    for name, start, value in [("late-60", dt.date(2027, 9, 1), 3), ("early-60", dt.date(2027, 3, 1), 3),
                               ("top-80", dt.date(2027, 12, 1), 4), ("unscored-a", dt.date(2027, 2, 1), None),
                               ("unscored-b", dt.date(2027, 1, 1), None)]:
        e[name] = make_event(team_a, marketer, name=name, start_date=start, end_date=start)
        if value is not None:
            scored(e[name], marketer, value)
    names = list(reports.ranked(m.Event.objects.all()).values_list("name", flat=True))
    assert names == ["top-80", "early-60", "late-60", "unscored-b", "unscored-a"]


def test_intake_filters(team_a, marketer, leader):
    new = make_event(team_a, marketer, name="new")
    to_eval = make_event(team_a, marketer, name="to-evaluate")
    services.event_screen(to_eval, by=marketer, accept=True)
    undecided = scored(make_event(team_a, marketer, name="undecided"), marketer, 2)
    go = scored(make_event(team_a, marketer, name="go"), marketer, 5)
    services.event_decide(go, by=leader, decision="go", event_type="salon")
    rejected = services.event_screen(make_event(team_a, marketer, name="rejected"), by=marketer,
                                     accept=False, reason="Off-topic")
    del new, undecided, rejected

    def names(**kw):
        return sorted(reports.filter_intake(m.Event.objects.all(), **kw)
                      .values_list("name", flat=True))

    assert names() == ["go", "new", "to-evaluate", "undecided"]
    assert names(stage="new") == ["new"]
    assert names(stage="to_evaluate") == ["to-evaluate"]
    assert names(stage="undecided") == ["undecided"]
    assert names(stage="go") == ["go"]
    assert names(stage="declined") == ["rejected"]
    assert names(q="decid") == ["undecided"]


def test_board_places_events_by_stage(team_a, marketer, leader):
    make_event(team_a, marketer, name="to screen")
    accepted = make_event(team_a, marketer, name="accepted")
    services.event_screen(accepted, by=marketer, accept=True)
    go = scored(make_event(team_a, marketer, name="taking part"), marketer, 4, ALL_YES)
    services.event_decide(go, by=leader, decision="go", event_type="salon")
    # checks left unknown: its run waits at evaluation, beside the undecided opportunity
    waiting = scored(make_event(team_a, marketer, name="checks unknown"), marketer, 4)
    services.event_decide(waiting, by=leader, decision="go", event_type="salon")
    services.event_screen(make_event(team_a, marketer, name="rejected"), by=marketer,
                          accept=False, reason="No fit")
    columns = reports.board(m.Event.objects.all())
    keys = [c.key for c in columns]
    assert keys[:3] == ["intake", "evaluation", "decision"]
    assert keys[-3:] == ["retrospective", "wrap_up", "done"]
    placed = {c.key: [e.name for e in c.cards] for c in columns if c.cards}
    assert placed == {"intake": ["to screen"], "evaluation": ["accepted", "checks unknown"],
                      "decision": ["taking part"]}
    assert {c.key: c.count for c in columns if c.count} == {"intake": 1, "evaluation": 2,
                                                            "decision": 1}


@pytest.fixture
def week(team_a, marketer, leader):
    """Opportunities around the meeting of Monday 2027-03-08 (Shanghai)."""
    at = lambda *a: dt.datetime(*a, tzinfo=SHANGHAI)  # noqa: E731
    e = {}
    e["A"] = created(make_event(team_a, marketer, name="A new, unscored",
                                start_date=dt.date(2027, 4, 20), end_date=dt.date(2027, 4, 20)),
                     at(2027, 3, 3, 10, 0))
    e["B"] = created(scored(make_event(team_a, marketer, name="B scored 60",
                                       start_date=dt.date(2027, 5, 1), end_date=dt.date(2027, 5, 1)),
                            marketer, 3), at(2027, 3, 5, 9, 0))
    e["C"] = created(scored(make_event(team_a, marketer, name="C scored 80",
                                       start_date=dt.date(2027, 6, 1), end_date=dt.date(2027, 6, 1)),
                            marketer, 4), at(2027, 3, 7, 23, 30))
    e["D"] = created(make_event(team_a, marketer, name="D after the Monday",
                                start_date=dt.date(2027, 5, 5), end_date=dt.date(2027, 5, 5)),
                     at(2027, 3, 8, 0, 10))
    e["E"] = make_event(team_a, marketer, name="E to evaluate", start_date=dt.date(2027, 4, 1),
                        end_date=dt.date(2027, 4, 1))
    services.event_screen(e["E"], by=marketer, accept=True)
    created(e["E"], at(2027, 2, 20, 9, 0))
    e["F"] = created(services.event_screen(
        make_event(team_a, marketer, name="F rejected"), by=marketer, accept=False,
        reason="B2C audience"), at(2027, 3, 4, 9, 0))
    g = scored(make_event(team_a, marketer, name="G salon on 03-20", start_date=dt.date(2027, 3, 20),
                          end_date=dt.date(2027, 3, 20)), marketer, 5)
    e["G"] = created(services.event_decide(g, by=leader, decision="go", event_type="salon"),
                     at(2027, 1, 10, 9, 0))
    return e


def test_agenda_of_a_fixed_week(week, team_a):
    a = reports.agenda(team_a, dt.date(2027, 3, 10))  # a Wednesday: the Monday is 03-08
    assert (a.week_start, a.since) == (dt.date(2027, 3, 8), dt.date(2027, 3, 1))
    assert [e.name for e in a.new] == ["C scored 80", "B scored 60", "A new, unscored"]
    assert [e.name for e in a.to_evaluate] == ["E to evaluate"]
    assert [e.name for e in a.decisions] == ["C scored 80", "B scored 60"]
    assert [e.name for e in a.starting] == ["G salon on 03-20"]
    assert [(d.key, name) for d, name in a.deadlines] == [
        ("planning.review.director", "G salon on 03-20"), ("planning", "G salon on 03-20"),
        ("execution_plan", "G salon on 03-20"),
        ("final_review.review.team_leader", "G salon on 03-20"),
        ("final_review.review.director", "G salon on 03-20"),
        ("final_review", "G salon on 03-20"), ("onsite", "G salon on 03-20")]


def test_agenda_markdown(week, team_a):
    text = reports.agenda_markdown(reports.agenda(team_a, dt.date(2027, 3, 8)))
    lines = text.splitlines()
    assert lines[0] == "# Weekly event evaluation — Growth, week of 2027-03-08"
    assert lines[2] == ("Opportunities received 2027-03-01 – 2027-03-07; ranked by score, then "
                        "start date.")
    start = lines.index("## New opportunities since the last meeting (3)")
    assert lines[start + 2:start + 7] == [
        "| # | Event | Score | Start | City | Organiser | Source | Screening |",
        "|---|---|---|---|---|---|---|---|",
        "| 1 | C scored 80 | 80.00 | 2027-06-01 | Shanghai | CNCF China | Event platform | Accepted |",
        "| 2 | B scored 60 | 60.00 | 2027-05-01 | Shanghai | CNCF China | Event platform | Accepted |",
        "| 3 | A new, unscored | — | 2027-04-20 | Shanghai | CNCF China | Event platform | New |",
    ]
    assert "## Decisions needed (2)" in lines
    assert "- 2027-03-20 · G salon on 03-20 · Small: salon · P2" in lines
    assert "- 2027-03-20 23:59 · G salon on 03-20 · On-site execution" in lines


def test_daily_report_per_channel(team_a, marketer):
    event = make_event(team_a, marketer, start_date=dt.date(2027, 6, 15),
                       end_date=dt.date(2027, 6, 15), registration_target=300)
    for day, channel, count in [(dt.date(2027, 6, 1), "官网", 40), (dt.date(2027, 6, 2), "官网", 25),
                                (dt.date(2027, 6, 2), "公众号", 60), (dt.date(2027, 6, 2), "社群", 5),
                                (dt.date(2027, 6, 3), "官网", 99)]:
        services.registration_set(event, by=marketer, day=day, channel=channel, count=count)
    report = reports.daily_report(event, dt.date(2027, 6, 2))
    assert [(line.channel, line.today, line.cumulative) for line in report.lines] == [
        ("官网", 25, 65), ("公众号", 60, 60), ("社群", 5, 5)]
    assert (report.total_today, report.total_cumulative, report.target,
            report.percent_of_target) == (90, 130, 300, Decimal("43.3"))
    # default curve: 15 warm-up days from 06-01, k = 1.6 → day 2: 300 × (2/15)^1.6 = 11.9405
    assert (report.status.expected, report.status.below) == (Decimal("11.94"), False)
    assert reports.daily_report_markdown(report).splitlines() == [
        "# Daily effect report — Cloud Native Summit, 2027-06-02",
        "",
        "Event on 2027-06-15 · — · P2",
        "",
        "| Channel | Today | Cumulative |",
        "|---|---:|---:|",
        "| 官网 | 25 | 65 |",
        "| 公众号 | 60 | 60 |",
        "| 社群 | 5 | 5 |",
        "| **Total** | **90** | **130** |",
        "",
        "Target: 300 registrations — 43.3% reached.",
        "Expected by the curve today: 11.94 (alert below 9.55).",
        "Within the normal growth range.",
    ]


def test_curve_series_for_the_chart(team_a, marketer):
    event = make_event(team_a, marketer, start_date=dt.date(2027, 6, 5),
                       end_date=dt.date(2027, 6, 5), registration_target=100,
                       warmup_start=dt.date(2027, 6, 1), curve_exponent=Decimal(1))
    services.registration_set(event, by=marketer, day=dt.date(2027, 5, 30), channel="官网", count=3)
    services.registration_set(event, by=marketer, day=dt.date(2027, 6, 2), channel="官网", count=30)
    series = reports.curve_series(event, today=dt.date(2027, 6, 3))
    assert series.days == ["2027-06-01", "2027-06-02", "2027-06-03", "2027-06-04", "2027-06-05"]
    assert series.expected == [20.0, 40.0, 60.0, 80.0, 100.0]
    assert series.floor == [16.0, 32.0, 48.0, 64.0, 80.0]
    assert series.actual == [3, 33, 33, None, None]
