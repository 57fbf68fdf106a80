"""Funnels (DOMAIN K7): strict order, window from the first step, counted by person,
noise (back-dated, repeated, skipped stages) handled deterministically; against the
reference implementation."""

import datetime as dt
import random

import pytest

from marketdesk.metrics import funnel
from tests.metrics import reference
from tests.metrics.test_attribution import at, generated_facts, stage, touch

STEPS = ("lead", "mql", "opportunity", "customer")


def test_strict_order_skipped_stage_and_window(facts_con):
    con = facts_con({"lifecycle": [
        # p1: the whole funnel
        stage("a1", at(0), "lead", "p1"), stage("a2", at(5), "mql", "p1"),
        stage("a3", at(10), "opportunity", "p1"), stage("a4", at(20), "customer", "p1"),
        # p2: skips mql → stops at lead
        stage("b1", at(0), "lead", "p2"), stage("b3", at(10), "opportunity", "p2"),
        # p3: customer 91 days after the lead → outside the 90-day window
        stage("c1", at(0), "lead", "p3"), stage("c2", at(1), "mql", "p3"),
        stage("c3", at(2), "opportunity", "p3"), stage("c4", at(91), "customer", "p3"),
        # p4: mql at the lead's very instant is not strictly after it
        stage("d1", at(3), "lead", "p4"), stage("d2", at(3), "mql", "p4"),
    ]})
    result = funnel.run(con)
    assert result.steps == STEPS
    assert result.counts == [4, 2, 2, 1]
    assert result.rates == [None, 0.5, 1.0, 0.5]
    assert result.overall == 0.25
    assert result.breakdown == []
    assert funnel.run(con, window_days=91).counts == [4, 2, 2, 2]


def test_back_dated_and_repeated_stage_events(facts_con):
    con = facts_con({"lifecycle": [
        # p1: mql back-dated before the lead, then a genuine mql; a repeated lead later
        stage("a0", at(-3), "mql", "p1"), stage("a1", at(0), "lead", "p1"),
        stage("a2", at(4), "lead", "p1"), stage("a3", at(6), "mql", "p1"),
        stage("a4", at(7), "mql", "p1"),
        # p2: only a back-dated mql → stops at lead
        stage("b1", at(10), "lead", "p2"), stage("b0", at(2), "mql", "p2"),
        # p3: a back-dated lead row moves the entry (and the window) earlier
        stage("c1", at(100), "lead", "p3"), stage("c0", at(1), "lead", "p3"),
        stage("c2", at(101), "mql", "p3"),
    ]})
    assert funnel.run(con, steps=("lead", "mql")).counts == [3, 1]
    assert funnel.run(con, steps=("lead", "mql"), window_days=100).counts == [3, 2]


def test_entry_in_period_and_touch_steps(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(0), "p1", event_type="form_submit"),
                        {"event_id": "t2", "ts": at(1), "anonymous_id": "a2",
                         "event_type": "form_submit"},
                        touch("t3", at(40), "p3", event_type="form_submit")],
        "identities": [{"event_id": "i2", "ts": at(9), "anonymous_id": "a2", "person_id": "p2"}],
        "lifecycle": [stage("l1", at(2), "lead", "p1"), stage("l2", at(2), "lead", "p2"),
                      stage("l3", at(41), "lead", "p3")],
    })
    steps = ("touch:form_submit", "lead")
    assert funnel.run(con, steps=steps).counts == [3, 3]
    assert funnel.run(con, steps=steps, start=at(0), end=at(10)).counts == [2, 2]
    assert funnel.run(con, steps=steps, start=at(10)).counts == [1, 1]


def test_breakdown_by_true_first_touch_campaign(facts_con):
    """The trap: p1's first touch has no campaign, so p1 is "(none)" — not c1."""
    con = facts_con({
        "touchpoints": [touch("t1", at(0), "p1", channel="organic_search"),
                        touch("t2", at(1), "p1", channel="paid_search", campaign="c1"),
                        touch("u1", at(0), "p2", channel="paid_search", campaign="c1")],
        "lifecycle": [stage("a1", at(2), "lead", "p1"), stage("a2", at(3), "mql", "p1"),
                      stage("b1", at(2), "lead", "p2"), stage("c1", at(2), "lead", "p3")],
    })
    result = funnel.run(con, steps=("lead", "mql"), by="campaign")
    assert result.counts == [3, 1]
    assert result.breakdown == [
        {"key": "(none)", "counts": [2, 1], "rates": [None, 0.5], "overall": 0.5},
        {"key": "c1", "counts": [1, 0], "rates": [None, 0.0], "overall": 0.0}]
    by_channel = funnel.run(con, steps=("lead", "mql"), by="channel")
    assert [(r["key"], r["counts"]) for r in by_channel.breakdown] == [
        ("(none)", [1, 0]), ("organic_search", [1, 1]), ("paid_search", [1, 0])]


def test_expression_columns(facts_con):
    con = facts_con({"lifecycle": [stage("a1", at(0), "lead")]})
    expr = funnel.expression(con, steps=("lead", "mql"))
    assert expr.to_pyarrow().to_pylist() == [{"step_1": 1, "step_2": 0}]


def test_empty_store(facts_con):
    result = funnel.run(facts_con({}))
    assert (result.counts, result.rates, result.overall) == ([0, 0, 0, 0], [None] * 4, None)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"steps": ("lead",)}, "steps: a funnel needs at least two steps"),
    ({"steps": ("lead", "buyer")}, "steps: step 2 'buyer' is neither"),
    ({"steps": ("touch:teleport", "lead")}, "steps: step 1 'touch:teleport' names an unknown"),
    ({"window_days": -1}, "window_days: must be a whole number"),
    ({"by": "content"}, "by: unknown breakdown 'content'"),
    ({"end": dt.datetime(2026, 1, 1)}, "end: must be a timezone-aware datetime"),
])
def test_bad_arguments(facts_con, kwargs, message):
    with pytest.raises(ValueError, match=message):
        funnel.run(facts_con({}), **kwargs)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("by", [None, "campaign"])
def test_matches_the_reference(facts_con, seed, by):
    facts = generated_facts(random.Random(seed), persons=20)
    con = facts_con(facts)
    for kwargs in ({}, {"window_days": 30, "start": at(10), "end": at(60)},
                   {"steps": ("touch:page_view", "lead", "customer")}):
        steps = kwargs.pop("steps", STEPS)
        result = funnel.run(con, steps=steps, by=by, **kwargs)
        expected = reference.funnel(facts, steps=steps, by=by, **kwargs)
        assert result.counts == expected["counts"]
        if by:
            assert {r["key"]: r["counts"] for r in result.breakdown} == expected["breakdown"]
