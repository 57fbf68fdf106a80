"""iCal feeds (RFC 5545): secret URLs, what each feed holds, and the document itself,
parsed back with the ``icalendar`` library."""

import datetime as dt
import hashlib
import re

import icalendar
import pytest
from django.utils import timezone

from marketdesk.schedule import services
from marketdesk.schedule.models import CalendarFeed
from tests.schedule.conftest import SALON, SHANGHAI, deadline

pytestmark = pytest.mark.django_db

PLAN_ZH = "活动策划方案（提前≥一个月）"


@pytest.fixture
def today():
    return timezone.localtime(timezone.now(), SHANGHAI).date()


@pytest.fixture
def salon(users, team_a, make_event, today):
    """A salon 40 days ahead: its plan deadline is due in 10 days (inside the feed's window)."""
    return make_event(users["marketer"], team=team_a, name=SALON, start=today + dt.timedelta(days=40))


def issue(user, **kwargs):
    kwargs.setdefault("scope", CalendarFeed.Scope.USER)
    kwargs.setdefault("name", "Phone")
    return services.feed_create(by=user, **kwargs)


def fetch(client, issued):
    response = client.get(issued.path)
    assert response.status_code == 200, response.content
    return response, icalendar.Calendar.from_ical(response.content)


def events_of(calendar) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_creating_a_feed_shows_the_secret_once_and_stores_only_its_digest(users, client_for):
    client = client_for(users["marketer"])
    response = client.post("/calendar/feeds/", {"scope": "user", "name": "Phone", "team": ""})
    assert response.status_code == 200
    feed = CalendarFeed.objects.get()
    url = response.context["feed_url"]
    match = re.fullmatch(r"http://testserver/calendar/feed/(mdcal_[A-Za-z0-9_-]{43})\.ics", url)
    assert match is not None, url
    secret = match[1]
    assert (feed.scope, feed.user, feed.team, feed.name, feed.language) == (
        "user", users["marketer"], None, "Phone", "en")
    assert feed.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert feed.prefix == secret[6:14]
    assert secret not in str([getattr(feed, f.attname) for f in CalendarFeed._meta.concrete_fields])
    assert response.context["webcal_url"] == "webcal://testserver/calendar/feed/" + secret + ".ics"
    assert secret in response.content.decode()
    # Shown once: the list never shows it again.
    again = client.get("/calendar/feeds/").content.decode()
    assert secret not in again
    assert f"<code>{feed.prefix}…</code>" in again


def test_a_team_feed_needs_a_team_the_user_belongs_to(users, team_a, team_b, client_for):
    client = client_for(users["marketer"])
    missing = client.post("/calendar/feeds/", {"scope": "team", "name": "Team", "team": ""})
    assert (missing.status_code, missing.context["form"].errors) == (
        422, {"team": ["Choose the team whose calendar to subscribe to."]})
    foreign = client.post("/calendar/feeds/", {"scope": "team", "name": "Team", "team": team_b.pk})
    assert foreign.context["form"].errors == {
        "team": [f"Select a valid choice. {team_b.pk} is not one of the available choices."]}
    made = client.post("/calendar/feeds/", {"scope": "team", "name": "Team", "team": team_a.pk})
    assert made.status_code == 200
    assert list(CalendarFeed.objects.values_list("scope", "team", "user")) == [
        ("team", team_a.pk, users["marketer"].pk)]


def test_the_feed_is_valid_icalendar_with_stable_uids(salon, users, client, today):
    issued = issue(users["marketer"])
    response, calendar = fetch(client, issued)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (str(calendar["VERSION"]), str(calendar["PRODID"]), str(calendar["X-WR-TIMEZONE"])) == (
        "2.0", "-//MarketDesk//MarketDesk calendar//EN", "Asia/Shanghai")
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert b"X-WR-CALNAME:MarketDesk \xc2\xb7 marketer\r\n" in response.content
    first = events_of(calendar)
    plan = deadline(salon, "planning")
    assert f"deadline-{plan.pk}@marketdesk" in first
    assert f"event-{salon.pk}@marketdesk" in first
    for event in first.values():
        stamp = event["DTSTAMP"].dt
        assert stamp.utcoffset() == dt.timedelta(0)
        assert abs(timezone.now() - stamp) < dt.timedelta(minutes=1)
    assert response.content.count(b"\r\nDTSTAMP:") == len(first)
    assert all(re.fullmatch(rb"DTSTAMP:\d{8}T\d{6}Z", line)
               for line in response.content.split(b"\r\n") if line.startswith(b"DTSTAMP"))

    _, again = fetch(client, issued)
    assert set(events_of(again)) == set(first)

    # Move the event a week: the same UIDs, new dates (clients update, not duplicate).
    from marketdesk.events import services as ev

    ev.events.update(salon, by=users["marketer"], start_date=salon.start_date + dt.timedelta(days=7),
                     end_date=salon.end_date + dt.timedelta(days=7))
    _, moved = fetch(client, issued)
    after = events_of(moved)
    assert set(after) == set(first)
    uid = f"deadline-{plan.pk}@marketdesk"
    assert after[uid]["DTSTART"].dt == first[uid]["DTSTART"].dt + dt.timedelta(days=7)
    assert after[uid]["DTSTART"].dt == today + dt.timedelta(days=17)


def test_chinese_text_is_intact_escaped_and_folded(users, team_a, make_event, client, today):
    users["marketer"].language = "zh-hans"
    users["marketer"].save(update_fields=["language"])
    name = "上海开发者沙龙, 第二场; A\\B\n报名"
    salon = make_event(users["marketer"], team=team_a, name=name, start=today + dt.timedelta(days=40))
    issued = issue(users["marketer"])
    response, calendar = fetch(client, issued)
    plan = events_of(calendar)[f"deadline-{deadline(salon, 'planning').pk}@marketdesk"]
    assert str(plan["SUMMARY"]) == f"{PLAN_ZH}：{name}"
    raw = response.content
    # Every content line is at most 75 octets; long ones are folded (CRLF + space) and
    # unfold to the escaped text: \, \; \\ and \n for the comma, semicolon, backslash and
    # newline of the name.
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert f"SUMMARY:{PLAN_ZH}：上海开发者沙龙\\, 第二场\\; A\\\\B\\n报名\r\n" in unfolded
    # The description has five lines; they travel as \n escapes on one content line.
    description = str(plan["DESCRIPTION"])
    assert len(description.split("\n")) == 5
    escaped = (description.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
               .replace("\n", "\\n"))
    assert f"DESCRIPTION:{escaped}\r\n" in unfolded
    assert str(plan["URL"]) == f"http://testserver{salon.get_absolute_url()}"


def test_all_day_items_are_dates_and_timed_ones_utc_datetimes(salon, users, client, today):
    _, calendar = fetch(client, issue(users["marketer"]))
    events = events_of(calendar)
    plan = events[f"deadline-{deadline(salon, 'planning').pk}@marketdesk"]
    due = today + dt.timedelta(days=10)
    assert (plan["DTSTART"].dt, plan["DTEND"].dt, plan["DTSTART"].params.get("VALUE")) == (
        due, due + dt.timedelta(days=1), "DATE")
    assert [str(c) for c in plan["CATEGORIES"].cats] == ["Deadline", "Upcoming"]
    assert str(plan["DESCRIPTION"]) == (
        "Process: Salon (small event)\n"
        "Current stage: Event evaluation (weekly meeting)\n"
        f"Due: {due.isoformat()} (end of day, Asia/Shanghai)\n"
        "Counted from: start −30 days\n"
        "Rule: O7")
    assert str(plan["SUMMARY"]) == f"Event plan (at least one month ahead): {SALON}"
    assert str(plan["STATUS"]) == "CONFIRMED"
    event = events[f"event-{salon.pk}@marketdesk"]
    assert (event["DTSTART"].dt, event["DTEND"].dt) == (salon.start_date, salon.start_date + dt.timedelta(days=1))
    # The weekly evaluation meeting: Mondays 10:00 Shanghai = 02:00 UTC, an instant.
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    meeting = events[f"cadence-{salon.team_id}-weekly_evaluation-{monday:%Y%m%d}@marketdesk"]
    assert meeting["DTSTART"].dt == dt.datetime.combine(monday, dt.time(2, 0), tzinfo=dt.UTC)
    assert "DTEND" not in meeting
    assert str(meeting["SUMMARY"]) == "Weekly event evaluation meeting"


def test_a_personal_feed_holds_what_the_user_owns_or_reviews(users, team_a, make_event, client, today):
    start = today + dt.timedelta(days=40)
    salon = make_event(users["marketer"], team=team_a, name=SALON, start=start)
    live = make_event(users["team_leader"], team=team_a, name="Livestream", start=start,
                      event_type="livestream")
    deadline_uids = {
        d.pk: f"deadline-{d.pk}@marketdesk"
        for d in [deadline(e, k) for e in (salon, live) for k in (
            "planning", "planning.review.director", "execution_plan", "final_review",
            "final_review.review.team_leader", "final_review.review.director", "onsite",
            "retrospective")]}

    def deadlines_in(user, event):
        _, calendar = fetch(client, issue(user))
        uids = set(events_of(calendar))
        return sorted(d.key for d in [deadline(event, k) for k in (
            "planning", "planning.review.director", "execution_plan", "final_review",
            "final_review.review.team_leader", "final_review.review.director", "onsite",
            "retrospective")] if deadline_uids[d.pk] in uids)

    everything = sorted(["execution_plan", "final_review", "final_review.review.director",
                         "final_review.review.team_leader", "onsite", "planning",
                         "planning.review.director", "retrospective"])
    assert deadlines_in(users["marketer"], salon) == everything
    assert deadlines_in(users["marketer"], live) == []
    # The team leader owns the livestream and reviews the salon's final stage.
    assert deadlines_in(users["team_leader"], live) == everything
    assert deadlines_in(users["team_leader"], salon) == ["final_review.review.team_leader"]
    # The director reviews both, owns neither.
    assert deadlines_in(users["director"], salon) == ["final_review.review.director",
                                                      "planning.review.director"]


def test_a_team_feed_holds_the_teams_items_only(users, team_a, team_b, berlin, make_event, client, today):
    start = today + dt.timedelta(days=40)
    ours = make_event(users["team_leader"], team=team_a, name="Ours", start=start)
    theirs = make_event(berlin, team=team_b, name="Theirs", start=start)
    _, calendar = fetch(client, issue(users["marketer"], scope="team", team=team_a, name="Growth"))
    uids = set(events_of(calendar))
    assert f"event-{ours.pk}@marketdesk" in uids
    assert f"deadline-{deadline(ours, 'planning').pk}@marketdesk" in uids
    assert f"event-{theirs.pk}@marketdesk" not in uids
    assert not [u for u in uids if u.startswith(f"cadence-{team_b.pk}-")]
    assert [u for u in uids if u.startswith(f"cadence-{team_a.pk}-weekly_evaluation-")]


def test_revoked_unknown_and_orphaned_secrets_are_404(users, berlin, team_b, client, client_for):
    issued = issue(users["marketer"])
    assert client.get(issued.path).status_code == 200
    assert client.get("/calendar/feed/mdcal_" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/feed/nonsense.ics").status_code == 404
    response = client_for(users["marketer"]).post(f"/calendar/feeds/{issued.feed.pk}/revoke/")
    assert (response.status_code, response["Location"]) == (302, "/calendar/feeds/")
    assert CalendarFeed.objects.get().revoked_at is not None
    assert client.get(issued.path).status_code == 404
    # A team feed stops when its creator leaves the team.
    team_feed = issue(berlin, scope="team", team=team_b, name="Brand")
    assert client.get(team_feed.path).status_code == 200
    berlin.memberships.all().delete()
    assert client.get(team_feed.path).status_code == 404


def test_only_the_creator_or_a_leader_revokes_a_feed(users, team_a, client_for):
    issued = issue(users["marketer"], scope="team", team=team_a, name="Growth")
    assert client_for(users["sales"]).post(f"/calendar/feeds/{issued.feed.pk}/revoke/").status_code == 403
    assert client_for(users["team_leader"]).post(f"/calendar/feeds/{issued.feed.pk}/revoke/").status_code == 302
    personal = issue(users["marketer"])
    assert client_for(users["team_leader"]).post(f"/calendar/feeds/{personal.feed.pk}/revoke/").status_code == 404


def test_use_is_recorded_at_most_once_a_minute(users, client):
    issued = issue(users["marketer"])
    assert issued.feed.last_used_at is None
    client.get(issued.path)
    first = CalendarFeed.objects.get().last_used_at
    client.get(issued.path)
    assert CalendarFeed.objects.get().last_used_at == first
    assert timezone.now() - first < dt.timedelta(minutes=1)
