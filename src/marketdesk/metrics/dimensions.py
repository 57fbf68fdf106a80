"""The small published interface from the metrics engine to other apps' records
(DESIGN: metrics reads dimension tables through it, never another app's internals).

Read-only querysets over ``strategy`` (target-market sizes, F4) and ``events`` (cost lines,
for event ROI, F3); nothing here imports another app's views or API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

#: How an event of the events app is named in the facts (``touchpoints.event_ref``,
#: ``spend.event_ref``): "event-<id>" — the tracking snippet and imports use the same.
EVENT_REF_PREFIX = "event-"


def event_ref(event_id: int) -> str:
    return f"{EVENT_REF_PREFIX}{event_id}"


@dataclass(frozen=True)
class MarketSizeRow:
    product: str
    year: int
    target_customers: int


def market_sizes(*, year: int | None = None) -> list[MarketSizeRow]:
    """F4: per product (by name), the target-market size in customers of its latest year
    on record (not after ``year`` when given), summed over segments and regions (S2)."""
    from django.db.models import Sum  # noqa: PLC0415

    from marketdesk.strategy.models import MarketSize  # noqa: PLC0415

    rows = MarketSize.objects.all()
    if year is not None:
        rows = rows.filter(year__lte=year)
    totals = (rows.values("product__name", "year").annotate(total=Sum("target_customers"))
              .order_by("product__name", "-year"))
    latest: dict[str, MarketSizeRow] = {}
    for row in totals:
        name = row["product__name"]
        if name in latest:
            if latest[name].year == row["year"]:  # two teams' products of one name
                latest[name] = MarketSizeRow(name, row["year"],
                                             latest[name].target_customers + row["total"])
            continue
        latest[name] = MarketSizeRow(name, row["year"], int(row["total"]))
    return sorted(latest.values(), key=lambda r: r.product)


def event_costs() -> dict[str, float]:
    """F3: the cost of each event of the events app (O6 cost lines: the actual amount
    where recorded, else the planned one), keyed by its ``event_ref``."""
    from django.db.models import Sum  # noqa: PLC0415
    from django.db.models.functions import Coalesce  # noqa: PLC0415

    from marketdesk.events.models import CostLine  # noqa: PLC0415

    totals = (CostLine.objects.values("event_id")
              .annotate(cost=Sum(Coalesce("actual_amount", "planned_amount")))
              .order_by("event_id"))
    return {event_ref(row["event_id"]): float(row["cost"] or Decimal(0)) for row in totals}
