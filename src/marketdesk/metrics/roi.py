"""Return on investment per campaign, channel, event or content (DOMAIN F3, O16).

ROI = (return − cost) / cost, where
- cost = the ``spend`` facts of the key with their time in [start, end) (a spend row
  without a value of the dimension is "(none)"), plus ``extra_costs`` supplied by the
  caller (e.g. the events app's cost lines: ``dimensions.event_costs()``);
- return = the revenue (closed-won deals closed in [start, end)) credited to the key by
  the attribution ``model`` (attribution.py; the same touch-window join);
- roi is None when the cost is 0 (no division by zero, never an infinite ROI).
Keys: ``campaign`` / ``channel`` = the touch's and the spend row's column, ``event`` =
``event_ref``, ``content`` = ``content_id``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from marketdesk.metrics import attribution
from marketdesk.metrics.schema import NONE_LABEL

BY = ("campaign", "channel", "event", "content")


@dataclass(frozen=True)
class RoiResult:
    by: str
    model: str
    #: {"key", "cost", "return", "roi"} per key, sorted by key; roi None when cost is 0
    rows: list[dict]
    sql: str


def _extra(extra_costs) -> dict[str, float]:
    """Caller-supplied cost lines as key → amount: a list of {"key", "amount"} or a mapping."""
    if extra_costs is None:
        return {}
    items = (list(extra_costs.items()) if isinstance(extra_costs, Mapping)
             else [(None, row) for row in extra_costs])
    totals: dict[str, float] = {}
    for position, (key, row) in enumerate(items, start=1):
        if key is None:
            if not isinstance(row, Mapping) or set(row) != {"key", "amount"}:
                raise ValueError(f"extra_costs: row {position} must have exactly the fields "
                                 f"key and amount (got {row!r})")
            key, amount = row["key"], row["amount"]
        else:
            amount = row
        if key is not None and not isinstance(key, str):
            raise ValueError(f"extra_costs: row {position} key must be a string (got {key!r})")
        if (isinstance(amount, bool) or not isinstance(amount, int | float)
                or not math.isfinite(amount) or amount < 0):
            raise ValueError(f"extra_costs: row {position} amount must be a number ≥ 0 "
                             f"(got {amount!r})")
        label = NONE_LABEL if key is None else key
        totals[label] = totals.get(label, 0.0) + float(amount)
    return totals


def spend_expression(con, *, by: str, start=None, end=None) -> ir.Table:
    """skey, cost: the spend facts per key."""
    s = con.table("spend")
    if start is not None:
        s = s.filter(s.ts >= attribution._utc(start))
    if end is not None:
        s = s.filter(s.ts < attribution._utc(end))
    column = attribution.DIMENSIONS[by]
    return s.group_by(skey=ibis.coalesce(s[column], ibis.literal(NONE_LABEL))).aggregate(
        cost=s.amount.sum().cast("float64"))


def expression(con, *, by: str = "campaign", model: str = "linear", start=None,
               end=None) -> ir.Table:
    """key, cost, return for a rule-based ``model`` (one query: credits ⟗ spend)."""
    credits = attribution.rule_expression(con, conversion="revenue", by=by, models=(model,),
                                          start=start, end=end)
    credits = credits.select(ckey=credits.key, ret=credits[model])
    spend = spend_expression(con, by=by, start=start, end=end)
    joined = credits.outer_join(spend, credits.ckey == spend.skey)
    return joined.select(key=ibis.coalesce(joined.ckey, joined.skey),
                         cost=joined.cost.fill_null(attribution._f(0.0)),
                         **{"return": joined.ret.fill_null(attribution._f(0.0))}).order_by("key")


def run(con, *, by: str = "campaign", model: str = "linear", start=None, end=None,
        extra_costs: Sequence[Mapping] | Mapping[str, float] | None = None) -> RoiResult:
    """ROI per key of ``by`` with the return credited by ``model`` (F3)."""
    if by not in BY:
        raise ValueError(f"by: unknown dimension {by!r} (use one of {', '.join(BY)})")
    if model not in attribution.MODELS:
        raise ValueError(f"model: unknown attribution model {model!r} "
                         f"(use one of {', '.join(attribution.MODELS)})")
    extra = _extra(extra_costs)
    if model == "markov":
        result = attribution.run(con, conversion="revenue", by=by, models=("markov",),
                                 start=start, end=end)
        spend = spend_expression(con, by=by, start=start, end=end)
        sql = result.sql + ";\n" + str(ibis.to_sql(spend))
        returns = {c["key"]: c["markov"] for c in result.credits}
        costs = {r["skey"]: r["cost"] for r in spend.to_pyarrow().to_pylist()}
    else:
        table = expression(con, by=by, model=model, start=start, end=end)
        sql = str(ibis.to_sql(table))
        fetched = table.to_pyarrow().to_pylist()
        returns = {r["key"]: r["return"] for r in fetched}
        costs = {r["key"]: r["cost"] for r in fetched}
    rows = []
    for key in sorted(set(returns) | set(costs) | set(extra)):
        cost = float(costs.get(key) or 0.0) + extra.get(key, 0.0)
        ret = float(returns.get(key) or 0.0)
        rows.append({"key": key, "cost": cost, "return": ret,
                     "roi": (ret - cost) / cost if cost else None})
    return RoiResult(by=by, model=model, rows=rows, sql=sql)
