"""Funnels over lifecycle stages or touchpoint events (DOMAIN K7 lead → MQL → opportunity
→ customer, K6; issue 4 "Funnels and attribution").

Rules (docs/user-guide/metrics.md repeats them):

- A step is a lifecycle stage (``"mql"``) or ``"touch:<event_type>"`` (a touchpoint of
  that type; its person is the stitched person key, decision 0006 — touches of a visitor
  never identified are not counted).
- Counted by person. A person enters at their earliest first-step event (ts, then
  event_id); the entry must fall in [start, end). Each later step is reached at the
  person's earliest event of that step strictly after the previous step's time and at
  most ``window_days`` after the entry (strict order; a step skipped means the person
  stops there).
- Noise in the seed data is handled by those rules, deterministically: a duplicated
  stage row changes nothing (the earliest qualifying row counts); a back-dated row of a
  later stage (before the previous step) does not count — a later genuine row does; a
  back-dated first-step row moves the entry earlier (it is the earliest one).
- ``by`` = channel | campaign of the person's true first touch (ts, event_id) — a first
  touch without a value, or a person without any touch, is "(none)"; never the first
  touch that happens to have a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from marketdesk.metrics import attribution
from marketdesk.metrics.schema import EVENT_TYPES, LIFECYCLE_STAGES, NONE_LABEL

DEFAULT_STEPS = ("lead", "mql", "opportunity", "customer")
DEFAULT_WINDOW_DAYS = 90
BREAKDOWNS = ("channel", "campaign")
TOUCH_PREFIX = "touch:"


@dataclass(frozen=True)
class FunnelResult:
    steps: tuple[str, ...]
    counts: list[int]
    #: step-to-step rates: rates[0] is None (no previous step), rates[k] = counts[k] / counts[k-1]
    rates: list[float | None]
    #: last step / first step
    overall: float | None
    #: per key when ``by`` is given: {"key": ..., "counts": [...], "rates": [...], "overall": ...}
    breakdown: list[dict]
    sql: str


def _check(steps: Sequence[str], window_days, by, start, end) -> tuple[str, ...]:
    steps = tuple(steps)
    if len(steps) < 2:
        raise ValueError("steps: a funnel needs at least two steps")
    for position, step in enumerate(steps, start=1):
        if not isinstance(step, str):
            raise ValueError(f"steps: step {position} must be a string (got {step!r})")
        if step.startswith(TOUCH_PREFIX):
            if step[len(TOUCH_PREFIX):] not in EVENT_TYPES:
                raise ValueError(f"steps: step {position} {step!r} names an unknown event type "
                                 f"(use one of {', '.join(EVENT_TYPES)})")
        elif step not in LIFECYCLE_STAGES:
            raise ValueError(f"steps: step {position} {step!r} is neither a lifecycle stage "
                             f"({', '.join(LIFECYCLE_STAGES)}) nor touch:<event_type>")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError(f"window_days: must be a whole number of days ≥ 1 (got {window_days!r})")
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"by: unknown breakdown {by!r} (use one of {', '.join(BREAKDOWNS)})")
    for name, value in (("start", start), ("end", end)):
        if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
            raise ValueError(f"{name}: must be a timezone-aware datetime (got {value!r})")
    if start is not None and end is not None and start >= end:
        raise ValueError(f"start: must be before end ({start.isoformat()} ≥ {end.isoformat()})")
    return steps


def _events(con, step: str) -> ir.Table:
    """person, ts, event_id of every event that counts for ``step``."""
    if step.startswith(TOUCH_PREFIX):
        t = attribution.touches(con, columns=["event_type"])
        t = t.filter(t.event_type == step[len(TOUCH_PREFIX):])
        return t.select("person", "ts", "event_id")
    lc = con.table("lifecycle")
    lc = lc.filter((lc.stage == step) & lc.person_id.notnull())
    return lc.select(person=lc.person_id, ts=lc.ts, event_id=lc.event_id)


def first_touch_keys(con, by: str) -> ir.Table:
    """ftperson, ftkey: the value of ``by`` on each person's true first touch (ts,
    event_id), "(none)" when that touch has none — never a later touch that has one."""
    column = attribution.DIMENSIONS[by]
    t = attribution.touches(con, columns=[column])
    t = t.mutate(_rn=ibis.row_number().over(group_by=t.person, order_by=[t.ts, t.event_id]))
    t = t.filter(t._rn == 0)
    return t.select(ftperson=t.person, ftkey=ibis.coalesce(t[column], ibis.literal(NONE_LABEL)))


def expression(con, *, steps: Sequence[str] = DEFAULT_STEPS,
               window_days: int = DEFAULT_WINDOW_DAYS, by: str | None = None,
               start=None, end=None) -> ir.Table:
    """One row per key (a single row without ``by``): ``key`` (with ``by``) and
    ``step_1`` … ``step_n``, the persons reaching each step."""
    steps = _check(steps, window_days, by, start, end)
    first = _events(con, steps[0])
    first = first.mutate(_rn=ibis.row_number().over(group_by=first.person,
                                                     order_by=[first.ts, first.event_id]))
    first = first.filter(first._rn == 0)
    reached = first.select(person=first.person, entry=first.ts, at_1=first.ts)
    if start is not None:
        reached = reached.filter(reached.entry >= attribution._utc(start))
    if end is not None:
        reached = reached.filter(reached.entry < attribution._utc(end))
    persons = reached
    window = ibis.interval(days=window_days)
    previous = reached.select(person=reached.person, entry=reached.entry, at=reached.at_1)
    for k, step in enumerate(steps[1:], start=2):
        events = _events(con, step)
        events = events.semi_join(persons, events.person == persons.person)
        joined = events.inner_join(previous, [events.person == previous.person,
                                              events.ts > previous.at,
                                              events.ts <= previous.entry + window])
        hit = joined.group_by(person=joined.person).aggregate(entry=joined.entry.min(),
                                                             at=joined.ts.min())
        step_at = hit.select(**{f"p_{k}": hit.person, f"at_{k}": hit.at})
        persons = persons.left_join(step_at, persons.person == step_at[f"p_{k}"]).drop(f"p_{k}")
        previous = hit
    if by is not None:
        keys = first_touch_keys(con, by)
        persons = persons.left_join(keys, persons.person == keys.ftperson)
        persons = persons.mutate(key=ibis.coalesce(persons.ftkey, ibis.literal(NONE_LABEL)))
        group = ["key"]
    else:
        group = []
    counts = {f"step_{k}": persons[f"at_{k}"].count() for k in range(1, len(steps) + 1)}
    if group:
        return persons.group_by(group).aggregate(**counts).order_by("key")
    return persons.aggregate(**counts)


def _rates(counts: list[int]) -> tuple[list[float | None], float | None]:
    rates: list[float | None] = [None]
    for before, after in zip(counts, counts[1:], strict=False):
        rates.append(after / before if before else None)
    return rates, (counts[-1] / counts[0] if counts[0] else None)


def run(con, *, steps: Sequence[str] = DEFAULT_STEPS, window_days: int = DEFAULT_WINDOW_DAYS,
        by: str | None = None, start=None, end=None) -> FunnelResult:
    """The funnel's counts per step (and per key of ``by``), with step-to-step rates."""
    steps = _check(steps, window_days, by, start, end)
    table = expression(con, steps=steps, window_days=window_days, by=by, start=start, end=end)
    sql = str(ibis.to_sql(table))
    rows = table.to_pyarrow().to_pylist()
    columns = [f"step_{k}" for k in range(1, len(steps) + 1)]
    counts = [0] * len(steps)
    breakdown = []
    for row in rows:
        row_counts = [int(row[c] or 0) for c in columns]
        counts = [a + b for a, b in zip(counts, row_counts, strict=True)]
        if by is not None:
            rates, overall = _rates(row_counts)
            breakdown.append({"key": row["key"], "counts": row_counts, "rates": rates,
                              "overall": overall})
    rates, overall = _rates(counts)
    return FunnelResult(steps=steps, counts=counts, rates=rates, overall=overall,
                        breakdown=breakdown, sql=sql)
