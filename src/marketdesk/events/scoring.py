"""O4 — the event evaluation system (活动评估体系) of seed 003, as pure functions.

The seed names six criteria. Each is scored 0–5 by the evaluator; the team weighs them
(``TeamScoringWeights``); the event's score is the weighted mean scaled to 0–100:

    score = Σ wᵢ·sᵢ / Σ wᵢ × 20

Default weights are equal (1 each): the seed lists the criteria without ranking them, so
no criterion is favoured until a team decides otherwise. Weights must be non-negative,
finite and sum to more than zero. An event is ranked by score (highest first), then by
start date (soonest first); events not yet evaluated come after every evaluated one.

Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

MIN_SCORE = 0
MAX_SCORE = 5
SCALE = Decimal(100) / MAX_SCORE  # 0–5 → 0–100
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    guide: str  # what the seed says the criterion judges


# O4: the six criteria of seed 003 (活动评估体系搭建), in the seed's order.
CRITERIA: tuple[Criterion, ...] = (
    Criterion("topic_fit", _("Topic fit"), _(
        "活动主题 — does the theme fit our products (how well the audience matches the leads "
        "we want)?")),
    Criterion("organiser", _("Organiser"), _(
        "主办方 — the organiser's industry strength, influence and state backing.")),
    Criterion("attendees", _("Attendees"), _(
        "参会人员 — the speaker list and the list of attending companies.")),
    Criterion("cost_effectiveness", _("Cost-effectiveness"), _(
        "性价比 — input vs output: the price against the industry price and the expected "
        "return.")),
    Criterion("references", _("References"), _(
        "参考 — competitors or industry leaders attending, media or partner recommendations, "
        "sponsored before.")),
    Criterion("other", _("Other"), _(
        "其他 — headcount, location (the regions the business wants to reach, tier-1 and "
        "tier-2 cities), plan design.")),
)
CRITERION_KEYS: tuple[str, ...] = tuple(c.key for c in CRITERIA)
DEFAULT_WEIGHTS: Mapping[str, Decimal] = {key: Decimal(1) for key in CRITERION_KEYS}


@dataclass(frozen=True)
class Check:
    key: str
    label: str


# O4: the participation checks of seed 003 (标准: 竞品是否参与, 主办方背景, 活动历史影响力,
# 业务部门评估拓客价值, 性价比), each answered yes / no / unknown.
CHECKS: tuple[Check, ...] = (
    Check("competitor_present", _("Competitors take part")),
    Check("organiser_background", _("Organiser background is sound (e.g. state backing)")),
    Check("past_influence", _("The event had influence in past editions")),
    Check("business_value", _("The business department rates the lead value as worth it")),
    Check("cost_effective", _("Cost-effective")),
)
CHECK_KEYS: tuple[str, ...] = tuple(c.key for c in CHECKS)
YES, NO, UNKNOWN = "yes", "no", "unknown"


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def weight_errors(weights: Mapping[str, object]) -> dict[str, str]:
    """Why these weights cannot be used ({criterion or "__all__": reason}); empty if fine."""
    errors: dict[str, str] = {}
    total = Decimal(0)
    for key in CRITERION_KEYS:
        if key not in weights or weights[key] is None:
            errors[key] = str(_("Give a weight."))
            continue
        number = _decimal(weights[key])
        if number is None:
            errors[key] = str(_("A weight must be a number."))
        elif number < 0:
            errors[key] = str(_("A weight cannot be negative."))
        else:
            total += number
    unknown = sorted(set(weights) - set(CRITERION_KEYS))
    for key in unknown:
        errors[key] = str(_("Unknown criterion."))
    if not errors and total <= 0:
        errors["__all__"] = str(_("At least one weight must be greater than zero."))
    return errors


def score_errors(scores: Mapping[str, object]) -> dict[str, str]:
    """Why these criterion scores are not a complete 0–5 evaluation; empty if fine."""
    errors: dict[str, str] = {}
    for key in CRITERION_KEYS:
        value = scores.get(key)
        if value is None:
            errors[key] = str(_("Score every criterion from 0 to 5."))
        elif isinstance(value, bool) or not isinstance(value, int) or not (
                MIN_SCORE <= value <= MAX_SCORE):
            errors[key] = str(_("A score is a whole number from 0 to 5."))
    return errors


def weighted_score(scores: Mapping[str, int | None], weights: Mapping[str, object]) -> Decimal | None:
    """The 0–100 score (two decimals, half up), or None while any criterion is unscored.

    Raises ValueError for unusable weights or out-of-range scores: callers validate first.
    """
    if any(scores.get(key) is None for key in CRITERION_KEYS):
        return None
    if errors := score_errors(scores):
        raise ValueError(f"bad scores: {errors}")
    if errors := weight_errors(weights):
        raise ValueError(f"bad weights: {errors}")
    w = {key: _decimal(weights[key]) for key in CRITERION_KEYS}
    total = sum(w.values(), Decimal(0))
    weighted = sum((w[key] * scores[key] for key in CRITERION_KEYS), Decimal(0))
    return (weighted / total * SCALE).quantize(CENT, rounding=ROUND_HALF_UP)


def checks_summary(answers: Mapping[str, str]) -> dict[str, int]:
    """How many participation checks are answered yes, no and unknown."""
    tally = {YES: 0, NO: 0, UNKNOWN: 0}
    for key in CHECK_KEYS:
        answer = answers.get(key, UNKNOWN)
        tally[answer if answer in tally else UNKNOWN] += 1
    return tally


def rank_key(score: Decimal | None, start: dt.date | None, tie: int = 0) -> tuple:
    """Sort key: evaluated first, highest score first, then soonest start date."""
    return (
        score is None,
        -(score or Decimal(0)),
        start is None,
        start or dt.date.min,
        tie,
    )


def rank[T](items: Iterable[T], *, score: Callable[[T], Decimal | None],
         start: Callable[[T], dt.date | None], tie: Callable[[T], int] = lambda _x: 0) -> list[T]:
    """The ranked list of O4 (score desc, then start date, then ``tie``)."""
    return sorted(items, key=lambda item: rank_key(score(item), start(item), tie(item)))
