"""The pure business rules of the strategy knowledge base, with hand-computed results:
competitor tiers (S3), discount steps and amounts (S7, seed 001 §5), tier
recommendation (S7), positioning checks (S6) and word lists."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from marketdesk.strategy.models import Competitor, PriceTier, word_list_error
from marketdesk.strategy.positioning import check_statement, speaking_seconds
from marketdesk.strategy.pricing import discount_amount, recommend_tier, validate_steps

D = Decimal

# --- S3 competitor tiers --------------------------------------------------------------

@pytest.mark.parametrize(("overlap", "same_audience", "tier"), [
    ("same", True, "primary"),
    ("same", False, "primary"),
    ("similar", True, "primary"),
    ("similar", False, "secondary"),
    ("extends", True, "primary"),
    ("extends", False, "tertiary"),
    ("none", True, "primary"),
    ("none", False, None),
])
def test_competitor_tier_for_every_combination(overlap, same_audience, tier):
    assert Competitor.tier_for(overlap, same_audience) == tier


# --- S7 discount steps ------------------------------------------------------------------

PROGRESSIVE = [{"from": 0, "percent": 2}, {"from": 10000, "percent": 5},
               {"from": 50000, "percent": 8}]


@pytest.mark.parametrize(("ratio", "steps"), [
    ("fixed", [{"from": 0, "percent": 5}]),
    ("fixed", [{"from": 1000, "percent": 100}]),
    ("fixed", [{"from": 0, "percent": 2.5}]),
    ("progressive", PROGRESSIVE),
    ("progressive", [{"from": 0, "percent": 5}, {"from": 100, "percent": 5}]),
    ("progressive", [{"from": 500, "percent": 1}, {"from": 1000.5, "percent": 1.5}]),
])
def test_valid_steps(ratio, steps):
    assert validate_steps(ratio, steps) is None


@pytest.mark.parametrize(("ratio", "steps", "message"), [
    ("fixed", [], 'Give at least one step, e.g. [{"from": 0, "percent": 5}].'),
    ("fixed", "5%", 'Give at least one step, e.g. [{"from": 0, "percent": 5}].'),
    ("fixed", {"from": 0, "percent": 5}, 'Give at least one step, e.g. [{"from": 0, "percent": 5}].'),
    ("fixed", [5], 'Step 1 must have exactly the keys "from" and "percent".'),
    ("fixed", [{"from": 0}], 'Step 1 must have exactly the keys "from" and "percent".'),
    ("fixed", [{"from": 0, "percent": 5, "cap": 9}],
     'Step 1 must have exactly the keys "from" and "percent".'),
    ("fixed", [{"from": "0", "percent": 5}], 'Step 1: "from" and "percent" must be numbers.'),
    ("fixed", [{"from": 0, "percent": True}], 'Step 1: "from" and "percent" must be numbers.'),
    ("fixed", [{"from": 0, "percent": None}], 'Step 1: "from" and "percent" must be numbers.'),
    ("fixed", [{"from": 0, "percent": float("nan")}],
     'Step 1: "from" and "percent" must be numbers.'),
    ("fixed", [{"from": float("inf"), "percent": 5}],
     'Step 1: "from" and "percent" must be numbers.'),
    ("fixed", [{"from": -1, "percent": 5}], 'Step 1: "from" must not be negative.'),
    ("fixed", [{"from": 0, "percent": 0}], "Step 1: the percent must be above 0 and at most 100."),
    ("fixed", [{"from": 0, "percent": -3}], "Step 1: the percent must be above 0 and at most 100."),
    ("fixed", [{"from": 0, "percent": 100.01}],
     "Step 1: the percent must be above 0 and at most 100."),
    ("fixed", PROGRESSIVE[:2], "A fixed ratio has exactly one step."),
    ("progressive", PROGRESSIVE[:1], "A progressive ratio needs at least two steps."),
    ("progressive", [{"from": 0, "percent": 2}, {"from": 0, "percent": 3}],
     'Step 2: "from" must be above the previous step\'s.'),
    ("progressive", [{"from": 100, "percent": 2}, {"from": 50, "percent": 3}],
     'Step 2: "from" must be above the previous step\'s.'),
    ("progressive", [{"from": 0, "percent": 5}, {"from": 100, "percent": 4}],
     "Step 2: a progressive ratio must not fall."),
    ("progressive", [*PROGRESSIVE, {"from": 90000, "percent": "9"}],
     'Step 4: "from" and "percent" must be numbers.'),
])
def test_invalid_steps_name_the_field_and_reason(ratio, steps, message):
    with pytest.raises(ValidationError) as info:
        validate_steps(ratio, steps)
    assert info.value.message_dict == {"steps": [message]}


@pytest.mark.parametrize(("amount", "expected"), [
    ("10000", "500.00"),      # 5 % of 10,000
    ("0", "0.00"),
    ("0.10", "0.01"),         # 0.005 rounds half up to the cent
    ("0.09", "0.00"),         # 0.0045 rounds down
    ("123.45", "6.17"),       # 6.1725
])
def test_fixed_discount(amount, expected):
    result = discount_amount("fixed", [{"from": 0, "percent": 5}], D(amount))
    assert result == D(expected)
    assert str(result) == expected


@pytest.mark.parametrize(("amount", "expected"), [
    ("999.99", "0.00"),       # below the threshold: nothing
    ("1000", "50.00"),        # from the threshold on: the whole amount
    ("2000", "100.00"),
])
def test_fixed_discount_with_a_threshold(amount, expected):
    assert str(discount_amount("fixed", [{"from": 1000, "percent": 5}], D(amount))) == expected


@pytest.mark.parametrize(("amount", "expected"), [
    ("60000", "3000.00"),     # 10,000 × 2 % + 40,000 × 5 % + 10,000 × 8 % = 200 + 2000 + 800
    ("50000", "2200.00"),     # 200 + 2000
    ("10000", "200.00"),      # 10,000 × 2 %
    ("10001", "200.05"),      # 200 + 1 × 5 %
    ("5000", "100.00"),
    ("0", "0.00"),
    ("-50", "0.00"),
    ("1000000", "78200.00"),  # 200 + 2000 + 950,000 × 8 % (76,000)
])
def test_progressive_discount_is_charged_per_band(amount, expected):
    assert str(discount_amount("progressive", PROGRESSIVE, D(amount))) == expected


def test_progressive_discount_ignores_the_order_steps_are_given_in():
    shuffled = [PROGRESSIVE[2], PROGRESSIVE[0], PROGRESSIVE[1]]
    assert discount_amount("progressive", shuffled, D(60000)) == D("3000.00")


def test_progressive_discount_starting_above_zero():
    steps = [{"from": 1000, "percent": 10}, {"from": 2000, "percent": 20}]
    assert str(discount_amount("progressive", steps, D(2500))) == "200.00"  # 100 + 100
    assert str(discount_amount("progressive", steps, D(900))) == "0.00"


@st.composite
def policies(draw):
    ratio = draw(st.sampled_from(["fixed", "progressive"]))
    count = 1 if ratio == "fixed" else draw(st.integers(2, 5))
    starts = sorted(draw(st.sets(st.integers(0, 200_000), min_size=count, max_size=count)))
    percents = sorted(draw(st.lists(
        st.decimals(min_value=D("0.01"), max_value=D(100), places=2),
        min_size=count, max_size=count)))
    steps = [{"from": s, "percent": float(p)} for s, p in zip(starts, percents, strict=True)]
    validate_steps(ratio, steps)
    return ratio, steps


amounts = st.decimals(min_value=D(0), max_value=D(10_000_000), places=2)


@given(policy=policies(), a=amounts, b=amounts)
def test_discount_is_monotone_and_bounded(policy, a, b):
    ratio, steps = policy
    low, high = sorted([a, b])
    d_low = discount_amount(ratio, steps, low)
    d_high = discount_amount(ratio, steps, high)
    assert D(0) <= d_low <= d_high
    top = max(D(str(s["percent"])) for s in steps)
    for amount, discount in ((low, d_low), (high, d_high)):
        assert discount <= (amount * top / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)


# --- S7 tier recommendation -------------------------------------------------------------

def _tiers():
    return [
        PriceTier(name="Starter", price=D("1000"), min_seats=1, max_seats=10, position=0,
                  fits="shops"),
        PriceTier(name="Team", price=D("5000"), min_seats=11, max_seats=50, position=1,
                  fits="chains"),
        PriceTier(name="Business", price=D("4000"), min_seats=40, max_seats=200, position=2,
                  fits="regional groups"),
        PriceTier(name="Enterprise", price=D("20000"), min_seats=500, max_seats=None,
                  position=3, fits="national retailers"),
    ]


@pytest.mark.parametrize(("seats", "name"), [
    (1, "Starter"), (10, "Starter"),            # both ends of a range are inside it
    (11, "Team"), (39, "Team"),
    (40, "Business"), (50, "Business"),         # Team and Business overlap: the cheaper wins
    (51, "Business"), (200, "Business"),
    (500, "Enterprise"), (10_000_000, "Enterprise"),  # no upper limit
])
def test_recommend_tier(seats, name):
    advice = recommend_tier(_tiers(), seats)
    assert advice.tier_name == name
    fits = {t.name: t.fits for t in _tiers()}[name]
    assert advice.reason == f"{name} covers {seats} seats and is right for: {fits}"


@pytest.mark.parametrize("seats", [201, 499, 0])
def test_recommend_tier_when_no_tier_fits(seats):
    advice = recommend_tier(_tiers(), seats)
    assert (advice.tier_id, advice.tier_name) == (None, "")
    assert advice.reason == f"No tier covers {seats} seats; talk to the product manager."


def test_recommend_tier_without_tiers():
    assert recommend_tier([], 5).tier_name == ""


def test_recommend_tier_equal_price_goes_by_position():
    tiers = [PriceTier(name="B", price=D(10), min_seats=1, max_seats=None, position=2, fits="x"),
             PriceTier(name="A", price=D(10), min_seats=1, max_seats=None, position=1, fits="x")]
    assert recommend_tier(tiers, 3).tier_name == "A"


# --- S6 positioning -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "seconds"), [
    ("", 0),
    ("one two three", 1.2),                         # 3 words at 150 a minute
    (" ".join(["word"] * 150), 60),
    (" ".join(["word"] * 151), 60.4),
    ("帮助零售商减少缺货", 2.16),                    # 9 characters at 250 a minute
    ("你好，世界。", 0.96),                          # punctuation is not spoken
    ("Atlas 帮助零售商", 1.6),                       # 1 word + 5 characters
    ("Atlas's AI-driven re-stock, 24/7!", 2.0),     # Atlas's, AI-driven, re-stock, 24, 7
])
def test_speaking_seconds(text, seconds):
    assert speaking_seconds(text) == pytest.approx(seconds)


def _check(text, features=(), brand=()):
    return {c.rule: (c.ok, c.message)
            for c in check_statement(text, feature_names=features, brand_words=brand)}


def test_short_rule():
    assert _check(" ".join(["word"] * 150))["short"] == (
        True, "About 60 seconds to say — fits in one minute.")
    assert _check(" ".join(["word"] * 151))["short"] == (
        False, "About 61 seconds to say — cut it to one minute.")
    assert _check("")["short"] == (False, "Empty statement.")
    assert _check("缺" * 250)["short"] == (True, "About 60 seconds to say — fits in one minute.")
    assert _check("缺" * 251)["short"] == (False, "About 61 seconds to say — cut it to one minute.")


@pytest.mark.parametrize(("text", "features", "expected"), [
    ("Atlas helps retailers reduce stock-outs.", (),
     (True, "Leads with benefits (reduce, helps).")),
    ("Atlas has a dashboard and supports an API.", (),
     (False, "Talks about features (supports, has, dashboard, api) more than what the customer gains.")),
    ("Smart Reorder helps you.", ("Smart Reorder",), (True, "Leads with benefits (helps).")),
    ("Smart Reorder includes a dashboard that helps you.", ("Smart Reorder",),
     (False, "Talks about features (includes, dashboard, Smart Reorder) more than what the customer gains.")),
    ("Atlas is a retail product.", (), (False, "Say what the customer gains (saves, grows, reduces …).")),
    ("Helpful reductions.", (), (False, "Say what the customer gains (saves, grows, reduces …).")),
    ("帮助零售商减少缺货", (), (True, "Leads with benefits (减少, 帮助, 帮).")),
    ("内置报表模块，支持多门店", (), (False, "Talks about features (支持, 模块, 内置) more than what the customer gains.")),
])
def test_benefit_over_feature_rule(text, features, expected):
    assert _check(text, features=features)["benefit"] == expected


@pytest.mark.parametrize(("text", "brand", "expected"), [
    ("Effortless restocking for every store.", ["Effortless", "calm"],
     (True, "Uses brand-voice words: Effortless.")),
    ("effortless and CALM restocking.", ["Effortless", "calm"],
     (True, "Uses brand-voice words: Effortless, calm.")),
    ("Restocking for every store.", ["Effortless", "calm"],
     (False, "Use at least one brand-voice word: Effortless, calm.")),
    ("Calmness is not calm-free.", ["calmness"], (True, "Uses brand-voice words: calmness.")),
    ("Recalm the shelves.", ["calm"], (False, "Use at least one brand-voice word: calm.")),
    ("让门店安心补货", ["安心"], (True, "Uses brand-voice words: 安心.")),
    ("Restocking.", [], (False, "The product has no brand-voice words yet.")),
])
def test_brand_voice_rule(text, brand, expected):
    assert _check(text, brand=brand)["voice"] == expected


def test_check_statement_returns_the_three_rules_in_order():
    checks = check_statement("Atlas helps you.", brand_words=["Atlas"])
    assert [c.rule for c in checks] == ["short", "benefit", "voice"]
    assert [c.ok for c in checks] == [True, True, True]


# --- word lists (brand voice, success KPIs) ------------------------------------------------

@pytest.mark.parametrize(("value", "error"), [
    ([], None),
    (["calm", "安心", "self-serve"], None),
    (["x" * 60], None),
    ("calm", "Give a list of words."),
    ({"calm": 1}, "Give a list of words."),
    (None, "Give a list of words."),
    (["calm", 3], "Item 2 must be a non-empty text."),
    (["calm", ""], "Item 2 must be a non-empty text."),
    (["   "], "Item 1 must be a non-empty text."),
    ([["calm"]], "Item 1 must be a non-empty text."),
    (["x" * 61], "Item 1 is longer than 60 characters."),
    (["calm", "<b>bold</b>"], "Item 2 contains HTML tags; write plain text."),
])
def test_word_list_error(value, error):
    assert word_list_error(value) == error
