"""Multi-touch attribution (DOMAIN K10, conventions): hand-computed examples of every
model, the edge cases of issue 4, and properties checked against tests/metrics/reference.py."""

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from marketdesk.metrics import attribution
from tests.metrics import reference

UTC = dt.UTC
T0 = dt.datetime(2026, 1, 1, tzinfo=UTC)
ALL = attribution.MODELS


def at(days, hours=0, seconds=0):
    return T0 + dt.timedelta(days=days, hours=hours, seconds=seconds)


def touch(event_id, ts, person="p1", channel=None, campaign=None, **extra):
    return {"event_id": event_id, "ts": ts, "person_id": person, "event_type": "page_view",
            "channel": channel, "campaign": campaign, **extra}


def won(event_id, ts, amount, person="p1"):
    return {"event_id": event_id, "ts": ts, "deal_id": f"D-{event_id}", "person_id": person,
            "stage": "closed_won", "amount": amount}


def stage(event_id, ts, name, person="p1"):
    return {"event_id": event_id, "ts": ts, "person_id": person, "stage": name}


def credits(result):
    return {row["key"]: {m: row[m] for m in result.models} for row in result.credits}


def close(a, b):
    return a == pytest.approx(b, rel=1e-12, abs=1e-9)


def assert_credits(result, expected):
    got = credits(result)
    assert sorted(got) == sorted(expected)
    for key, models in expected.items():
        for model, value in models.items():
            assert close(got[key][model], value), (key, model, got[key][model], value)


# --- Hand-computed examples -------------------------------------------------------------------

def test_one_touch_gets_everything_in_every_model(facts_con):
    con = facts_con({"touchpoints": [touch("t1", at(0), channel="email")],
                     "deals": [won("d1", at(10), 1000.0)],
                     "lifecycle": [stage("l1", at(1), "lead"), stage("l2", at(2), "opportunity")]})
    result = attribution.run(con, models=ALL)
    assert_credits(result, {"email": dict.fromkeys(ALL, 1000.0)})
    assert (result.converted_value, result.attributed_value, result.unattributed_value) == (
        1000.0, 1000.0, 0.0)
    assert (result.conversions, result.unattributed_conversions) == (1, 0)


def test_two_touches(facts_con):
    con = facts_con({"touchpoints": [touch("t1", at(0), channel="email"),
                                     touch("t2", at(7), channel="direct")],
                     "deals": [won("d1", at(14), 100.0)]})
    result = attribution.run(con, models=attribution.RULE_MODELS)
    # time decay: ages 14 and 7 days, half-life 7 → weights 1/4 and 1/2 → 1/3, 2/3.
    # No lead/opportunity stage: w = first 30 %, the other touch the remaining 70 %;
    # full path = first and closed-won touches only → scaled to 50/50.
    assert_credits(result, {
        "email": {"first_touch": 100, "last_touch": 0, "linear": 50, "u_shaped": 50,
                  "w_shaped": 30, "full_path": 50, "time_decay": 100 / 3},
        "direct": {"first_touch": 0, "last_touch": 100, "linear": 50, "u_shaped": 50,
                   "w_shaped": 70, "full_path": 50, "time_decay": 200 / 3},
    })


def test_four_touches_with_lead_and_opportunity_touches(facts_con):
    # t1 email, t2 paid_search (lead created at t2's instant), t3 direct, t4 events
    # (opportunity created a day after t4), t5 email after the conversion (not eligible).
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"),
                        touch("t2", at(2), channel="paid_search"),
                        touch("t3", at(4), channel="direct"),
                        touch("t4", at(6), channel="events"),
                        touch("t5", at(30), channel="email")],
        "lifecycle": [stage("l1", at(2), "lead"), stage("l2", at(7), "opportunity")],
        "deals": [won("d1", at(20), 1000.0)],
    })
    result = attribution.run(con, models=attribution.RULE_MODELS, half_life_days=2.0)
    # u: 40 / 10 / 10 / 40. w: first t1 30, lead t2 30, opp t4 30, rest t3 10.
    # full path: t1 22.5, t2 22.5, t4 (opp + closed-won) 45, t3 10.
    # time decay, half-life 2 days, ages 20, 18, 16, 14 → 2^-10, 2^-9, 2^-8, 2^-7 = 1:2:4:8.
    assert_credits(result, {
        "email": {"first_touch": 1000, "last_touch": 0, "linear": 250, "u_shaped": 400,
                  "w_shaped": 300, "full_path": 225, "time_decay": 1000 / 15},
        "paid_search": {"first_touch": 0, "last_touch": 0, "linear": 250, "u_shaped": 100,
                        "w_shaped": 300, "full_path": 225, "time_decay": 2000 / 15},
        "direct": {"first_touch": 0, "last_touch": 0, "linear": 250, "u_shaped": 100,
                   "w_shaped": 100, "full_path": 100, "time_decay": 4000 / 15},
        "events": {"first_touch": 0, "last_touch": 1000, "linear": 250, "u_shaped": 400,
                   "w_shaped": 300, "full_path": 450, "time_decay": 8000 / 15},
    })


def test_w_shaped_roles_that_coincide_add_and_missing_roles_go_to_the_rest(facts_con):
    # Lead at t1's instant (first = lead touch), no opportunity stage: t1 60 %, rest 40 %
    # over t2, t3. Two touches and both roles on one: the shares are scaled to sum to one.
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"), touch("t2", at(1), channel="direct"),
                        touch("t3", at(2), channel="referral"),
                        touch("u1", at(0), person="p2", channel="email"),
                        touch("u2", at(1), person="p2", channel="direct")],
        "lifecycle": [stage("l1", at(0), "lead"), stage("m1", at(0), "lead", person="p2"),
                      stage("m2", at(1), "opportunity", person="p2")],
        "deals": [won("d1", at(5), 100.0), won("d2", at(5), 90.0, person="p2")],
    })
    result = attribution.run(con, models=("w_shaped", "full_path"))
    # p1 w: t1 60, t2 20, t3 20. full: t1 45 (first + lead), t3 22.5 (closed-won), t2 32.5.
    # p2 w: u1 first+lead 0.6, u2 opp 0.3, no other touch → 2/3, 1/3 of 90.
    # p2 full: u1 0.45, u2 opp + closed-won 0.45 → 45 / 45.
    assert_credits(result, {
        "email": {"w_shaped": 60 + 60, "full_path": 45 + 45},
        "direct": {"w_shaped": 20 + 30, "full_path": 32.5 + 45},
        "referral": {"w_shaped": 20, "full_path": 22.5},
    })


def test_lead_before_the_window_leaves_the_lead_role_absent(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(100), channel="email"), touch("t2", at(101), channel="direct"),
                        touch("t3", at(102), channel="referral")],
        "lifecycle": [stage("l1", at(0), "lead")],
        "deals": [won("d1", at(110), 100.0)],
    })
    # w: first 30, rest 70 over t2 and t3; full: first 22.5, closed-won t3 22.5, rest 55 on t2.
    result = attribution.run(con, models=("w_shaped", "full_path"))
    assert_credits(result, {"email": {"w_shaped": 30, "full_path": 22.5},
                            "direct": {"w_shaped": 35, "full_path": 55},
                            "referral": {"w_shaped": 35, "full_path": 22.5}})


def test_lookback_bounds_touch_at_conversion_excluded_window_start_included(facts_con):
    conversion = at(100)
    con = facts_con({
        "touchpoints": [touch("t0", conversion - dt.timedelta(days=90, microseconds=1),
                              channel="display"),
                        touch("t1", conversion - dt.timedelta(days=90), channel="email"),
                        touch("t2", conversion - dt.timedelta(microseconds=1), channel="direct"),
                        touch("t3", conversion, channel="referral"),
                        touch("t4", conversion + dt.timedelta(days=1), channel="sales")],
        "deals": [won("d1", conversion, 10.0)],
    })
    result = attribution.run(con, models=("first_touch", "last_touch", "linear"))
    assert_credits(result, {"email": {"first_touch": 10, "last_touch": 0, "linear": 5},
                            "direct": {"first_touch": 0, "last_touch": 10, "linear": 5}})
    narrow = attribution.run(con, models=("linear",), window_days=30)
    assert_credits(narrow, {"direct": {"linear": 10}})


def test_ties_in_time_are_broken_by_event_id_whatever_the_row_order(facts_con):
    rows = [touch("t-b", at(1), channel="direct"), touch("t-a", at(1), channel="email"),
            touch("t-c", at(1), channel="referral")]
    con = facts_con({"touchpoints": rows, "deals": [won("d1", at(2), 90.0)]})
    result = attribution.run(con, models=("first_touch", "last_touch", "u_shaped"))
    assert_credits(result, {"email": {"first_touch": 90, "last_touch": 0, "u_shaped": 36},
                            "direct": {"first_touch": 0, "last_touch": 0, "u_shaped": 18},
                            "referral": {"first_touch": 0, "last_touch": 90, "u_shaped": 36}})


def test_a_conversion_without_eligible_touch_is_unattributed_never_spread(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"),
                        touch("t2", at(50), person="p2", channel="direct")],  # after d2
        "deals": [won("d1", at(5), 100.0), won("d2", at(10), 40.0, person="p2"),
                  won("d3", at(10), 7.0, person="p3"),  # no touch at all
                  {"event_id": "d4", "ts": at(12), "deal_id": "D4", "person_id": "p1",
                   "stage": "closed_lost", "amount": 999.0}],
    })
    result = attribution.run(con, models=ALL)
    assert_credits(result, {"email": dict.fromkeys(ALL, 100.0)})
    assert (result.converted_value, result.attributed_value, result.unattributed_value) == (
        147.0, 100.0, 47.0)
    assert (result.conversions, result.unattributed_conversions) == (3, 2)


def test_a_person_with_several_deals_has_each_attributed_on_its_own(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"), touch("t2", at(10), channel="direct"),
                        touch("t3", at(20), channel="referral")],
        "deals": [won("d1", at(15), 100.0), won("d2", at(25), 300.0)],
    })
    result = attribution.run(con, models=("first_touch", "last_touch", "linear"))
    # d1: t1, t2; d2: t1, t2, t3.
    assert_credits(result, {
        "email": {"first_touch": 400, "last_touch": 0, "linear": 50 + 100},
        "direct": {"first_touch": 0, "last_touch": 100, "linear": 50 + 100},
        "referral": {"first_touch": 0, "last_touch": 300, "linear": 100},
    })
    assert result.conversions == 2


def test_null_campaign_is_credited_to_none_not_to_the_next_campaign(facts_con):
    """The semantic trap of issue 4: a NULL-skipping first() / arg_min would give the
    organic first touch's credit to campaign c1 (an over-credit of campaigns)."""
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="organic_search", campaign=None),
                        touch("t2", at(1), channel="paid_search", campaign="c1"),
                        touch("t3", at(2), channel="direct", campaign=None)],
        "deals": [won("d1", at(3), 60.0)],
    })
    result = attribution.run(con, by="campaign", models=("first_touch", "last_touch", "linear"))
    assert_credits(result, {"(none)": {"first_touch": 60, "last_touch": 60, "linear": 40},
                            "c1": {"first_touch": 0, "last_touch": 0, "linear": 20}})


def test_anonymous_touches_are_stitched_to_the_earliest_identity(facts_con):
    con = facts_con({
        "touchpoints": [{"event_id": "t1", "ts": at(0), "anonymous_id": "a1",
                         "event_type": "page_view", "channel": "organic_search"},
                        {"event_id": "t2", "ts": at(1), "anonymous_id": "a9",  # never identified
                         "event_type": "page_view", "channel": "display"},
                        touch("t3", at(2), channel="email")],
        "identities": [{"event_id": "i2", "ts": at(9), "anonymous_id": "a1", "person_id": "p2"},
                       {"event_id": "i1", "ts": at(3), "anonymous_id": "a1", "person_id": "p1"}],
        "deals": [won("d1", at(5), 10.0)],
    })
    result = attribution.run(con, models=("first_touch", "linear"))
    assert_credits(result, {"organic_search": {"first_touch": 10, "linear": 5},
                            "email": {"first_touch": 0, "linear": 5}})


def test_content_and_event_dimensions(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email", content_id="c0001", content="guide"),
                        touch("t2", at(1), channel="events", event_ref="event-7", content="x"),
                        touch("t3", at(2), channel="direct")],
        "deals": [won("d1", at(3), 30.0)],
    })
    by_content = attribution.run(con, by="content", models=("linear",))
    # utm content is not a content item: t2 and t3 are "(none)"
    assert_credits(by_content, {"c0001": {"linear": 10}, "(none)": {"linear": 20}})
    by_event = attribution.run(con, by="event", models=("linear",))
    assert_credits(by_event, {"event-7": {"linear": 10}, "(none)": {"linear": 20}})


def test_leads_conversion_is_each_persons_first_lead_with_value_one(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"), touch("t2", at(2), channel="direct"),
                        touch("t3", at(4), channel="referral"),
                        touch("u1", at(0), person="p2", channel="display")],
        "lifecycle": [stage("l2", at(5), "lead"), stage("l1", at(3), "lead"),  # repeated
                      stage("m1", at(1), "lead", person="p2")],
    })
    result = attribution.run(con, conversion="leads", models=("first_touch", "last_touch", "markov"))
    assert_credits(result, {"email": {"first_touch": 1, "last_touch": 0},
                            "direct": {"first_touch": 0, "last_touch": 1},
                            "display": {"first_touch": 1, "last_touch": 1}})
    assert (result.conversions, result.converted_value) == (2, 2.0)
    assert close(sum(c["markov"] for c in result.credits), 2.0)


def test_start_and_end_bound_the_conversion_time(facts_con):
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"), touch("t2", at(20), channel="direct")],
        "deals": [won("d1", at(10), 100.0), won("d2", at(30), 50.0)],
    })
    result = attribution.run(con, models=("last_touch",), start=at(10), end=at(30))
    assert_credits(result, {"email": {"last_touch": 100}})
    assert result.converted_value == 100.0


def test_markov_removal_effects_hand_computed(facts_con):
    # Journeys: p1 email → direct → conversion; p2 email → null; p3 direct → conversion.
    # start→email ⅔, start→direct ⅓; email→direct ½, email→null ½; direct→conv 1.
    # P = ⅔·½ + ⅓ = ⅔. Without email: ⅓ → effect ½. Without direct: 0 → effect 1.
    # Shares ⅓ and ⅔ of the attributed 300.
    con = facts_con({
        "touchpoints": [touch("t1", at(0), channel="email"), touch("t2", at(1), channel="direct"),
                        touch("u1", at(0), person="p2", channel="email"),
                        touch("v1", at(0), person="p3", channel="direct")],
        "deals": [won("d1", at(2), 200.0), won("d3", at(2), 100.0, person="p3")],
    })
    result = attribution.run(con, models=("markov",))
    assert_credits(result, {"email": {"markov": 100.0}, "direct": {"markov": 200.0}})


def test_rule_expression_is_one_row_per_key_one_column_per_model(facts_con):
    con = facts_con({"touchpoints": [touch("t1", at(0), channel="email"),
                                     touch("t2", at(1), channel=None)],
                     "deals": [won("d1", at(2), 10.0), won("d2", at(2), 5.0, person="p9")]})
    expr = attribution.rule_expression(con, models=("first_touch", "linear"))
    assert expr.columns == ("key", "first_touch", "linear")
    assert expr.to_pyarrow().to_pylist() == [
        {"key": "(none)", "first_touch": 0.0, "linear": 5.0},
        {"key": "email", "first_touch": 10.0, "linear": 5.0}]


def test_no_conversions_at_all(facts_con):
    con = facts_con({"touchpoints": [touch("t1", at(0), channel="email")]})
    result = attribution.run(con, models=ALL)
    assert (result.credits, result.converted_value, result.conversions) == ([], 0.0, 0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"conversion": "signups"}, "conversion: unknown 'signups'"),
    ({"by": "region"}, "by: unknown dimension 'region'"),
    ({"window_days": 0}, "window_days: must be a whole number"),
    ({"half_life_days": 0}, "half_life_days: must be a positive number"),
    ({"models": ("linear", "magic")}, "models: unknown model 'magic'"),
    ({"models": ()}, "models: name at least one model"),
    ({"start": dt.datetime(2026, 1, 1)}, "start: must be a timezone-aware datetime"),
    ({"start": at(2), "end": at(1)}, "start: must be before end"),
])
def test_bad_arguments_are_refused_with_the_field_named(facts_con, kwargs, message):
    con = facts_con({})
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        attribution.run(con, **kwargs)


def test_rule_expression_refuses_markov(facts_con):
    with pytest.raises(ValueError, match="models: unknown model 'markov'"):
        attribution.rule_expression(facts_con({}), models=("markov",))


# --- Against the reference implementation ----------------------------------------------------

CHANNELS = ["email", "direct", None, "paid_search"]
CAMPAIGNS = [None, "c1", "c2"]


def generated_facts(rng: random.Random, persons: int = 12):
    facts = {"touchpoints": [], "identities": [], "lifecycle": [], "deals": [], "spend": []}
    n = 0
    for p in range(persons):
        person = f"p{p:02d}"
        anon = f"a{p:02d}"
        if rng.random() < 0.8:
            facts["identities"].append({"event_id": f"i{p}", "ts": at(rng.randint(0, 60)),
                                        "anonymous_id": anon, "person_id": person})
        for _ in range(rng.randint(0, 6)):
            n += 1
            identified = rng.random() < 0.6
            facts["touchpoints"].append({
                "event_id": f"t{n:04d}", "ts": at(rng.randint(0, 80), rng.choice([0, 0, 5])),
                "person_id": person if identified else None, "anonymous_id": anon,
                "event_type": rng.choice(["page_view", "form_submit"]),
                "channel": rng.choice(CHANNELS), "campaign": rng.choice(CAMPAIGNS),
                "content_id": rng.choice([None, "k1"]), "event_ref": rng.choice([None, "e1"])})
        for stage_name in ("lead", "mql", "opportunity", "customer"):
            for _ in range(rng.choice([0, 1, 1, 2])):
                n += 1
                facts["lifecycle"].append({"event_id": f"l{n:04d}", "person_id": person,
                                           "ts": at(rng.randint(0, 90)), "stage": stage_name})
        for _ in range(rng.choice([0, 0, 1, 2])):
            n += 1
            facts["deals"].append({"event_id": f"d{n:04d}", "deal_id": f"D{n}",
                                   "person_id": person, "ts": at(rng.randint(0, 100)),
                                   "stage": rng.choice(["closed_won", "closed_won", "open"]),
                                   "amount": float(rng.randint(1, 50) * 100)})
    for s in range(4):
        facts["spend"].append({"event_id": f"s{s}", "ts": at(rng.randint(0, 100)),
                               "campaign": rng.choice(CAMPAIGNS), "channel": rng.choice(CHANNELS),
                               "amount": float(rng.randint(1, 9) * 50)})
    return facts


def compare(result, expected):
    got = credits(result)
    keys = {k for k, models in expected["credits"].items() if any(v != 0 for v in models.values())}
    assert set(got) >= keys
    for key in set(got) | keys:
        for model in result.models:
            want = expected["credits"].get(key, {}).get(model, 0.0)
            assert got[key][model] == pytest.approx(want, rel=1e-9, abs=1e-6), (key, model)
    assert result.attributed_value == pytest.approx(expected["attributed"], rel=1e-12)
    assert result.unattributed_value == pytest.approx(expected["unattributed"], rel=1e-12)
    assert result.conversions == expected["conversions"]
    assert result.unattributed_conversions == expected["unattributed_conversions"]


def assert_sums_exact(result):
    for model in result.models:
        total = sum(row[model] for row in result.credits)
        assert total == pytest.approx(result.attributed_value, rel=1e-9, abs=1e-9), model
    assert result.converted_value == pytest.approx(
        result.attributed_value + result.unattributed_value, rel=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(("conversion", "by"), [("revenue", "channel"), ("revenue", "campaign"),
                                                ("leads", "channel"), ("revenue", "content")])
def test_matches_the_reference_on_generated_data(facts_con, seed, conversion, by):
    facts = generated_facts(random.Random(seed * 31 + len(by)))
    con = facts_con(facts)
    result = attribution.run(con, conversion=conversion, by=by, models=ALL, window_days=45,
                             half_life_days=3.0)
    expected = reference.attribution(facts, conversion=conversion, by=by, models=ALL,
                                     window_days=45, half_life_days=3.0)
    compare(result, expected)
    assert_sums_exact(result)
    bounded = attribution.run(con, conversion=conversion, by=by, models=ALL,
                              start=at(30), end=at(70))
    compare(bounded, reference.attribution(facts, conversion=conversion, by=by, models=ALL,
                                           start=at(30), end=at(70)))


@hsettings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_properties_sums_reorder_and_independence(facts_con, tmp_path_factory, settings, seed):
    """Credits sum to the attributed revenue; reordering input rows changes nothing; a
    person's credits do not depend on other persons (leaving them out changes only their
    own contribution)."""
    rng = random.Random(seed)
    facts = generated_facts(rng, persons=6)
    settings.MARKETDESK_FACTS_DIR = tmp_path_factory.mktemp("facts")
    result = attribution.run(facts_con(facts), models=attribution.RULE_MODELS)
    assert_sums_exact(result)

    shuffled = {name: rng.sample(rows, len(rows)) for name, rows in facts.items()}
    settings.MARKETDESK_FACTS_DIR = tmp_path_factory.mktemp("facts")
    again = attribution.run(facts_con(shuffled), models=attribution.RULE_MODELS)
    for key, models in credits(result).items():
        for model, value in models.items():
            assert credits(again)[key][model] == pytest.approx(value, rel=1e-12, abs=1e-9)

    # Person by person: the credits of the whole equal the sum of each person alone.
    total: dict = {}
    for person in sorted({d["person_id"] for d in facts["deals"]}):
        alone = {name: [r for r in rows if r.get("person_id") in (person, None)
                        and (name != "touchpoints" or r.get("person_id") == person
                             or r["anonymous_id"] == "a" + person[1:])]
                 for name, rows in facts.items()}
        settings.MARKETDESK_FACTS_DIR = tmp_path_factory.mktemp("facts")
        for key, models in credits(attribution.run(facts_con(alone),
                                                   models=attribution.RULE_MODELS)).items():
            for model, value in models.items():
                total.setdefault(key, {}).setdefault(model, 0.0)
                total[key][model] += value
    for key, models in credits(result).items():
        for model, value in models.items():
            assert total.get(key, {}).get(model, 0.0) == pytest.approx(value, rel=1e-9, abs=1e-9)
