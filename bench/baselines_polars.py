"""The Polars baseline: the same funnel, seven rule-based models and campaign ROI as the
pandas one (bench/conventions.py), written plainly with lazy frames over the Parquet
files and collected once per result."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from bench.conventions import FUNNEL_STEPS, HALF_LIFE_DAYS, NONE, RULE_MODELS, WINDOW_DAYS


def _scan(facts: Path, table: str) -> pl.LazyFrame:
    return pl.scan_parquet(str(facts / table / "date=*" / "*.parquet"), hive_partitioning=False)


def load(facts: Path) -> dict[str, pl.LazyFrame]:
    identities = (_scan(facts, "identities").select("ts", "anonymous_id", "person_id")
                  .sort("ts").unique("anonymous_id", keep="first")
                  .select("anonymous_id", pl.col("person_id").alias("identity")))
    touches = (_scan(facts, "touchpoints")
               .select("event_id", "ts", "anonymous_id", "person_id", "channel", "campaign")
               .join(identities, on="anonymous_id", how="left")
               .with_columns(person=pl.coalesce("person_id", "identity"))
               .filter(pl.col("person").is_not_null()))
    return {"touches": touches, "lifecycle": _scan(facts, "lifecycle"),
            "deals": _scan(facts, "deals"), "spend": _scan(facts, "spend")}


def funnel(data: dict) -> list[tuple[str, int]]:
    life = data["lifecycle"].select("person_id", "ts", "stage")
    window = pl.duration(days=WINDOW_DAYS)
    reached = (life.filter(pl.col("stage") == FUNNEL_STEPS[0]).group_by("person_id")
               .agg(at=pl.col("ts").min()).with_columns(start=pl.col("at")))
    steps = [reached]
    for stage in FUNNEL_STEPS[1:]:
        reached = (life.filter(pl.col("stage") == stage).join(reached, on="person_id")
                   .filter((pl.col("ts") > pl.col("at")) & (pl.col("ts") <= pl.col("start") + window))
                   .group_by("person_id").agg(at=pl.col("ts").min(), start=pl.col("start").first()))
        steps.append(reached)
    counts = pl.collect_all([s.select(pl.len()) for s in steps])
    return [(stage, int(c.item())) for stage, c in zip(FUNNEL_STEPS, counts, strict=True)]


def _paths(data: dict) -> pl.LazyFrame:
    won = (data["deals"].filter(pl.col("stage") == "closed_won")
           .select(pl.col("event_id").alias("conversion"), pl.col("ts").alias("conversion_ts"),
                   "person_id", "amount"))
    life = data["lifecycle"]
    milestones = (life.filter(pl.col("stage").is_in(["lead", "opportunity"])).group_by("person_id")
                  .agg(lead_ts=pl.col("ts").filter(pl.col("stage") == "lead").min(),
                       opp_ts=pl.col("ts").filter(pl.col("stage") == "opportunity").min()))
    window = pl.duration(days=WINDOW_DAYS)
    paths = (won.join(data["touches"].select("event_id", "ts", "person", "channel", "campaign"),
                      left_on="person_id", right_on="person")
             .filter((pl.col("ts") >= pl.col("conversion_ts") - window)
                     & (pl.col("ts") < pl.col("conversion_ts")))
             .join(milestones, on="person_id", how="left")
             .sort("conversion", "ts", "event_id")
             .with_columns(i=pl.int_range(pl.len()).over("conversion"),
                           n=pl.len().over("conversion")))
    conv = pl.col("conversion")
    paths = paths.with_columns(
        lead_i=pl.col("i").filter(pl.col("ts") < pl.col("lead_ts")).max().over(conv),
        opp_i=pl.col("i").filter(pl.col("ts") < pl.col("opp_ts")).max().over(conv))
    i, n = pl.col("i"), pl.col("n")
    first, last = i == 0, i == n - 1
    age = (pl.col("conversion_ts") - pl.col("ts")).dt.total_microseconds() / 86_400e6
    decay = pl.lit(0.5).pow(age / HALF_LIFE_DAYS)
    return paths.with_columns(
        first_touch=first.cast(pl.Float64),
        last_touch=last.cast(pl.Float64),
        linear=1.0 / n,
        u_shaped=pl.when(n == 1).then(1.0).when(n == 2).then(0.5)
        .when(first | last).then(0.4).otherwise(0.2 / (n - 2)),
        w_shaped=_positional([pl.lit(0), pl.col("lead_i"), pl.col("opp_i")], 0.3),
        full_path=_positional([pl.lit(0), pl.col("lead_i"), pl.col("opp_i"), n - 1], 0.225),
        time_decay=decay / decay.sum().over(conv),
    )


def _positional(anchors: list[pl.Expr], share: float) -> pl.Expr:
    """As in the pandas baseline: ``share`` per anchor touch (adding up when anchors meet),
    the rest evenly over the other touches, scaled to one when there is no other touch."""
    i = pl.col("i")
    weight = sum((pl.when(i == a).then(share).otherwise(0.0) for a in anchors), pl.lit(0.0))
    anchored = pl.any_horizontal([(i == a).fill_null(False) for a in anchors])
    total = sum((pl.when(a.is_null()).then(0.0).otherwise(share) for a in anchors), pl.lit(0.0))
    others = (~anchored).cast(pl.Int64).sum().over("conversion")
    rest = (1.0 - total) / pl.max_horizontal(others, pl.lit(1))
    weight = pl.when(anchored).then(weight).otherwise(rest)
    return pl.when(others == 0).then(weight / total).otherwise(weight)


def attribution(data: dict, by: str = "channel") -> dict[str, dict[str, float]]:
    paths = _paths(data)
    table = (paths.group_by(pl.col(by).fill_null(NONE).alias("key"))
             .agg([(pl.col(m) * pl.col("amount")).sum().alias(m) for m in RULE_MODELS]))
    won = data["deals"].filter(pl.col("stage") == "closed_won")
    unattributed = won.join(paths.select("conversion").unique(), left_on="event_id",
                            right_on="conversion", how="anti").select(pl.col("amount").sum())
    table, unattributed = pl.collect_all([table, unattributed])
    result = {row["key"]: {m: float(row[m]) for m in RULE_MODELS} for row in table.iter_rows(named=True)}
    result[None] = dict.fromkeys(RULE_MODELS, float(unattributed.item() or 0.0))
    return result


def roi(data: dict) -> dict[str, tuple[float, float, float | None]]:
    returns = (_paths(data).group_by(pl.col("campaign").fill_null(NONE).alias("key"))
               .agg(ret=(pl.col("linear") * pl.col("amount")).sum()))
    costs = (data["spend"].group_by(pl.col("campaign").fill_null(NONE).alias("key"))
             .agg(cost=pl.col("amount").sum()))
    table = (returns.join(costs, on="key", how="full", coalesce=True)
             .with_columns(pl.col("ret").fill_null(0.0), pl.col("cost").fill_null(0.0))
             .sort("key").collect())
    return {row["key"]: (row["ret"], row["cost"],
                         (row["ret"] - row["cost"]) / row["cost"] if row["cost"] else None)
            for row in table.iter_rows(named=True)}


def run(facts: Path) -> dict:
    data = load(facts)
    return {"funnel": funnel(data), "attribution": attribution(data), "roi": roi(data)}


def pieces(facts: Path, _context=None):
    """The timed workload, piece by piece (bench/worker.py)."""
    state: dict = {}
    yield "load", lambda: state.update(data=load(facts))
    yield "funnel", lambda: funnel(state["data"])
    yield "rules", lambda: attribution(state["data"])
    yield "roi", lambda: roi(state["data"])


def results(facts: Path, _context=None) -> dict:
    return run(facts)
