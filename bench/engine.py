"""The metrics engine as a user calls it: ``store.connect()`` over the facts, then the
registry's funnel, attribution and ROI functions (src/marketdesk/metrics)."""

from __future__ import annotations

from pathlib import Path

from bench.conventions import NONE, RULE_MODELS


def prepare(facts: Path):
    from bench.data import setup_django

    setup_django()
    from django.conf import settings

    settings.MARKETDESK_FACTS_DIR = Path(facts)
    from marketdesk.metrics import attribution, funnel, roi, store

    return {"attribution": attribution, "funnel": funnel, "roi": roi, "store": store}


def _calls(m: dict, con) -> dict:
    attribution = m["attribution"]
    rules = tuple(getattr(attribution, "RULE_MODELS", RULE_MODELS))
    return {
        "funnel": lambda: m["funnel"].run(con),
        "rules": lambda: attribution.run(con, conversion="revenue", by="channel", models=rules),
        "roi": lambda: m["roi"].run(con, by="campaign", model="linear"),
        "markov": lambda: attribution.run(con, conversion="revenue", by="channel",
                                          models=("markov",)),
    }


def pieces(facts: Path, m: dict):
    state: dict = {}
    yield "connect", lambda: state.update(con=m["store"].connect())
    for name in ("funnel", "rules", "roi", "markov"):
        yield name, (lambda name=name: _calls(m, state["con"])[name]())


def _field(obj, *names):
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    raise AttributeError(f"{type(obj).__name__} has none of {names}")


def results(facts: Path, m: dict) -> dict:
    """The engine's answers in the baselines' shapes (bench/conventions.py)."""
    con = m["store"].connect()
    calls = _calls(m, con)
    funnel = calls["funnel"]()
    funnel_counts = [(str(step), int(count)) for step, count in zip(funnel.steps, funnel.counts,
                                                                       strict=True)]
    rules = calls["rules"]()
    credits = {}
    for row in rules.credits:
        key = row["key"]
        credits[NONE if key is None else key] = {k: float(v) for k, v in row.items()
                                                 if k != "key" and v is not None}
    credits[None] = dict.fromkeys(rules.models, float(rules.unattributed_value))
    table = calls["roi"]()
    rows = _field(table, "rows") if not isinstance(table, list) else table
    roi = {}
    for row in rows:
        ret = float(_field(row, "return_", "revenue", "return", "attributed"))
        cost = float(_field(row, "cost", "spend"))
        value = _field(row, "roi")
        roi[_field(row, "key", "campaign")] = (ret, cost, None if value is None else float(value))
    return {"funnel": funnel_counts, "attribution": credits, "roi": roi}
