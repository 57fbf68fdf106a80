"""O4 scoring and O8 growth curve: pure functions, values computed by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from marketdesk.events import curve, scoring

KEYS = scoring.CRITERION_KEYS


def by_key(*values):
    return dict(zip(KEYS, values, strict=True))


EQUAL = by_key(1, 1, 1, 1, 1, 1)


def test_six_criteria_of_the_seed_in_order():
    assert KEYS == ("topic_fit", "organiser", "attendees", "cost_effectiveness", "references",
                    "other")
    assert scoring.DEFAULT_WEIGHTS == {k: Decimal(1) for k in KEYS}


@pytest.mark.parametrize(("weights", "scores", "expected"), [
    # (5+4+3+2+1+0) / 6 × 20 = 50
    (EQUAL, by_key(5, 4, 3, 2, 1, 0), Decimal("50.00")),
    (EQUAL, by_key(5, 5, 5, 5, 5, 5), Decimal("100.00")),
    (EQUAL, by_key(0, 0, 0, 0, 0, 0), Decimal("0.00")),
    # (3·5 + 2·4 + 1·3 + 1·2 + 1·1 + 0·0) / 8 × 20 = 29 / 8 × 20 = 72.5
    (by_key(3, 2, 1, 1, 1, 0), by_key(5, 4, 3, 2, 1, 0), Decimal("72.50")),
    # (1 + 1 + 2) / 3 × 20 = 26.666… → 26.67 (half up)
    (by_key(1, 1, 1, 0, 0, 0), by_key(1, 1, 2, 5, 5, 5), Decimal("26.67")),
    # (0.5·4 + 1.5·2 + 5 + 3 + 3 + 3) / 6 × 20 = 19 / 6 × 20 = 63.333… → 63.33
    (by_key("0.5", "1.5", 1, 1, 1, 1), by_key(4, 2, 5, 3, 3, 3), Decimal("63.33")),
    # one criterion only: 3 / 1 × 20
    (by_key(0, 0, 0, 0, 0, 2), by_key(5, 5, 5, 5, 5, 3), Decimal("60.00")),
])
def test_weighted_score(weights, scores, expected):
    assert scoring.weighted_score(scores, weights) == expected


def test_score_is_none_until_every_criterion_is_scored():
    scores = by_key(5, 4, 3, 2, 1, 0)
    scores["references"] = None
    assert scoring.weighted_score(scores, EQUAL) is None


def test_bad_scores_and_weights_raise_instead_of_guessing():
    with pytest.raises(ValueError, match="bad scores"):
        scoring.weighted_score(by_key(6, 4, 3, 2, 1, 0), EQUAL)
    with pytest.raises(ValueError, match="bad weights"):
        scoring.weighted_score(by_key(5, 4, 3, 2, 1, 0), by_key(0, 0, 0, 0, 0, 0))


@pytest.mark.parametrize(("weights", "errors"), [
    (EQUAL, {}),
    (by_key(1, -1, 1, 1, 1, 1), {"organiser": "A weight cannot be negative."}),
    (by_key(0, 0, 0, 0, 0, 0), {"__all__": "At least one weight must be greater than zero."}),
    (by_key("abc", 1, 1, 1, 1, "NaN"), {"topic_fit": "A weight must be a number.",
                                        "other": "A weight must be a number."}),
    (by_key(1, 1, 1, 1, 1, "Infinity"), {"other": "A weight must be a number."}),
    ({k: 1 for k in KEYS[:5]}, {"other": "Give a weight."}),
    ({**EQUAL, "venue": 2}, {"venue": "Unknown criterion."}),
])
def test_weight_validation(weights, errors):
    assert scoring.weight_errors(weights) == errors


@pytest.mark.parametrize(("scores", "errors"), [
    (by_key(0, 1, 2, 3, 4, 5), {}),
    (by_key(6, 1, 2, 3, 4, 5), {"topic_fit": "A score is a whole number from 0 to 5."}),
    (by_key(-1, 1, 2, 3, 4, 5), {"topic_fit": "A score is a whole number from 0 to 5."}),
    (by_key(True, 1, 2, 3, 4, 2.5), {"topic_fit": "A score is a whole number from 0 to 5.",
                                     "other": "A score is a whole number from 0 to 5."}),
    ({k: 1 for k in KEYS[1:]}, {"topic_fit": "Score every criterion from 0 to 5."}),
])
def test_score_validation(scores, errors):
    assert scoring.score_errors(scores) == errors


def test_checks_summary_counts_answers_and_treats_missing_as_unknown():
    answers = {"competitor_present": "yes", "organiser_background": "no",
               "past_influence": "yes"}
    assert scoring.checks_summary(answers) == {"yes": 2, "no": 1, "unknown": 2}


def test_rank_score_desc_then_start_date_then_unscored_last():
    items = [
        ("unscored-early", None, dt.date(2027, 1, 1)),
        ("fifty-late", Decimal("50"), dt.date(2027, 9, 1)),
        ("eighty", Decimal("80"), dt.date(2027, 12, 1)),
        ("fifty-early", Decimal("50"), dt.date(2027, 3, 1)),
        ("unscored-late", None, dt.date(2027, 2, 1)),
    ]
    ranked = scoring.rank(items, score=lambda i: i[1], start=lambda i: i[2])
    assert [i[0] for i in ranked] == ["eighty", "fifty-early", "fifty-late", "unscored-early",
                                      "unscored-late"]


# --- O8: the expected growth curve ---------------------------------------------------------

START = dt.date(2027, 6, 15)
WARMUP = dt.date(2027, 6, 1)  # 15 warm-up days, both ends included


def test_warmup_days_and_day_index():
    assert curve.warmup_days(WARMUP, START) == 15
    assert curve.day_index(WARMUP, dt.date(2027, 6, 5)) == 5


@pytest.mark.parametrize(("target", "index", "exponent", "expected"), [
    (150, 5, Decimal(1), Decimal("50.00")),        # a straight line: 150 × 5/15
    (150, 3, Decimal(2), Decimal("6.00")),         # 150 × (3/15)² = 150 × 0.04
    (200, 15, Decimal("1.6"), Decimal("200.00")),  # the whole target on the start day
    (200, 5, Decimal("1.6"), Decimal("34.49")),    # 200 × (1/3)^1.6 = 34.4855
    (200, 0, Decimal("1.6"), Decimal("0.00")),     # before the warm-up
    (200, 20, Decimal("1.6"), Decimal("200.00")),  # after the start: clamped to the target
])
def test_expected_cumulative(target, index, exponent, expected):
    assert curve.expected_cumulative(target, index, 15, exponent) == expected


@pytest.mark.parametrize(("actual", "below"), [(39, True), (40, False), (55, False)])
def test_status_below_the_curve_by_more_than_the_tolerance(actual, below):
    status = curve.status(target=150, warmup_start=WARMUP, event_start=START,
                          day=dt.date(2027, 6, 5), actual=actual, exponent=Decimal(1),
                          tolerance=Decimal(20))
    assert (status.index, status.days, status.expected, status.floor) == (
        5, 15, Decimal("50.00"), Decimal("40.00"))
    assert status.shortfall == Decimal("50.00") - actual
    assert status.below is below


def test_nothing_is_expected_before_the_warmup():
    status = curve.status(target=150, warmup_start=WARMUP, event_start=START,
                          day=dt.date(2027, 5, 30), actual=0)
    assert (status.index, status.expected, status.below) == (-1, Decimal("0.00"), False)


def test_curve_points_cover_every_warmup_day():
    points = curve.curve(150, WARMUP, START, Decimal(1))
    assert len(points) == 15
    assert (points[0].day, points[0].expected) == (WARMUP, Decimal("10.00"))
    assert (points[-1].day, points[-1].expected) == (START, Decimal("150.00"))
