"""The calendar page: month, week and list views, filters, the gate, time zones, HTMX."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.schedule.conftest import SALON

pytestmark = pytest.mark.django_db

URL = "/calendar/"

PLAN = "Event plan (at least one month ahead)"
PLAN_REVIEW = "Plan report and review by the marketing director (at least one month ahead)"
EXECUTION = "Execution follow-up plan (at least two weeks ahead)"
FINAL = "Business and director reviews (one day ahead)"
DIRECTOR_FINAL = "Marketing director review (one day ahead)"
LEADER_FINAL = "Team leader review"
RETRO = "Event retrospective (N+X)"


def grid(response) -> dict[str, list[str]]:
    """Day → titles of the days that have items, as the page lays them out."""
    days = response.context["days"]
    return {day.date.isoformat(): [e.item.title for e in day.entries] for day in days if day.entries}


def test_the_calendar_is_mounted_and_needs_a_sign_in(client):
    assert reverse("schedule:calendar") == URL
    response = client.get(URL)
    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/calendar/")


def test_month_view_lays_out_the_deadlines_of_the_users_teams(world, users, client_for):
    response = client_for(users["marketer"]).get(URL, {"view": "month", "date": "2099-03-15", "kind": "deadline"})
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.first, period.last) == (dt.date(2099, 2, 23), dt.date(2099, 4, 5))
    assert [len(week) for week in response.context["weeks"]] == [7] * 6
    # Team B's summit (same dates as the livestream) is another team's: absent.
    assert grid(response) == {
        "2099-03-06": [f"{EXECUTION}: Product livestream"],
        "2099-03-11": [f"{PLAN}: {SALON}"],
        "2099-03-19": [f"{FINAL}: Product livestream"],
        "2099-03-20": ["Live execution (online): Product livestream"],
        "2099-03-22": [f"{RETRO}: Product livestream"],
        "2099-03-27": [f"{EXECUTION}: {SALON}"],
    }
    html = response.content.decode()
    assert html.count('<td class="cal-day cal-outside text-muted">') == 6 + 5  # Feb 23–28, Apr 1–5
    assert f'href="{world.salon.get_absolute_url()}"' in html
    assert "Berlin Summit" not in html


def test_a_company_wide_role_sees_every_team_and_filters_by_team(world, users, client_for):
    director = client_for(users["director"])
    both = director.get(URL, {"view": "month", "date": "2099-03-01", "kind": "deadline"})
    assert grid(both)["2099-03-06"] == [f"{EXECUTION}: Berlin Summit", f"{EXECUTION}: Product livestream"]
    only_b = director.get(URL, {"view": "month", "date": "2099-03-01", "kind": "deadline",
                                "team": world.summit.team_id})
    assert grid(only_b) == {
        "2099-03-06": [f"{EXECUTION}: Berlin Summit"],
        "2099-03-19": [f"{FINAL}: Berlin Summit"],
        "2099-03-20": ["On-site execution: Berlin Summit"],
        "2099-03-22": [f"{RETRO}: Berlin Summit"],
    }


def test_a_team_outside_the_users_scope_is_not_a_choice(world, users, client_for):
    response = client_for(users["marketer"]).get(URL, {"date": "2099-03-01", "team": world.summit.team_id})
    assert response.context["form"].errors == {
        "team": [f"Select a valid choice. {world.summit.team_id} is not one of the available choices."]}
    assert "Berlin Summit" not in response.content.decode()


def test_filters_by_kind_owner_and_event_type(world, users, client_for):
    client = client_for(users["marketer"])
    reviews = client.get(URL, {"date": "2099-03-01", "kind": "review"})
    assert grid(reviews) == {
        "2099-03-11": [f"{PLAN_REVIEW}: {SALON}"],
        "2099-03-19": [f"{DIRECTOR_FINAL}: Product livestream", f"{LEADER_FINAL}: Product livestream"],
    }
    events = client.get(URL, {"date": "2099-03-01", "kind": "event"})
    assert grid(events) == {"2099-03-20": ["Product livestream"]}
    leader_owned = client.get(URL, {"date": "2099-03-01", "kind": "deadline",
                                    "owner": users["team_leader"].pk})
    assert grid(leader_owned) == {
        "2099-03-06": [f"{EXECUTION}: Product livestream"],
        "2099-03-19": [f"{FINAL}: Product livestream"],
        "2099-03-20": ["Live execution (online): Product livestream"],
        "2099-03-22": [f"{RETRO}: Product livestream"],
    }
    salon_only = client.get(URL, {"date": "2099-03-01", "kind": "deadline", "event_type": "salon"})
    assert grid(salon_only) == {"2099-03-11": [f"{PLAN}: {SALON}"],
                                "2099-03-27": [f"{EXECUTION}: {SALON}"]}
    # Meetings have no owner: an owner filter leaves them out.
    owned_week = client.get(URL, {"view": "week", "date": "2099-03-16",
                                  "owner": users["team_leader"].pk})
    assert grid(owned_week) == {
        "2099-03-19": [f"{FINAL}: Product livestream", f"{DIRECTOR_FINAL}: Product livestream",
                       f"{LEADER_FINAL}: Product livestream"],
        "2099-03-20": ["Product livestream", "Live execution (online): Product livestream"],
        "2099-03-22": [f"{RETRO}: Product livestream"],
    }


def test_week_view_shows_deadlines_events_and_meetings_in_order(world, users, client_for):
    response = client_for(users["marketer"]).get(URL, {"view": "week", "date": "2099-04-08"})
    assert [d.date.isoformat() for d in response.context["days"]] == [
        "2099-04-06", "2099-04-07", "2099-04-08", "2099-04-09", "2099-04-10", "2099-04-11",
        "2099-04-12"]
    # All-day items first (by title), then the timed ones by time.
    assert grid(response) == {
        "2099-04-06": ["Weekly event evaluation meeting"],
        "2099-04-07": ["News, PR and interview drafts (weekly)"],
        "2099-04-08": ["Product copy (weekly)"],
        "2099-04-09": [f"{FINAL}: {SALON}", f"{DIRECTOR_FINAL}: {SALON}", f"{LEADER_FINAL}: {SALON}"],
        "2099-04-10": [SALON, f"On-site execution: {SALON}",
                       "Optimisation suggestions: content, events, formats, channels (weekly)"],
        "2099-04-12": [f"{RETRO}: {SALON}"],
    }
    html = response.content.decode()
    assert '<span class="cal-time">10:00</span> Weekly event evaluation meeting' in html
    assert '<span class="cal-time">16:00</span> Optimisation suggestions' in html
    assert "Week of 2099-04-06 to 2099-04-12" in html


def test_times_are_shown_in_the_viewers_team_time_zone(world, users, berlin, client_for):
    query = {"view": "week", "date": "2099-04-06", "kind": "cadence"}
    in_berlin = client_for(berlin).get(URL, query).content.decode()
    # Team B's Monday meeting at 10:00 in Berlin (CEST) is 16:00 in Shanghai.
    assert '<span class="cal-time">10:00</span> Weekly event evaluation meeting' in in_berlin
    director = client_for(users["director"]).get(URL, {**query, "team": berlin.teams.get().pk})
    assert '<span class="cal-time">16:00</span> Weekly event evaluation meeting' in director.content.decode()
    assert "times in Asia/Shanghai" in director.content.decode()
    assert "times in Europe/Berlin" in in_berlin


def test_list_view_has_one_row_per_item_with_its_state(world, users, client_for, make_event, team_a):
    old = make_event(users["marketer"], team=team_a, name="Old salon", start=dt.date(2020, 6, 10))
    client = client_for(users["marketer"])
    april = client.get(URL, {"view": "list", "date": "2099-04-20", "owner": users["marketer"].pk})
    rows = [(day.date.isoformat(), e.time, e.item.title, e.kind_label, e.team, e.owner, e.state_label)
            for day in april.context["list_days"] for e in day.entries]
    assert rows == [
        ("2099-04-09", None, f"{FINAL}: {SALON}", "Deadline", "Growth", "marketer", "Upcoming"),
        ("2099-04-09", None, f"{DIRECTOR_FINAL}: {SALON}", "Review", "Growth", "marketer", "Upcoming"),
        ("2099-04-09", None, f"{LEADER_FINAL}: {SALON}", "Review", "Growth", "marketer", "Upcoming"),
        ("2099-04-10", None, SALON, "Event", "Growth", "marketer", "Upcoming"),
        ("2099-04-10", None, f"On-site execution: {SALON}", "Deadline", "Growth", "marketer", "Upcoming"),
        ("2099-04-12", None, f"{RETRO}: {SALON}", "Deadline", "Growth", "marketer", "Upcoming"),
    ]
    html = april.content.decode()
    assert html.count('<th scope="row" rowspan="3"') == 1
    assert html.count('<th scope="row" rowspan="2"') == 1

    # A past event: its open deadlines are overdue and highlighted; the event itself is done.
    may_2020 = client.get(URL, {"view": "list", "date": "2020-05-01", "owner": users["marketer"].pk})
    states = [(e.item.title, e.state_label) for day in may_2020.context["list_days"] for e in day.entries]
    assert states == [
        ("Event plan (at least one month ahead): Old salon", "Overdue"),
        (f"{PLAN_REVIEW}: Old salon", "Overdue"),
        (f"{EXECUTION}: Old salon", "Overdue"),
    ]
    assert may_2020.content.decode().count('<tr class="table-danger">') == 3
    june = client.get(URL, {"view": "month", "date": "2020-06-01", "kind": "event"})
    assert [(e.item.title, e.state_label) for e in june.context["entries"]] == [("Old salon", "Done")]
    overdue_link = client.get(URL, {"view": "month", "date": "2020-05-01", "kind": "deadline"})
    assert ('aria-label="Deadline, Overdue: Event plan (at least one month ahead): Old salon"'
            in overdue_link.content.decode())
    assert old.get_absolute_url() in overdue_link.content.decode()


def test_htmx_navigation_swaps_the_partial_and_keeps_the_filters(world, users, client_for):
    client = client_for(users["marketer"])
    response = client.get(URL, {"view": "month", "date": "2099-03-15", "kind": "deadline"},
                          headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="calendar" class="card">')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    ctx = response.context
    assert (ctx["prev_query"], ctx["next_query"], ctx["today_query"].rsplit("=", 1)[0]) == (
        "kind=deadline&view=month&date=2099-02-01", "kind=deadline&view=month&date=2099-04-01",
        "kind=deadline&view=month&date")
    assert [(name, query, active) for name, _label, query, active in ctx["views"]] == [
        ("month", "kind=deadline&view=month&date=2099-03-15", True),
        ("week", "kind=deadline&view=week&date=2099-03-15", False),
        ("list", "kind=deadline&view=list&date=2099-03-15", False),
    ]
    assert ('href="/calendar/?kind=deadline&amp;view=month&amp;date=2099-04-01" '
            'hx-get="/calendar/?kind=deadline&amp;view=month&amp;date=2099-04-01" '
            'hx-target="#calendar" hx-swap="outerHTML" hx-push-url="true"') in html
    week = client.get(URL, {"view": "week", "date": "2099-03-15"})
    assert (week.context["prev_query"], week.context["next_query"]) == (
        "view=week&date=2099-03-08", "view=week&date=2099-03-22")


def test_the_page_is_accessible_and_bilingual(world, users, client_for):
    client = client_for(users["marketer"])
    english = client.get(URL, {"view": "month", "date": "2099-03-15"}).content.decode()
    assert '<caption class="visually-hidden">Calendar for March 2099</caption>' in english
    assert 'aria-label="Move through the calendar"' in english
    assert 'aria-label="Previous month"' in english
    assert '<nav class="btn-group" aria-label="Calendar view">' in english
    assert 'aria-current="page">Month</a>' in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(URL, {"view": "month", "date": "2099-03-15", "kind": "deadline"})
    assert grid(chinese)["2099-03-11"] == [f"活动策划方案（提前≥一个月）：{SALON}"]


def test_today_is_marked(users, client_for):
    from django.utils import timezone

    from tests.schedule.conftest import SHANGHAI

    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    response = client_for(users["marketer"]).get(URL, {"view": "week"})
    assert [d.date for d in response.context["days"] if d.is_today] == [today]
    assert response.content.decode().count('aria-current="date"') == 1


def test_the_query_count_does_not_grow_with_the_items(world, users, berlin, team_a, team_b,
                                                      client_for, make_event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["director"])
    query = {"view": "month", "date": "2099-03-15"}
    client.get(URL, query)  # warm the content-type cache

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, query)
        return len(captured), len(response.context["entries"])

    before, items_before = count()
    make_event(users["marketer"], team=team_a, name="Second salon", start=dt.date(2099, 3, 25))
    make_event(berlin, team=team_b, name="Second summit", start=dt.date(2099, 3, 26),
               event_type="summit")
    after, items_after = count()
    assert items_after - items_before == 18  # nine each: the event and eight deadlines
    assert after == before


def test_an_unreadable_period_falls_back_to_this_month(users, client_for):
    from django.utils import timezone

    from tests.schedule.conftest import SHANGHAI

    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    client = client_for(users["marketer"])
    for query in ({"view": "year", "date": "9999-12-31"}, {"date": "0001-01-01"}, {"date": "03/15"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert (response.context["period"].view, response.context["period"].anchor) == ("month", today)
