"""S7 pricing rules: discount steps (seed 001 §5) and the right tier per customer (seed 000)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

#: Money is rounded to the cent, half up (四舍五入), as invoices are.
CENT = Decimal("0.01")


def _number(value) -> Decimal | None:
    """A finite JSON number as a Decimal; None for anything else (text, true/false, NaN)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


def validate_steps(ratio_type: str, steps) -> None:
    """Fixed: exactly one step. Progressive: ≥ 2 steps, ``from`` strictly rising, percent
    not falling. Every percent in (0, 100]."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError({"steps": _("Give at least one step, e.g. [{\"from\": 0, \"percent\": 5}].")})
    previous_from, previous_pct = None, None
    for i, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or set(step) != {"from", "percent"}:
            raise ValidationError({"steps": _("Step %(n)s must have exactly the keys \"from\" and \"percent\".") % {"n": i}})
        start, pct = _number(step["from"]), _number(step["percent"])
        if start is None or pct is None:
            raise ValidationError({"steps": _("Step %(n)s: \"from\" and \"percent\" must be numbers.") % {"n": i}})
        if start < 0:
            raise ValidationError({"steps": _("Step %(n)s: \"from\" must not be negative.") % {"n": i}})
        if not (0 < pct <= 100):
            raise ValidationError({"steps": _("Step %(n)s: the percent must be above 0 and at most 100.") % {"n": i}})
        if previous_from is not None and start <= previous_from:
            raise ValidationError({"steps": _("Step %(n)s: \"from\" must be above the previous step's.") % {"n": i}})
        if previous_pct is not None and pct < previous_pct:
            raise ValidationError({"steps": _("Step %(n)s: a progressive ratio must not fall.") % {"n": i}})
        previous_from, previous_pct = start, pct
    if ratio_type == "fixed" and len(steps) != 1:
        raise ValidationError({"steps": _("A fixed ratio has exactly one step.")})
    if ratio_type == "progressive" and len(steps) < 2:
        raise ValidationError({"steps": _("A progressive ratio needs at least two steps.")})


def discount_amount(ratio_type: str, steps: list[dict], amount: Decimal) -> Decimal:
    """The amount rebated or deducted on ``amount``.

    Fixed ratio: ``amount × percent``. Progressive ratio (累进比率): each band of the amount
    above a step's ``from`` is charged that step's percent, like progressive tax brackets.
    """
    amount = Decimal(amount)
    ordered = sorted(steps, key=lambda s: Decimal(str(s["from"])))
    if ratio_type == "fixed":
        step = ordered[0]
        total = amount * Decimal(str(step["percent"])) / 100 if amount >= Decimal(str(step["from"])) else Decimal(0)
        return total.quantize(CENT, rounding=ROUND_HALF_UP)
    total = Decimal(0)
    for i, step in enumerate(ordered):
        lower = Decimal(str(step["from"]))
        upper = Decimal(str(ordered[i + 1]["from"])) if i + 1 < len(ordered) else None
        if amount <= lower:
            break
        band = (min(amount, upper) if upper is not None else amount) - lower
        total += band * Decimal(str(step["percent"])) / 100
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TierAdvice:
    tier_id: int | None
    tier_name: str
    reason: str


def recommend_tier(tiers, seats: int) -> TierAdvice:
    """The cheapest tier whose seat range holds ``seats`` (seed 000: sales recommends the
    range that fits the customer best)."""
    fitting = [t for t in tiers if t.min_seats <= seats and (t.max_seats is None or seats <= t.max_seats)]
    if not fitting:
        return TierAdvice(None, "", _("No tier covers %(n)s seats; talk to the product manager.") % {"n": seats})
    best = min(fitting, key=lambda t: (t.price, t.position, t.pk or 0))
    return TierAdvice(best.pk, best.name, _("%(name)s covers %(n)s seats and is right for: %(fits)s") % {
        "name": best.name, "n": seats, "fits": best.fits})
