"""The pandas baseline: a straightforward implementation of the funnel, the seven
rule-based attribution models and the campaign ROI table (bench/conventions.py), reading
the same Parquet files as the engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from bench.conventions import FUNNEL_STEPS, HALF_LIFE_DAYS, NONE, RULE_MODELS, WINDOW_DAYS


def _read(facts: Path, table: str, columns: list[str]) -> pd.DataFrame:
    files = sorted((facts / table).glob("date=*/*.parquet"))
    if not files:
        return pd.DataFrame({c: [] for c in columns})
    return pq.read_table([str(f) for f in files], columns=columns).to_pandas()


def load(facts: Path) -> dict[str, pd.DataFrame]:
    touches = _read(facts, "touchpoints", ["event_id", "ts", "anonymous_id", "person_id",
                                            "channel", "campaign"])
    identities = _read(facts, "identities", ["ts", "anonymous_id", "person_id"])
    first_identity = (identities.sort_values("ts").drop_duplicates("anonymous_id")
                      .set_index("anonymous_id")["person_id"])
    touches["person"] = touches["person_id"].fillna(touches["anonymous_id"].map(first_identity))
    touches = touches[touches["person"].notna()]
    return {
        "touches": touches,
        "lifecycle": _read(facts, "lifecycle", ["ts", "person_id", "stage"]),
        "deals": _read(facts, "deals", ["event_id", "ts", "person_id", "stage", "amount"]),
        "spend": _read(facts, "spend", ["campaign", "amount"]),
    }


def funnel(data: dict) -> list[tuple[str, int]]:
    life = data["lifecycle"]
    window = pd.Timedelta(days=WINDOW_DAYS)
    reached = (life[life["stage"] == FUNNEL_STEPS[0]].groupby("person_id")["ts"].min()
               .rename("at").to_frame())
    reached["start"] = reached["at"]
    counts = [(FUNNEL_STEPS[0], len(reached))]
    for stage in FUNNEL_STEPS[1:]:
        rows = life[life["stage"] == stage].merge(reached, left_on="person_id", right_index=True)
        rows = rows[(rows["ts"] > rows["at"]) & (rows["ts"] <= rows["start"] + window)]
        nxt = rows.groupby("person_id").agg(at=("ts", "min"), start=("start", "first"))
        counts.append((stage, len(nxt)))
        reached = nxt
    return counts


def _milestone(data: dict, stage: str) -> pd.Series:
    life = data["lifecycle"]
    return life[life["stage"] == stage].groupby("person_id")["ts"].min()


def _paths(data: dict) -> pd.DataFrame:
    """Every (conversion, eligible touch) with its position, count and model weights."""
    deals = data["deals"]
    won = deals[deals["stage"] == "closed_won"].rename(
        columns={"event_id": "conversion", "ts": "conversion_ts"})[
        ["conversion", "conversion_ts", "person_id", "amount"]]
    touches = data["touches"][["event_id", "ts", "person", "channel", "campaign"]]
    paths = won.merge(touches, left_on="person_id", right_on="person")
    window = pd.Timedelta(days=WINDOW_DAYS)
    paths = paths[(paths["ts"] >= paths["conversion_ts"] - window) & (paths["ts"] < paths["conversion_ts"])]
    paths = paths.sort_values(["conversion", "ts", "event_id"]).reset_index(drop=True)
    group = paths.groupby("conversion", sort=False)
    paths["i"] = group.cumcount()
    paths["n"] = group["ts"].transform("size")
    lead = _milestone(data, "lead")
    opportunity = _milestone(data, "opportunity")
    paths["lead_ts"] = paths["person_id"].map(lead)
    paths["opp_ts"] = paths["person_id"].map(opportunity)
    # The lead (opportunity) creation touch: the last eligible touch before that moment.
    for name, column in (("lead_i", "lead_ts"), ("opp_i", "opp_ts")):
        before = paths[paths["ts"] < paths[column]]
        paths[name] = paths["conversion"].map(before.groupby("conversion")["i"].max())
    i, n = paths["i"].to_numpy(), paths["n"].to_numpy()
    first, last = i == 0, i == n - 1
    paths["first_touch"] = first.astype(float)
    paths["last_touch"] = last.astype(float)
    paths["linear"] = 1.0 / n
    u = np.where(first | last, 0.4, 0.2 / np.maximum(n - 2, 1))
    paths["u_shaped"] = np.where(n == 1, 1.0, np.where(n == 2, 0.5, u))
    paths["w_shaped"] = _positional(paths, ["first", "lead_i", "opp_i"], 0.3)
    paths["full_path"] = _positional(paths, ["first", "lead_i", "opp_i", "last"], 0.225)
    age = (paths["conversion_ts"] - paths["ts"]).dt.total_seconds() / 86_400
    decay = np.power(0.5, age / HALF_LIFE_DAYS)
    paths["time_decay"] = decay / decay.groupby(paths["conversion"]).transform("sum")
    return paths


def _positional(paths: pd.DataFrame, anchors: list[str], share: float) -> np.ndarray:
    """Each anchor touch gets ``share`` (shares of anchors on one touch add up), the rest
    spread evenly over the other touches; with no other touch, the anchors' shares are
    scaled to one."""
    i, n = paths["i"].to_numpy(), paths["n"].to_numpy()
    weight = np.zeros(len(paths))
    anchored = np.zeros(len(paths), dtype=bool)
    total = np.zeros(len(paths))
    for anchor in anchors:
        if anchor == "first":
            at = np.zeros(len(paths))
        elif anchor == "last":
            at = n - 1.0
        else:
            at = paths[anchor].to_numpy(dtype=float)
        hit = i == at
        weight += np.where(hit, share, 0.0)
        anchored |= hit
        total += np.where(np.isnan(at), 0.0, share)
    frame = pd.DataFrame({"c": paths["conversion"].to_numpy(), "a": anchored})
    others = (~frame["a"]).groupby(frame["c"]).transform("sum").to_numpy()
    rest = 1.0 - total
    weight = np.where(anchored, weight, rest / np.maximum(others, 1))
    scale = np.where(others == 0, 1.0 / total, 1.0)
    return weight * scale


def attribution(data: dict, by: str = "channel") -> dict[str, dict[str, float]]:
    """{key: {model: credited revenue}} plus the key None for unattributed revenue."""
    paths = _paths(data)
    credits = paths[list(RULE_MODELS)].mul(paths["amount"], axis=0)
    credits["key"] = paths[by].fillna(NONE)
    table = credits.groupby("key").sum()
    result = {key: {m: float(row[m]) for m in RULE_MODELS} for key, row in table.iterrows()}
    deals = data["deals"]
    won = deals[deals["stage"] == "closed_won"]
    unattributed = float(won.loc[~won["event_id"].isin(paths["conversion"]), "amount"].sum())
    result[None] = dict.fromkeys(RULE_MODELS, unattributed)
    return result


def roi(data: dict) -> dict[str, tuple[float, float, float | None]]:
    """{campaign: (return, cost, roi)} with linear attribution."""
    paths = _paths(data)
    returns = (paths["linear"] * paths["amount"]).groupby(paths["campaign"].fillna(NONE)).sum()
    spend = data["spend"]
    costs = spend["amount"].groupby(spend["campaign"].fillna(NONE)).sum()
    out = {}
    for key in sorted(set(returns.index) | set(costs.index)):
        ret, cost = float(returns.get(key, 0.0)), float(costs.get(key, 0.0))
        out[key] = (ret, cost, (ret - cost) / cost if cost else None)
    return out


def run(facts: Path) -> dict:
    """One pass of the workload (what is timed), with its results."""
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
