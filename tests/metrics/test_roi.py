"""ROI per campaign, channel, event and content (DOMAIN F3, O16)."""

import random

import pytest

from marketdesk.metrics import roi
from tests.metrics import reference
from tests.metrics.test_attribution import at, generated_facts, touch, won


def spend(event_id, ts, amount, **dims):
    return {"event_id": event_id, "ts": ts, "amount": amount, **dims}


FACTS = {
    "touchpoints": [touch("t1", at(0), campaign="c1", channel="paid_search"),
                    touch("t2", at(1), campaign=None, channel="organic_search"),
                    touch("t3", at(2), campaign="c2", channel="events", event_ref="event-1")],
    "deals": [won("d1", at(3), 300.0)],
    "spend": [spend("s1", at(0), 50.0, campaign="c1", channel="paid_search"),
              spend("s2", at(1), 50.0, campaign="c1", channel="paid_search"),
              spend("s3", at(1), 400.0, campaign="c3", channel="display"),
              spend("s4", at(9), 200.0, event_ref="event-1", channel="events")],
}


def test_campaign_roi_linear(facts_con):
    result = roi.run(facts_con(FACTS))
    assert (result.by, result.model) == ("campaign", "linear")
    # linear: 100 each to c1, (none), c2; (none) also carries the event spend row
    assert result.rows == [
        {"key": "(none)", "cost": 200.0, "return": 100.0, "roi": -0.5},
        {"key": "c1", "cost": 100.0, "return": 100.0, "roi": 0.0},
        {"key": "c2", "cost": 0.0, "return": 100.0, "roi": None},
        {"key": "c3", "cost": 400.0, "return": 0.0, "roi": -1.0}]
    assert "spend" in result.sql and "touchpoints" in result.sql


def test_event_roi_with_extra_cost_lines_and_period(facts_con):
    con = facts_con(FACTS)
    result = roi.run(con, by="event", model="last_touch",
                     extra_costs=[{"key": "event-1", "amount": 100.0},
                                  {"key": "event-2", "amount": 10.0}])
    assert result.rows == [
        {"key": "(none)", "cost": 500.0, "return": 0.0, "roi": -1.0},
        {"key": "event-1", "cost": 300.0, "return": 300.0, "roi": 0.0},
        {"key": "event-2", "cost": 10.0, "return": 0.0, "roi": -1.0}]
    mapping = roi.run(con, by="event", model="last_touch", extra_costs={"event-1": 100.0})
    assert mapping.rows[1] == {"key": "event-1", "cost": 300.0, "return": 300.0, "roi": 0.0}
    early = roi.run(con, by="channel", model="first_touch", end=at(2))
    assert early.rows == [
        {"key": "display", "cost": 400.0, "return": 0.0, "roi": -1.0},
        {"key": "paid_search", "cost": 100.0, "return": 0.0, "roi": -1.0}]


def test_markov_roi(facts_con):
    result = roi.run(facts_con(FACTS), by="channel", model="markov")
    returns = {r["key"]: r["return"] for r in result.rows}
    assert sum(returns.values()) == pytest.approx(300.0, rel=1e-12)
    assert set(returns) == {"paid_search", "organic_search", "events", "display"}
    assert returns["display"] == 0.0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"by": "region"}, "by: unknown dimension 'region'"),
    ({"model": "best"}, "model: unknown attribution model 'best'"),
    ({"extra_costs": [{"key": "x"}]}, "extra_costs: row 1 must have exactly the fields"),
    ({"extra_costs": [{"key": "x", "amount": -1}]}, "extra_costs: row 1 amount must be"),
    ({"extra_costs": [{"key": 5, "amount": 1}]}, "extra_costs: row 1 key must be a string"),
])
def test_bad_arguments(facts_con, kwargs, message):
    with pytest.raises(ValueError, match=message):
        roi.run(facts_con({}), **kwargs)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("by", "model"), [("campaign", "linear"), ("channel", "w_shaped"),
                                           ("event", "time_decay"), ("content", "first_touch")])
def test_matches_the_reference(facts_con, seed, by, model):
    facts = generated_facts(random.Random(100 + seed))
    result = roi.run(facts_con(facts), by=by, model=model, start=at(20))
    expected = reference.roi(facts, by=by, model=model, start=at(20))
    got = {r["key"]: (r["cost"], r["return"], r["roi"]) for r in result.rows}
    assert set(got) == set(expected)
    for key, (cost, ret, value) in expected.items():
        assert got[key][0] == pytest.approx(cost)
        assert got[key][1] == pytest.approx(ret, rel=1e-9, abs=1e-9)
        assert got[key][2] == (None if value is None else pytest.approx(value, rel=1e-9, abs=1e-9))
