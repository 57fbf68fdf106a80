"""Fixtures of the event pipeline tests: an event in team A at each step of intake."""

import datetime as dt

import pytest

from marketdesk.events import services


@pytest.fixture
def marketer(users):
    return users["marketer"]


@pytest.fixture
def leader(users):
    return users["team_leader"]


def make_event(team, by, **fields):
    values = {"name": "Cloud Native Summit", "organiser": "CNCF China",
              "source_channel": "event_platform", "city": "Shanghai", "region_tier": "tier1",
              "start_date": dt.date(2027, 6, 10), "end_date": dt.date(2027, 6, 11),
              "expected_attendees": 800, "price": "20000.00"}
    values.update(fields)
    return services.events.create(by=by, team_id=team.pk, **values)


@pytest.fixture
def event(team_a, marketer):
    return make_event(team_a, marketer)


@pytest.fixture
def accepted(event, marketer):
    return services.event_screen(event, by=marketer, accept=True)
