"""O8 — the expected registration growth curve of the warm-up period (宣发期), pure.

Seed 003: "保证报名率在正常增长范围，否则需加强宣发计划" — registrations must grow within
the normal range, otherwise publicity is stepped up. The normal range is modelled as a
power curve that starts slowly and accelerates towards the event, as registrations do:

    warm-up days   N = (event start − warm-up start) + 1      (both days included)
    day index      i = (day − warm-up start) + 1              (1 … N)
    expected(i)    = target × (i / N) ^ k                     (k = 1.6 by default)

so the whole target is expected on the event's start day. The day is *below the curve*
when the actual cumulative registrations are lower than the expected value by more than
the tolerance (a percentage of the expected value, 20 % by default):

    below  ⇔  actual < expected × (1 − tolerance / 100)

Values are Decimals rounded half up to two places. Nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_EXPONENT = Decimal("1.6")
DEFAULT_TOLERANCE = Decimal("20")
DEFAULT_WARMUP_DAYS = 14  # warm-up starts two weeks before the event (O7 execution plan)
CENT = Decimal("0.01")


def warmup_days(warmup_start: dt.date, event_start: dt.date) -> int:
    return (event_start - warmup_start).days + 1


def day_index(warmup_start: dt.date, day: dt.date) -> int:
    return (day - warmup_start).days + 1


def expected_cumulative(target: int, index: int, days: int, exponent: Decimal) -> Decimal:
    """Expected cumulative registrations on day ``index`` of ``days`` (clamped to 0…N)."""
    if days < 1 or target <= 0 or index < 1:
        return Decimal("0.00")
    index = min(index, days)
    share = (Decimal(index) / Decimal(days)) ** Decimal(exponent)
    return (Decimal(target) * share).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CurvePoint:
    day: dt.date
    index: int
    expected: Decimal


def curve(target: int, warmup_start: dt.date, event_start: dt.date,
          exponent: Decimal = DEFAULT_EXPONENT) -> list[CurvePoint]:
    days = warmup_days(warmup_start, event_start)
    return [
        CurvePoint(warmup_start + dt.timedelta(days=i - 1), i,
                   expected_cumulative(target, i, days, exponent))
        for i in range(1, days + 1)
    ]


@dataclass(frozen=True)
class CurveStatus:
    day: dt.date
    index: int
    days: int
    expected: Decimal
    floor: Decimal  # the lowest cumulative count still inside the tolerance
    actual: int
    shortfall: Decimal  # expected − actual (negative when ahead of the curve)
    below: bool


def status(*, target: int, warmup_start: dt.date, event_start: dt.date, day: dt.date,
           actual: int, exponent: Decimal = DEFAULT_EXPONENT,
           tolerance: Decimal = DEFAULT_TOLERANCE) -> CurveStatus:
    """Where ``actual`` cumulative registrations on ``day`` stand against the curve.

    Outside the warm-up period (before its first day) nothing is expected, so nothing
    can be below the curve; after the event start the whole target is expected."""
    days = warmup_days(warmup_start, event_start)
    index = day_index(warmup_start, day)
    expected = expected_cumulative(target, index, days, exponent)
    floor = (expected * (1 - Decimal(tolerance) / 100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return CurveStatus(
        day=day, index=index, days=days, expected=expected, floor=floor, actual=actual,
        shortfall=expected - actual, below=index >= 1 and expected > 0 and actual < floor,
    )
