"""Obviously-correct pure-Python funnel, attribution and ROI (issue 4 "Correctness").

Slow and plain on purpose: loops over rows, one conversion at a time, written from the
definitions in DOMAIN "Conventions" and the module docstrings of metrics/attribution.py,
funnel.py and roi.py — never from their SQL. Rows are dicts with the fact columns of
decision 0006 (missing keys read as None).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

NONE = "(none)"
DIMENSIONS = {"channel": "channel", "campaign": "campaign", "content": "content_id",
              "event": "event_ref"}


def _identity_of(identities):
    best = {}
    for row in identities:
        if row.get("anonymous_id") is None or row.get("person_id") is None:
            continue
        key = (row["ts"], row["event_id"])
        if row["anonymous_id"] not in best or key < best[row["anonymous_id"]][0]:
            best[row["anonymous_id"]] = (key, row["person_id"])
    return {anon: person for anon, (_, person) in best.items()}


def touches(facts):
    """Touch rows with their ``person`` (own person id, else the earliest identity)."""
    identity = _identity_of(facts.get("identities", []))
    out = []
    for row in facts.get("touchpoints", []):
        person = row.get("person_id")
        if person is None:
            person = identity.get(row.get("anonymous_id"))
        if person is not None:
            out.append({**row, "person": person})
    return out


def first_stage(facts, stage):
    """person → (ts, event_id) of the first lifecycle row of ``stage``."""
    first = {}
    for row in facts.get("lifecycle", []):
        if row["stage"] == stage and row.get("person_id") is not None:
            key = (row["ts"], row["event_id"])
            if row["person_id"] not in first or key < first[row["person_id"]]:
                first[row["person_id"]] = key
    return first


def conversions(facts, conversion, start=None, end=None):
    """(conv_id, person, ts, value) per conversion in [start, end)."""
    if conversion == "revenue":
        rows = [(d["event_id"], d.get("person_id"), d["ts"], d.get("amount") or 0.0)
                for d in facts.get("deals", []) if d["stage"] == "closed_won"]
    else:
        rows = [(event_id, person, ts, 1.0)
                for person, (ts, event_id) in first_stage(facts, "lead").items()]
    return [c for c in rows if (start is None or c[2] >= start) and (end is None or c[2] < end)]


def positional(n, roles):
    """Weights of n touches; roles = [(position 1-based or None, share)]."""
    held = [0.0] * n
    present = 0.0
    keyset = set()
    for position, share in roles:
        if position is None:
            continue
        held[position - 1] += share
        present += share
        keyset.add(position - 1)
    others = n - len(keyset)
    if others == 0:
        return [h / present for h in held]
    rest = (1.0 - present) / others
    return [held[i] if i in keyset else rest for i in range(n)]


def weights(model, path, conv_ts, lead_ts, opp_ts, half_life_days):
    """Per-touch weights of ``model`` for the eligible touches ``path`` (time-ordered)."""
    n = len(path)

    def last_at_or_before(limit):
        if limit is None:
            return None
        found = None
        for i, touch in enumerate(path, start=1):
            if touch["ts"] <= limit:
                found = i
        return found

    if model == "first_touch":
        return [1.0] + [0.0] * (n - 1)
    if model == "last_touch":
        return [0.0] * (n - 1) + [1.0]
    if model == "linear":
        return [1.0 / n] * n
    if model == "u_shaped":
        if n == 1:
            return [1.0]
        if n == 2:
            return [0.5, 0.5]
        return [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
    if model == "w_shaped":
        return positional(n, [(1, 0.3), (last_at_or_before(lead_ts), 0.3),
                              (last_at_or_before(opp_ts), 0.3)])
    if model == "full_path":
        return positional(n, [(1, 0.225), (last_at_or_before(lead_ts), 0.225),
                              (last_at_or_before(opp_ts), 0.225), (n, 0.225)])
    if model == "time_decay":
        raw = [2.0 ** (-(conv_ts - t["ts"]).total_seconds() / (half_life_days * 86400.0))
               for t in path]
        total = sum(raw)
        return [r / total for r in raw]
    raise ValueError(model)


def paths(facts, conversion="revenue", window_days=90, start=None, end=None):
    """[(conversion, eligible touches in (ts, event_id) order)] per conversion."""
    by_person = defaultdict(list)
    for t in touches(facts):
        by_person[t["person"]].append(t)
    window = dt.timedelta(days=window_days)
    out = []
    for conv in conversions(facts, conversion, start, end):
        _, person, ts, _ = conv
        path = sorted((t for t in by_person.get(person, [])
                       if ts - window <= t["ts"] < ts), key=lambda t: (t["ts"], t["event_id"]))
        out.append((conv, path))
    return out


def attribution(facts, *, conversion="revenue", by="channel", models, window_days=90,
                half_life_days=7.0, start=None, end=None):
    """{"credits": {key: {model: value}}, "attributed", "unattributed", "conversions",
    "unattributed_conversions"}."""
    column = DIMENSIONS[by]
    leads = first_stage(facts, "lead")
    opps = first_stage(facts, "opportunity")
    credits = defaultdict(lambda: dict.fromkeys(models, 0.0))
    attributed = unattributed = 0.0
    unattributed_count = 0
    all_paths = paths(facts, conversion, window_days, start, end)
    for (_, person, ts, value), path in all_paths:
        if not path:
            unattributed += value
            unattributed_count += 1
            continue
        attributed += value
        lead_ts = leads[person][0] if person in leads else None
        opp_ts = opps[person][0] if person in opps else None
        for model in models:
            if model == "markov":
                continue
            for touch, w in zip(path, weights(model, path, ts, lead_ts, opp_ts, half_life_days),
                                strict=True):
                credits[touch.get(column) or NONE][model] += w * value
    if "markov" in models:
        shares = markov_shares(facts, conversion, column, window_days, start, end, all_paths)
        for key, share in shares.items():
            credits[key]["markov"] += share * attributed
    return {"credits": {k: dict(v) for k, v in credits.items()}, "attributed": attributed,
            "unattributed": unattributed, "conversions": len(all_paths),
            "unattributed_conversions": unattributed_count}


def markov_shares(facts, conversion, column, window_days, start, end, all_paths):
    """Removal-effect shares, from journeys built one by one."""
    converting = {c[1] for c in conversions(facts, conversion)}
    journeys = [([t.get(column) or NONE for t in path], True) for _, path in all_paths if path]
    window = dt.timedelta(days=window_days)
    rest = defaultdict(list)
    for t in touches(facts):
        if t["person"] in converting:
            continue
        if start is not None and t["ts"] < start - window:
            continue
        if end is not None and t["ts"] >= end:
            continue
        rest[t["person"]].append(t)
    for person_touches in rest.values():
        person_touches.sort(key=lambda t: (t["ts"], t["event_id"]))
        journeys.append(([t.get(column) or NONE for t in person_touches], False))
    states = sorted({s for path, _ in journeys for s in path})

    def p_conversion(removed):
        names = ["(start)"] + [s for s in states if s != removed]
        index = {s: i for i, s in enumerate(names)}
        counts = np.zeros((len(names), len(names)))
        conv = np.zeros(len(names))
        out = np.zeros(len(names))
        for path, converted in journeys:
            sequence = ["(start)", *path]
            for a, b in zip(sequence, sequence[1:], strict=False):
                if a == removed:
                    continue
                out[index[a]] += 1
                if b != removed:
                    counts[index[a], index[b]] += 1
            last = sequence[-1]
            if last != removed:
                out[index[last]] += 1
                if converted:
                    conv[index[last]] += 1
        total = np.where(out > 0, out, 1.0)
        q = counts / total[:, None]
        r = conv / total
        return float(np.linalg.solve(np.eye(len(names)) - q, r)[0])

    if not any(converted for _, converted in journeys):
        return {}
    base = p_conversion(None)
    effects = {s: max(0.0, 1.0 - p_conversion(s) / base) for s in states}
    total = sum(effects.values())
    return {s: e / total for s, e in effects.items() if e > 0} if total > 0 else {}


def funnel(facts, *, steps, window_days=90, by=None, start=None, end=None):
    """{"counts": [...], "breakdown": {key: [...]}} counted person by person."""
    events = defaultdict(lambda: defaultdict(list))   # step → person → [(ts, event_id)]
    for step in set(steps):
        if step.startswith("touch:"):
            for t in touches(facts):
                if t["event_type"] == step[len("touch:"):]:
                    events[step][t["person"]].append((t["ts"], t["event_id"]))
        else:
            for row in facts.get("lifecycle", []):
                if row["stage"] == step:
                    events[step][row["person_id"]].append((row["ts"], row["event_id"]))
    first_key = {}
    if by is not None:
        column = DIMENSIONS[by]
        for t in sorted(touches(facts), key=lambda t: (t["ts"], t["event_id"])):
            first_key.setdefault(t["person"], t.get(column) or NONE)
    window = dt.timedelta(days=window_days)
    counts = [0] * len(steps)
    breakdown = defaultdict(lambda: [0] * len(steps))
    for person, entries in events[steps[0]].items():
        entry = min(entries)[0]
        if (start is not None and entry < start) or (end is not None and entry >= end):
            continue
        reached = 1
        at = entry
        for step in steps[1:]:
            later = [ts for ts, _ in events[step].get(person, []) if at < ts <= entry + window]
            if not later:
                break
            at = min(later)
            reached += 1
        key = first_key.get(person, NONE)
        for k in range(reached):
            counts[k] += 1
            breakdown[key][k] += 1
    return {"counts": counts, "breakdown": dict(breakdown)}


def roi(facts, *, by="campaign", model="linear", start=None, end=None, extra_costs=None):
    """{key: (cost, return, roi)}."""
    column = DIMENSIONS[by]
    returns = attribution(facts, conversion="revenue", by=by, models=(model,),
                          start=start, end=end)["credits"]
    costs = defaultdict(float)
    for row in facts.get("spend", []):
        if (start is None or row["ts"] >= start) and (end is None or row["ts"] < end):
            costs[row.get(column) or NONE] += row["amount"]
    for row in extra_costs or []:
        costs[row["key"]] += row["amount"]
    out = {}
    for key in set(returns) | set(costs):
        ret = returns.get(key, {}).get(model, 0.0)
        cost = costs.get(key, 0.0)
        out[key] = (cost, ret, (ret - cost) / cost if cost else None)
    return out
