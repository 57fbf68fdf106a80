"""The source registry (the calendar's published interface) and the calendar API."""

import datetime as dt

import pytest

from marketdesk.schedule import builtin_sources, sources
from marketdesk.schedule.sources import CalendarItem, Filters
from tests.schedule.conftest import SALON, SHANGHAI, deadline, local

pytestmark = pytest.mark.django_db


def item(uid="x@test", **fields):
    values = dict(title="T", start=dt.date(2099, 3, 2), end=dt.date(2099, 3, 2), all_day=True,
                  kind="launch", team_id=1, owner_id=None, url="/", state="upcoming")
    values.update(fields)
    return CalendarItem(uid=uid, **values)


def test_the_installed_apps_register_their_sources():
    assert sorted(sources.registered()) == ["events.events", "sop.cadences", "sop.deadlines"]
    assert [(kind, str(label)) for kind, label in sources.kind_choices()] == [
        ("deadline", "Deadline"), ("review", "Review"), ("cadence", "Recurring"),
        ("event", "Event")]


def test_sources_of_missing_apps_are_skipped(monkeypatch):
    registered = {}
    monkeypatch.setattr(sources, "_sources", registered)
    assert builtin_sources.register_all(lambda name: name == "marketdesk.sop") == [
        "sop.deadlines", "sop.cadences"]
    assert sorted(registered) == ["sop.cadences", "sop.deadlines"]
    registered.clear()
    assert builtin_sources.register_all(lambda name: False) == []
    assert registered == {}


def test_an_item_must_be_well_formed():
    with pytest.raises(ValueError, match="an all-day item has dates"):
        item(start=local(2099, 3, 2, 10, 0), end=local(2099, 3, 2, 10, 0))
    with pytest.raises(ValueError, match="a timed item needs aware datetimes"):
        item(all_day=False, start=dt.datetime(2099, 3, 2, 10), end=dt.datetime(2099, 3, 2, 11))
    with pytest.raises(ValueError, match="ends before it starts"):
        item(end=dt.date(2099, 3, 1))


def test_another_apps_source_is_read_filtered_and_ordered(monkeypatch, users):
    monkeypatch.setattr(sources, "_sources", {})
    calls = []

    def launches(user, start, end, filters):
        calls.append((user.username, start, end, filters.team_ids))
        return [
            item("late@test", title="Late", start=local(2099, 3, 2, 15, 0), end=local(2099, 3, 2, 16, 0),
                 all_day=False),
            item("span@test", title="Span", start=dt.date(2099, 2, 27), end=dt.date(2099, 3, 3)),
            item("other@test", title="Other team", team_id=2),
            item("before@test", title="Before", start=dt.date(2099, 2, 1), end=dt.date(2099, 2, 28)),
            item("after@test", title="Next week", start=dt.date(2099, 3, 9), end=dt.date(2099, 3, 9)),
        ]

    sources.register("launches", launches, kinds={"launch": "Launch milestone"})
    start, end = local(2099, 3, 2), local(2099, 3, 9)
    found = sources.collect(users["director"], start, end, Filters(team_ids=frozenset({1})), tz=SHANGHAI)
    assert [i.uid for i in found] == ["span@test", "late@test"]
    assert calls == [("director", start, end, frozenset({1}))]
    assert sources.kind_choices() == [("launch", "Launch milestone")]
    with pytest.raises(ValueError, match="aware"):
        sources.collect(users["director"], dt.datetime(2099, 3, 2), end)


def test_deadline_items_go_through_the_gate(world, users, berlin):
    window = (local(2099, 3, 1), local(2099, 4, 1))
    for_berlin = builtin_sources.deadline_items(berlin, *window, Filters())
    assert {i.team_id for i in for_berlin} == {world.summit.team_id}
    for_sales = builtin_sources.deadline_items(users["sales"], *window, Filters())
    assert {i.team_id for i in for_sales} == {world.salon.team_id}
    plan = deadline(world.salon, "planning")
    assert [i for i in for_sales if i.uid == f"deadline-{plan.pk}@marketdesk"] == [CalendarItem(
        uid=f"deadline-{plan.pk}@marketdesk",
        title=f"Event plan (at least one month ahead): {SALON}",
        start=dt.date(2099, 3, 11), end=dt.date(2099, 3, 11), all_day=True, kind="deadline",
        team_id=world.salon.team_id, owner_id=users["marketer"].pk,
        url=world.salon.get_absolute_url(), state="upcoming", rule="O7",
        description=("Process: Salon (small event)\n"
                     "Current stage: Event evaluation (weekly meeting)\n"
                     "Due: 2099-03-11 (end of day, Asia/Shanghai)\n"
                     "Counted from: start −30 days\nRule: O7"),
        event_type="salon")]


def test_the_calendar_api_lists_items_of_a_range(world, users, api_client_for):
    client = api_client_for(users["marketer"])
    response = client.get("/api/v1/calendar/items",
                          {"start": "2099-04-09", "end": "2099-04-10", "owner": users["marketer"].pk})
    assert response.status_code == 200
    body = response.json()
    assert [(i["start"], i["kind"], i["title"], i["state"]) for i in body] == [
        ("2099-04-09", "deadline", f"Business and director reviews (one day ahead): {SALON}", "upcoming"),
        ("2099-04-09", "review", f"Marketing director review (one day ahead): {SALON}", "upcoming"),
        ("2099-04-09", "review", f"Team leader review: {SALON}", "upcoming"),
        ("2099-04-10", "event", SALON, "upcoming"),
        ("2099-04-10", "deadline", f"On-site execution: {SALON}", "upcoming"),
    ]
    meetings = client.get("/api/v1/calendar/items", {"start": "2099-04-06", "end": "2099-04-06",
                                                     "kind": "cadence"}).json()
    assert [(i["start"], i["all_day"], i["uid"]) for i in meetings] == [
        ("2099-04-06T02:00:00Z", False,
         f"cadence-{world.salon.team_id}-weekly_evaluation-20990406@marketdesk")]
    bad = client.get("/api/v1/calendar/items", {"start": "2099-04-09", "end": "2099-04-01"})
    assert (bad.status_code, bad.json()["errors"]) == (
        422, [{"field": "end", "message": "The end cannot be before the start.", "code": "invalid"}])
    foreign = client.get("/api/v1/calendar/items", {"start": "2099-04-01", "end": "2099-04-02",
                                                    "team": world.summit.team_id})
    assert (foreign.status_code, foreign.json()["errors"][0]["field"]) == (422, "team")


def test_feeds_over_the_api(users, team_a, api_client_for, client):
    api = api_client_for(users["marketer"])
    created = api.post("/api/v1/calendar/feeds", {"scope": "team", "team": team_a.pk, "name": "Growth"},
                       content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["feed"]["team"] == team_a.pk
    assert body["url"].startswith("http://testserver/calendar/feed/mdcal_")
    assert client.get(body["url"].removeprefix("http://testserver")).status_code == 200
    listed = api.get("/api/v1/calendar/feeds").json()
    assert [(f["name"], f["scope"], f["revoked_at"]) for f in listed] == [("Growth", "team", None)]
    revoked = api.post(f"/api/v1/calendar/feeds/{body['feed']['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get(body["url"].removeprefix("http://testserver")).status_code == 404
