"""The benchmark's baselines (bench/) agree with each other and with hand-computed
values on small data, so the speed comparison compares like with like."""

import datetime as dt

import pyarrow as pa
import pytest
from bench.run import compare

from bench import baselines_pandas, baselines_polars
from marketdesk.metrics import store, synth

T0 = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
ENGINES = [baselines_pandas, baselines_polars]


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


@pytest.fixture
def hand_made(settings, tmp_path):
    """Person p1: touches at day 0 (organic, no campaign), 1 (paid c1), 2 (email c2),
    lead at 0.5, opportunity at 1.5, won 1000 at day 3; a touch at day 3 exactly and one
    after are not eligible. Person p2: one anonymous touch stitched by identity, won 500
    at day 10. Person p3: won 200 with no touch (unattributed)."""
    settings.MARKETDESK_FACTS_DIR = tmp_path / "facts"
    touches = [
        ("t1", at(0), None, "p1", "organic_search", None),
        ("t2", at(1), None, "p1", "paid_search", "c1"),
        ("t3", at(2), None, "p1", "email", "c2"),
        ("t4", at(3), None, "p1", "email", "c2"),   # at the conversion instant: excluded
        ("t5", at(4), None, "p1", "direct", None),  # after the conversion
        ("t6", at(9), "a2", None, "paid_search", "c1"),
        ("t7", at(-100), None, "p1", "display", "c3"),  # outside the 90-day lookback
    ]
    store.write("touchpoints", pa.Table.from_pylist([
        {"event_id": e, "ts": ts, "anonymous_id": a, "person_id": p, "event_type": "page_view",
         "channel": ch, "campaign": c} for e, ts, a, p, ch, c in touches]), sync=False)
    store.write("identities", pa.Table.from_pylist([
        {"event_id": "i2", "ts": at(9.5), "anonymous_id": "a2", "person_id": "p2"}]), sync=False)
    store.write("lifecycle", pa.Table.from_pylist([
        {"event_id": "l1", "ts": at(0.5), "person_id": "p1", "stage": "lead"},
        {"event_id": "l2", "ts": at(1.2), "person_id": "p1", "stage": "mql"},
        {"event_id": "l3", "ts": at(1.5), "person_id": "p1", "stage": "opportunity"},
        {"event_id": "l4", "ts": at(3), "person_id": "p1", "stage": "customer"},
        {"event_id": "l5", "ts": at(9.5), "person_id": "p2", "stage": "lead"},
        {"event_id": "l6", "ts": at(8), "person_id": "p2", "stage": "mql"},  # back-dated
        {"event_id": "l7", "ts": at(200), "person_id": "p2", "stage": "opportunity"},  # > 90 d
    ]), sync=False)
    store.write("deals", pa.Table.from_pylist([
        {"event_id": "d1", "ts": at(3), "deal_id": "D1", "person_id": "p1", "stage": "closed_won",
         "amount": 1000.0},
        {"event_id": "d2", "ts": at(10), "deal_id": "D2", "person_id": "p2", "stage": "closed_won",
         "amount": 500.0},
        {"event_id": "d3", "ts": at(11), "deal_id": "D3", "person_id": "p3", "stage": "closed_won",
         "amount": 200.0},
        {"event_id": "d4", "ts": at(12), "deal_id": "D4", "person_id": "p1", "stage": "closed_lost",
         "amount": 900.0},
    ]), sync=False)
    store.write("spend", pa.Table.from_pylist([
        {"event_id": "s1", "ts": at(1), "channel": "paid_search", "campaign": "c1", "amount": 400.0},
        {"event_id": "s2", "ts": at(2), "channel": "email", "campaign": "c2", "amount": 100.0},
    ]), sync=False)
    return settings.MARKETDESK_FACTS_DIR


@pytest.mark.parametrize("engine", ENGINES, ids=["pandas", "polars"])
def test_hand_computed_funnel(hand_made, engine):
    result = engine.run(hand_made)
    # p2's MQL is before its lead and its opportunity beyond the 90-day window.
    assert result["funnel"] == [("lead", 2), ("mql", 1), ("opportunity", 1), ("customer", 1)]


@pytest.mark.parametrize("engine", ENGINES, ids=["pandas", "polars"])
def test_hand_computed_credits(hand_made, engine):
    credits = engine.run(hand_made)["attribution"]
    # p1's eligible path: organic (none campaign) d0, paid_search d1, email d2 → 1000.
    # lead touch = t1 (last before day 0.5), opportunity touch = t2 (last before 1.5);
    # full path: every touch is an anchor (first+lead, opportunity, closed-won), so the
    # anchors 45/22.5/22.5 are scaled to one: 50/25/25.
    # p2: one touch paid_search → 500. p3: unattributed 200.
    decay = [0.5 ** (3 / 7), 0.5 ** (2 / 7), 0.5 ** (1 / 7)]
    share = [d / sum(decay) for d in decay]
    expected = {
        "organic_search": {"first_touch": 1000, "last_touch": 0, "linear": 1000 / 3,
                           "u_shaped": 400, "w_shaped": 600, "full_path": 500,
                           "time_decay": 1000 * share[0]},
        "paid_search": {"first_touch": 500, "last_touch": 500, "linear": 1000 / 3 + 500,
                        "u_shaped": 200 + 500, "w_shaped": 300 + 500, "full_path": 250 + 500,
                        "time_decay": 1000 * share[1] + 500},
        "email": {"first_touch": 0, "last_touch": 1000, "linear": 1000 / 3, "u_shaped": 400,
                  "w_shaped": 100, "full_path": 250, "time_decay": 1000 * share[2]},
    }
    for key, models in expected.items():
        for model, value in models.items():
            assert credits[key][model] == pytest.approx(value, rel=1e-12, abs=1e-9), (key, model)
    assert credits[None] == dict.fromkeys(expected["email"], 200.0)


@pytest.mark.parametrize("engine", ENGINES, ids=["pandas", "polars"])
def test_hand_computed_roi(hand_made, engine):
    roi = engine.run(hand_made)["roi"]
    assert roi["c1"] == pytest.approx((1000 / 3 + 500, 400.0, (1000 / 3 + 100) / 400))
    assert roi["c2"] == pytest.approx((1000 / 3, 100.0, (1000 / 3 - 100) / 100))
    assert roi["(none)"][1] == 0.0 and roi["(none)"][2] is None
    assert roi["(none)"][0] == pytest.approx(1000 / 3)


def test_pandas_and_polars_agree_on_generated_data(tmp_path):
    facts = tmp_path / "facts"
    synth.generate(facts, touchpoints=30_000, seed=5,
                   world=synth.bench_world(end=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), days=90))
    a, b = baselines_pandas.run(facts), baselines_polars.run(facts)
    assert a["funnel"] == b["funnel"]
    assert a["funnel"][0][1] > a["funnel"][-1][1] > 0
    diffs = compare(a, b)
    assert diffs["attribution"] < 1e-9 and diffs["roi"] < 1e-9
    # Every model's credits sum to the converted revenue (attributed + unattributed).
    totals = {m: sum(v[m] for v in a["attribution"].values()) for m in a["attribution"][None]}
    assert len(set(round(t, 4) for t in totals.values())) == 1
