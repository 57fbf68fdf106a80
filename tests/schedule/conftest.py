"""Events that run the SOP, for the calendar, feed and scheduler tests.

Team A ("Growth") counts in Asia/Shanghai, team B ("Brand") in Europe/Berlin. The calendar
tests use dates in 2099 so that every state they assert (upcoming, done, overdue) holds
whatever day the suite runs; the feed tests use dates relative to today, because a feed
covers 90 days back to a year ahead of the real clock.
"""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SALON = "上海开发者沙龙"


@pytest.fixture
def make_event():
    """An accepted opportunity, decided "take part" as ``event_type`` (its SOP run starts)."""
    from marketdesk.events import services as ev

    def make(by, *, team, name, start, end=None, event_type="salon", owner=None, decide=True,
             priority="P2", **fields):
        event = ev.events.create(by=by, team_id=team.pk, name=name, start_date=start,
                                 end_date=end or start, owner_id=(owner or by).pk, **fields)
        if decide:
            event = ev.event_screen(event, by=by, accept=True)
            event = ev.event_decide(event, by=by, decision="go", event_type=event_type,
                                    priority=priority)
        return event

    return make


@pytest.fixture
def berlin(make_user, team_b):
    """A marketer of team B (Europe/Berlin)."""
    return make_user("marketer", username="berlin", teams=[team_b])


@pytest.fixture
def world(users, team_a, team_b, berlin, make_event):
    """Three events in 2099: two of team A, one of team B.

    - the salon (team A, owner: marketer) starts on Friday 2099-04-10: plan and its review
      due 03-11, execution plan 03-27, final reviews 04-09, on site 04-10, retro 04-12;
    - the livestream (team A, owner: team leader) starts on Friday 2099-03-20;
    - the summit (team B, owner: berlin) starts on Friday 2099-03-20.
    """
    return SimpleNamespace(
        salon=make_event(users["marketer"], team=team_a, name=SALON, start=dt.date(2099, 4, 10)),
        live=make_event(users["team_leader"], team=team_a, name="Product livestream",
                        start=dt.date(2099, 3, 20), event_type="livestream"),
        summit=make_event(berlin, team=team_b, name="Berlin Summit", start=dt.date(2099, 3, 20),
                          event_type="summit"),
    )


def deadline(event, key):
    from marketdesk.sop.models import Deadline

    return Deadline.objects.get(run__object_id=event.pk, run__content_type__model="event", key=key)


def local(*args, tz=SHANGHAI):
    return dt.datetime(*args, tzinfo=tz)

