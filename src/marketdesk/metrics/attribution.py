"""Multi-touch attribution of revenue and leads (DOMAIN K10, K3, K6, K7; conventions).

Every rule-based model is computed in ONE query: each conversion is joined to its
eligible touches once, every model's weight is a column of that join, and one group-by
sums ``weight × value`` per key. The Markov model counts its transitions in a second
set-based query and solves the small absorbing chain with numpy.

Definitions (docs/user-guide/metrics.md repeats them for users):

- A touch belongs to ``coalesce(touchpoints.person_id, identity)``, where the identity
  of an anonymous id is the person of its earliest ``identities`` row (ts, event_id).
- Conversions: ``revenue`` = every ``deals`` row with stage ``closed_won`` (ts = close
  time, value = amount, NULL amount = 0); ``leads`` = each person's first ``lifecycle``
  row with stage ``lead`` (value 1). Each conversion is attributed on its own.
- Eligible touches of a conversion at time C: the person's touches with
  ``C − window ≤ ts < C`` (the conversion instant excluded), in (ts, event_id) order, so
  that ties are broken deterministically and the input row order never matters.
- A conversion with no eligible touch is "unattributed", never spread over keys.
- A touch whose dimension value is NULL is credited to "(none)" (schema.NONE_LABEL);
  it is never skipped to reach a touch that has a value.
- Positional models give each *role* a share; a touch holding several roles gets the
  sum of their shares; the touches holding no role share ``1 − (shares of the roles
  present)`` evenly; when every touch holds a role, the role shares are scaled to sum
  to one. Roles (i = position in time order, 1-based, n = eligible touches):
  * u_shaped: first (i = 1) 40 %, last (i = n) 40 % → one touch 100 %, two 50/50,
    else 20 % over the middle touches;
  * w_shaped: first 30 %, lead creation 30 %, opportunity creation 30 %, rest 10 %;
  * full_path: first, lead creation, opportunity creation, closed-won (i = n) 22.5 %
    each, rest 10 %.
  The lead-creation touch is the last eligible touch at or before the person's first
  ``lead`` lifecycle time (likewise ``opportunity``); a role with no such touch (the
  stage never happened, or it happened before the first eligible touch) is absent and
  its share goes to the touches holding no role.
- time_decay: weight ``2^(−(C − ts) / half_life)``, normalised per conversion
  (computed relative to the latest eligible touch, so no weight underflows).
- markov: first-order chain start → key … → conversion | null over the journeys of
  converting persons (the eligible touches of each conversion) and of non-converting
  persons (persons with touches and no conversion of this kind at all; their touches
  in [start − window, end)). Removal effect of a key = 1 − P(conversion without the key)
  / P(conversion); the effects are normalised to shares and multiplied by the value
  of the attributed conversions (DOMAIN conventions: "removal effect" convention).
- Dimensions: channel, campaign, content (= ``content_id``: the content item, the same
  key spend rows carry; utm_content names an ad variant and is not used), event
  (= ``event_ref``, for event ROI).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from marketdesk.metrics.schema import NONE_LABEL

RULE_MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "full_path",
               "time_decay")
MODELS = RULE_MODELS + ("markov",)
CONVERSIONS = ("revenue", "leads")
#: attribution dimension → touchpoints column (spend carries the same columns, F3)
DIMENSIONS = {"channel": "channel", "campaign": "campaign", "content": "content_id",
              "event": "event_ref"}
DEFAULT_WINDOW_DAYS = 90
DEFAULT_HALF_LIFE_DAYS = 7.0

_TS = "timestamp('UTC')"
_LN2 = math.log(2.0)


@dataclass(frozen=True)
class AttributionResult:
    by: str
    conversion: str
    models: tuple[str, ...]
    #: one dict per key, sorted by key: {"key": "email", "first_touch": 123.0, ...}
    credits: list[dict]
    converted_value: float
    attributed_value: float
    unattributed_value: float
    conversions: int
    unattributed_conversions: int
    #: the SQL the rule-based part ran (explain)
    sql: str


# --- Validation ------------------------------------------------------------------------------

def _check(*, conversion: str, by: str, window_days, half_life_days=DEFAULT_HALF_LIFE_DAYS,
           start=None, end=None, models: Sequence[str] = (), allowed=MODELS) -> None:
    if conversion not in CONVERSIONS:
        raise ValueError(f"conversion: unknown {conversion!r} (use one of {', '.join(CONVERSIONS)})")
    if by not in DIMENSIONS:
        raise ValueError(f"by: unknown dimension {by!r} (use one of {', '.join(DIMENSIONS)})")
    if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days < 1:
        raise ValueError(f"window_days: must be a whole number of days ≥ 1 (got {window_days!r})")
    if (isinstance(half_life_days, bool) or not isinstance(half_life_days, int | float)
            or not math.isfinite(half_life_days) or half_life_days <= 0):
        raise ValueError(f"half_life_days: must be a positive number (got {half_life_days!r})")
    for name, value in (("start", start), ("end", end)):
        if value is not None and (not isinstance(value, dt.datetime) or value.utcoffset() is None):
            raise ValueError(f"{name}: must be a timezone-aware datetime (got {value!r})")
    if start is not None and end is not None and start >= end:
        raise ValueError(f"start: must be before end ({start.isoformat()} ≥ {end.isoformat()})")
    if not models:
        raise ValueError("models: name at least one model")
    for model in models:
        if model not in allowed:
            raise ValueError(f"models: unknown model {model!r} (use one of {', '.join(allowed)})")
    if len(set(models)) != len(models):
        raise ValueError("models: a model is named twice")


def _f(value: float) -> ir.Value:
    """A float64 literal. Ibis writes a float literal as ``0.4``, which PostgreSQL reads as
    NUMERIC (and returns as Decimal); ``CAST('0.4' AS DOUBLE PRECISION)`` is a double on
    every engine (repr round-trips the exact double)."""
    return ibis.literal(repr(float(value))).cast("float64")


def _utc(value: dt.datetime) -> ir.Value:
    return ibis.literal(value.astimezone(dt.UTC), type=_TS)


# --- Building blocks (shared with funnel.py and roi.py) ------------------------------------------

def identities(con) -> ir.Table:
    """anonymous_id → identity: the person of the earliest identities row (ts, event_id)."""
    i = con.table("identities")
    i = i.filter(i.anonymous_id.notnull() & i.person_id.notnull())
    i = i.mutate(_rn=ibis.row_number().over(group_by=i.anonymous_id, order_by=[i.ts, i.event_id]))
    i = i.filter(i._rn == 0)
    return i.select(anonymous_id=i.anonymous_id, identity=i.person_id)


def touches(con, *, persons: ir.Table | None = None, columns: Sequence[str] = ()) -> ir.Table:
    """Touches with their person key ``person`` (decision 0006: the touch's own person id,
    else its anonymous id's identity); touches of no known person are left out.

    ``persons`` (a table with a ``person`` column) restricts the result to those persons
    before any window function runs (a semi-join on both branches). ``columns`` are the
    further touchpoint columns wanted besides event_id, ts and person."""
    t = con.table("touchpoints")
    keep = ["event_id", "ts", *[c for c in columns if c not in ("event_id", "ts", "person")]]
    ident = identities(con)
    known = t.filter(t.person_id.notnull())
    if persons is not None:
        ident = ident.semi_join(persons, ident.identity == persons.person)
        known = known.semi_join(persons, known.person_id == persons.person)
    known = known.select(*keep, person=known.person_id)
    anon = t.filter(t.person_id.isnull())
    anon = anon.inner_join(ident, anon.anonymous_id == ident.anonymous_id)
    anon = anon.select(*[anon[c] for c in keep], person=anon.identity)
    return known.union(anon, distinct=False)


def conversions(con, conversion: str, *, start=None, end=None) -> ir.Table:
    """conv_id, cperson, conv_ts, value: one row per conversion with its time in [start, end)."""
    if conversion == "revenue":
        d = con.table("deals")
        d = d.filter(d.stage == "closed_won")
        c = d.select(conv_id=d.event_id, cperson=d.person_id, conv_ts=d.ts,
                     value=d.amount.fill_null(_f(0.0)).cast("float64"))
    else:
        c = first_stage(con, "lead")
        c = c.select(conv_id=c.event_id, cperson=c.person, conv_ts=c.ts,
                     value=_f(1.0))
    if start is not None:
        c = c.filter(c.conv_ts >= _utc(start))
    if end is not None:
        c = c.filter(c.conv_ts < _utc(end))
    return c


def first_stage(con, stage: str) -> ir.Table:
    """event_id, person, ts of each person's first lifecycle row of ``stage`` (ts, event_id):
    a repeated or back-dated stage row never counts twice."""
    lc = con.table("lifecycle")
    rows = lc.filter((lc.stage == stage) & lc.person_id.notnull())
    rows = rows.mutate(_rn=ibis.row_number().over(group_by=rows.person_id,
                                                   order_by=[rows.ts, rows.event_id]))
    rows = rows.filter(rows._rn == 0)
    return rows.select(event_id=rows.event_id, person=rows.person_id, ts=rows.ts)


def _milestones(con, persons: ir.Table) -> ir.Table:
    """mperson, lead_ts, opp_ts: each person's first lead and opportunity lifecycle times."""
    lc = con.table("lifecycle")
    lc = lc.filter(lc.stage.isin(["lead", "opportunity"]))
    lc = lc.semi_join(persons, lc.person_id == persons.person)
    return lc.group_by(mperson=lc.person_id).aggregate(
        lead_ts=lc.ts.min(where=lc.stage == "lead"),
        opp_ts=lc.ts.min(where=lc.stage == "opportunity"))


def _positional(i, n, roles: Sequence[tuple[ir.Value, float]]) -> ir.Value:
    """The weight of touch ``i`` of ``n`` under a positional model (module docstring).
    ``roles`` are (position, share); a position < 1 means the role is absent."""
    zero = _f(0.0)
    held = zero
    present = zero
    is_key = ibis.literal(False)
    distinct = ibis.literal(0)
    for j, (position, share) in enumerate(roles):
        held = held + (i == position).ifelse(_f(share), zero)
        present = present + (position >= 1).ifelse(_f(share), zero)
        is_key = is_key | (i == position)
        new = position >= 1
        for earlier, _ in roles[:j]:
            new = new & (position != earlier)
        distinct = distinct + new.ifelse(1, 0)
    others = n - distinct
    return is_key.ifelse(
        (others == 0).ifelse(held / present.nullif(zero), held),
        (_f(1.0) - present) / others.nullif(0).cast("float64"))


def _rule_table(con, *, conversion: str, by: str, window_days: int, half_life_days: float,
                start, end, models: Sequence[str], keys: Sequence[str] | None = None) -> ir.Table:
    """One row per key (NULL key = the unattributed conversions) with one credit column
    per model and ``_conversions`` / ``_value`` (conversions counted once, at their first
    touch). ``keys`` are further dimensions to group by (roi.py)."""
    dims = [by, *(keys or ())]
    columns = sorted({DIMENSIONS[d] for d in dims})
    conv = conversions(con, conversion, start=start, end=end)
    persons = conv.select(person=conv.cperson).distinct()
    t = touches(con, persons=persons, columns=columns)
    if start is not None:
        t = t.filter(t.ts >= _utc(start - dt.timedelta(days=window_days)))
    if end is not None:
        t = t.filter(t.ts < _utc(end))
    needs_milestones = any(m in ("w_shaped", "full_path") for m in models)
    if needs_milestones:
        ms = _milestones(con, persons)
        conv = conv.left_join(ms, conv.cperson == ms.mperson).drop("mperson")
    window = ibis.interval(days=window_days)
    p = conv.left_join(t, [conv.cperson == t.person, t.ts >= conv.conv_ts - window,
                           t.ts < conv.conv_ts])
    w = ibis.window(group_by=p.conv_id)
    level1 = dict(
        _i=ibis.row_number().over(group_by=p.conv_id, order_by=[p.ts, p.event_id]) + 1,
        _n=p.event_id.count().over(w),
        _last_ts=p.ts.max().over(w),
    )
    if needs_milestones:
        level1["_lead_i"] = (p.ts <= p.lead_ts).ifelse(1, 0).sum().over(w)
        level1["_opp_i"] = (p.ts <= p.opp_ts).ifelse(1, 0).sum().over(w)
    p = p.mutate(**level1)
    if "time_decay" in models:
        seconds = half_life_days * 86_400.0
        age = p._last_ts.epoch_seconds().cast("float64") - p.ts.epoch_seconds().cast("float64")
        p = p.mutate(_decay=(age * _f(-_LN2 / seconds)).exp())
        p = p.mutate(_decay_sum=p._decay.sum().over(ibis.window(group_by=p.conv_id)))
    i, n = p._i, p._n
    weight = {
        "first_touch": lambda: (i == 1).ifelse(_f(1.0), _f(0.0)),
        "last_touch": lambda: (i == n).ifelse(_f(1.0), _f(0.0)),
        "linear": lambda: _f(1.0) / n.nullif(0).cast("float64"),
        "u_shaped": lambda: _positional(i, n, [(ibis.literal(1), 0.4), (n, 0.4)]),
        "w_shaped": lambda: _positional(i, n, [(ibis.literal(1), 0.3), (p._lead_i, 0.3),
                                               (p._opp_i, 0.3)]),
        "full_path": lambda: _positional(i, n, [(ibis.literal(1), 0.225), (p._lead_i, 0.225),
                                                (p._opp_i, 0.225), (n, 0.225)]),
        "time_decay": lambda: p._decay / p._decay_sum,
    }
    attributed = n > 0
    credit = {m: attributed.ifelse(weight[m]() * p.value, _f(0.0)).cast("float64")
              for m in models}
    first = i == 1
    key_exprs = {}
    for d in dims:
        name = "key" if d == by else f"key_{d}"
        key_exprs[name] = attributed.ifelse(
            ibis.coalesce(p[DIMENSIONS[d]], ibis.literal(NONE_LABEL)), ibis.null("string"))
    p = p.select(**key_exprs, **credit, _first=first.ifelse(1, 0),
                 _first_value=first.ifelse(p.value, _f(0.0)))
    return p.group_by(list(key_exprs)).aggregate(
        **{m: p[m].sum() for m in models},
        _conversions=p._first.sum(), _value=p._first_value.sum())


def rule_expression(con, *, conversion: str = "revenue", by: str = "channel",
                    window_days: int = DEFAULT_WINDOW_DAYS,
                    half_life_days: float = DEFAULT_HALF_LIFE_DAYS, start=None, end=None,
                    models: Sequence[str] = RULE_MODELS) -> ir.Table:
    """The rule-based credits: one row per key, one column per model (sorted by key)."""
    models = tuple(models)
    _check(conversion=conversion, by=by, window_days=window_days,
           half_life_days=half_life_days, start=start, end=end, models=models,
           allowed=RULE_MODELS)
    table = _rule_table(con, conversion=conversion, by=by, window_days=window_days,
                        half_life_days=half_life_days, start=start, end=end, models=models)
    return table.filter(table.key.notnull()).select("key", *models).order_by("key")


# --- Markov ------------------------------------------------------------------------------

def markov_transitions(con, *, conversion: str = "revenue", by: str = "channel",
                       window_days: int = DEFAULT_WINDOW_DAYS, start=None, end=None) -> ir.Table:
    """src, dst, converted, transitions: the first-order chain's transition counts.

    ``src`` NULL = the start state; ``dst`` NULL = the journey's end, which is a
    conversion when ``converted`` is true and the null state otherwise. Journeys:
    each attributed conversion's eligible touches, and each non-converting person's
    touches in [start − window, end)."""
    column = DIMENSIONS[by]
    window = ibis.interval(days=window_days)
    conv = conversions(con, conversion, start=start, end=end)
    persons = conv.select(person=conv.cperson).distinct()
    t = touches(con, persons=persons, columns=[column])
    p = conv.inner_join(t, [conv.cperson == t.person, t.ts >= conv.conv_ts - window,
                            t.ts < conv.conv_ts])
    converting = p.select(journey=p.conv_id, ts=p.ts, event_id=p.event_id,
                          state=p[column], converted=ibis.literal(True))
    everyone = conversions(con, conversion)
    ever = everyone.select(person=everyone.cperson).distinct()
    rest = touches(con, columns=[column])
    rest = rest.anti_join(ever, rest.person == ever.person)
    if start is not None:
        rest = rest.filter(rest.ts >= _utc(start - dt.timedelta(days=window_days)))
    if end is not None:
        rest = rest.filter(rest.ts < _utc(end))
    other = rest.select(journey=rest.person, ts=rest.ts, event_id=rest.event_id,
                        state=rest[column], converted=ibis.literal(False))
    j = converting.union(other, distinct=False)
    j = j.mutate(state=ibis.coalesce(j.state, ibis.literal(NONE_LABEL)))
    order = [j.ts, j.event_id]
    j = j.mutate(_prev=j.state.lag().over(group_by=j.journey, order_by=order),
                 _next=j.state.lead().over(group_by=j.journey, order_by=order),
                 _pos=ibis.row_number().over(group_by=j.journey, order_by=order))
    # Every touch moves to the next touch, or ends the journey (dst NULL) …
    steps = j.group_by(src=j.state, dst=j._next,
                       converted=j._next.isnull() & j.converted).aggregate(
        transitions=j.count())
    # … and every journey leaves the start state for its first touch.
    starts = j.filter(j._pos == 0)
    starts = starts.group_by(src=ibis.null("string"), dst=starts.state,
                             converted=ibis.literal(False)).aggregate(transitions=starts.count())
    return steps.union(starts, distinct=False)


def markov_shares(rows: Sequence[dict]) -> dict[str, float]:
    """Removal-effect shares per key from transition counts (``markov_transitions``)."""
    import numpy as np

    keys = sorted({r["src"] for r in rows if r["src"] is not None}
                  | {r["dst"] for r in rows if r["dst"] is not None})
    index = {k: position + 1 for position, k in enumerate(keys)}  # 0 = start
    size = len(keys) + 1
    counts = np.zeros((size, size))
    to_conversion = np.zeros(size)
    out = np.zeros(size)
    for r in rows:  # the chain's edges: one per (src, dst) pair, not per fact row
        src = 0 if r["src"] is None else index[r["src"]]
        out[src] += r["transitions"]
        if r["dst"] is not None:
            counts[src, index[r["dst"]]] += r["transitions"]
        elif r["converted"]:
            to_conversion[src] += r["transitions"]
    if out[0] == 0 or to_conversion.sum() == 0:
        return {}
    total = np.where(out > 0, out, 1.0)
    q = counts / total[:, None]
    r = to_conversion / total

    def p_conversion(removed: int | None) -> float:
        keep = [s for s in range(size) if s != removed]
        sub_q = q[np.ix_(keep, keep)]
        x = np.linalg.solve(np.eye(len(keep)) - sub_q, r[keep])
        return float(x[0])

    base = p_conversion(None)
    effects = {k: max(0.0, 1.0 - p_conversion(index[k]) / base) for k in keys}
    total_effect = sum(effects.values())
    if total_effect <= 0:
        return {}
    return {k: e / total_effect for k, e in effects.items() if e > 0}


def _split(value: float, shares: dict[str, float]) -> dict[str, float]:
    """``value`` split by ``shares``; the last key takes the rounding rest so the parts
    sum to ``value`` exactly."""
    keys = sorted(shares)
    parts = {k: value * shares[k] for k in keys}
    if keys:
        parts[keys[-1]] = value - sum(parts[k] for k in keys[:-1])
    return parts


# --- Running -----------------------------------------------------------------------------

def run(con, *, conversion: str = "revenue", by: str = "channel",
        models: Sequence[str] = MODELS, window_days: int = DEFAULT_WINDOW_DAYS,
        half_life_days: float = DEFAULT_HALF_LIFE_DAYS, start=None, end=None) -> AttributionResult:
    """Credits of each model per key, with the converted, attributed and unattributed value."""
    models = tuple(models)
    _check(conversion=conversion, by=by, window_days=window_days,
           half_life_days=half_life_days, start=start, end=end, models=models)
    rules = tuple(m for m in models if m in RULE_MODELS)
    # The totals come from the rule query; with markov alone it still runs (one model).
    table = _rule_table(con, conversion=conversion, by=by, window_days=window_days,
                        half_life_days=half_life_days, start=start, end=end,
                        models=rules or ("linear",))
    sql = str(ibis.to_sql(table))
    rows = table.to_pyarrow().to_pylist()
    credits: dict[str, dict] = {}
    attributed = unattributed = 0.0
    count = unattributed_count = 0
    for row in rows:
        count += row["_conversions"]
        if row["key"] is None:
            unattributed += row["_value"]
            unattributed_count += row["_conversions"]
            continue
        attributed += row["_value"]
        credits[row["key"]] = {m: float(row[m]) for m in rules}
    if "markov" in models:
        transitions = markov_transitions(con, conversion=conversion, by=by,
                                         window_days=window_days, start=start, end=end)
        parts = _split(attributed, markov_shares(transitions.to_pyarrow().to_pylist()))
        for key in credits:
            credits[key]["markov"] = parts.get(key, 0.0)
        for key, value in parts.items():  # a key can only hold value if it had a touch
            credits.setdefault(key, dict.fromkeys(rules, 0.0))["markov"] = value
    ordered = [{"key": key, **{m: credits[key].get(m, 0.0) for m in models}}
               for key in sorted(credits)]
    return AttributionResult(
        by=by, conversion=conversion, models=models, credits=ordered,
        converted_value=attributed + unattributed, attributed_value=attributed,
        unattributed_value=unattributed, conversions=count,
        unattributed_conversions=unattributed_count, sql=sql)
