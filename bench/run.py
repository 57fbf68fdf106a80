"""The benchmark run: cached synthetic data per size, every engine in its own process,
engines interleaved round by round (a warm-up round, then ``repeat`` timed ones), the
agreement of the engines checked on the smallest size, and the table written to
docs/benchmarks.md."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import data

ENGINES = ("engine", "polars", "pandas")
#: The pieces summed into the headline figure (issue 4: funnel + 7 rule models + ROI).
HEADLINE = {"engine": ("connect", "funnel", "rules", "roi"),
            "polars": ("load", "funnel", "rules", "roi"),
            "pandas": ("load", "funnel", "rules", "roi")}
TARGETS = """Targets (issue 4, 2-core machine):
- 10M touchpoints: funnel + the seven rule-based models + campaign ROI ≤ 0.8 s, Markov ≤ 2 s more;
- 100M touchpoints: the same ≤ 8 s, peak memory ≤ 2 GB;
- ≥ 5× faster than the pandas baseline and faster than the Polars one, in the same run."""


class Worker:
    def __init__(self, engine: str, facts: Path):
        self.engine = engine
        env = dict(os.environ, PYTHONPATH=str(data.ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.worker", engine, str(facts)], cwd=data.ROOT, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise RuntimeError(f"the {self.engine} worker stopped (exit code {code})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.engine}: {answer['error']}")
        return answer

    def close(self) -> dict:
        answer = self.ask("exit")
        self.process.wait(timeout=60)
        return answer


def _warm_os_cache(facts: Path) -> None:
    for path in facts.rglob("*.parquet"):
        with open(path, "rb") as handle:
            while handle.read(1 << 22):
                pass


def compare(reference: dict, other: dict) -> dict[str, float]:
    """Max relative difference per result (funnel counts, credits per key and model, ROI)."""
    def rel(a: float, b: float) -> float:
        return 0.0 if a == b else abs(a - b) / max(abs(a), abs(b), 1e-12)

    funnel = dict(reference["funnel"])
    other_funnel = dict(other["funnel"])
    diffs = {"funnel": max((rel(funnel[k], other_funnel.get(k, 0)) for k in funnel), default=0.0)}
    credits, other_credits = reference["attribution"], other["attribution"]
    keys = set(credits) | set(other_credits)
    worst = 0.0
    for key in keys:
        a, b = credits.get(key, {}), other_credits.get(key, {})
        for model in set(a) & set(b) if key is None else set(a) | set(b):
            worst = max(worst, rel(a.get(model, 0.0), b.get(model, 0.0)))
    diffs["attribution"] = worst
    roi, other_roi = reference["roi"], other["roi"]
    worst = 0.0
    for key in set(roi) | set(other_roi):
        a, b = roi.get(key, (0.0, 0.0, None)), other_roi.get(key, (0.0, 0.0, None))
        worst = max(worst, rel(a[0], b[0]), rel(a[1], b[1]))
    diffs["roi"] = worst
    return diffs


def _json_keys(result: dict) -> dict:
    """Results as they come back over JSON (None keys become "null")."""
    result = dict(result)
    result["attribution"] = {(None if k in ("null", None) else k): v
                             for k, v in result["attribution"].items()}
    result["roi"] = {k: tuple(v) for k, v in result["roi"].items()}
    return result


def bench_size(size: int, engines: tuple[str, ...], repeat: int, check: bool) -> dict:
    facts, generated = data.ensure(size)
    print(f"== {data.label(size)} touchpoints: {facts}"
          + (f" (generated in {generated:.1f} s)" if generated else " (cached)"), flush=True)
    _warm_os_cache(facts)
    workers = {name: Worker(name, facts) for name in engines}
    times: dict[str, list[dict]] = {name: [] for name in engines}
    try:
        for round_ in range(repeat + 1):
            order = engines[round_ % len(engines):] + engines[:round_ % len(engines)]
            for name in order:
                answer = workers[name].ask("time")["times"]
                if round_ > 0:
                    times[name].append(answer)
                shown = ", ".join(f"{k} {v:.3f}" for k, v in answer.items() if k != "_wall")
                print(f"  {'warm-up' if round_ == 0 else f'round {round_}'} {name}: {shown}",
                      flush=True)
        agreement = {}
        if check and len(engines) > 1:
            results = {name: _json_keys(workers[name].ask("result")["result"]) for name in engines}
            reference = engines[0]
            for name in engines[1:]:
                agreement[f"{reference} vs {name}"] = compare(results[reference], results[name])
                print(f"  max relative difference {reference} vs {name}: "
                      f"{agreement[f'{reference} vs {name}']}", flush=True)
    finally:
        memory = {}
        for name, worker in workers.items():
            try:
                memory[name] = worker.close()
            except Exception as exc:  # a crashed worker: report it, stop the others
                memory[name] = {"error": str(exc)}
                worker.process.kill()
    medians = {}
    for name, runs in times.items():
        pieces = {piece: statistics.median(run[piece] for run in runs) for piece in runs[0]}
        pieces["headline"] = statistics.median(sum(run[p] for p in HEADLINE[name]) for run in runs)
        medians[name] = pieces
    return {"size": size, "facts": str(facts), "generated_s": generated, "medians": medians,
            "memory": memory, "agreement": agreement}


def machine() -> dict:
    memory_kb = 0
    with open("/proc/meminfo") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    load = os.getloadavg()
    return {"nproc": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_before": load}


def collector_figure() -> dict | None:
    path = data.ROOT / "bench" / "collector.py"
    if not path.exists():
        return None
    from bench import collector

    return collector.run()


def write_doc(path: Path, runs: list[dict], info: dict, collector: dict | None, note: str) -> None:
    lines = ["# Benchmarks", "",
             "Written by `make bench` (`python -m bench`); do not edit by hand.", "",
             f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
             f"- machine: {info['nproc']} CPUs, {info['memory_gb']} GB memory, "
             f"Python {info['python']}, {info['platform']}",
             f"- load average before the run: {', '.join(f'{x:.2f}' for x in info['load_before'])}"
             f"; after: {', '.join(f'{x:.2f}' for x in info['load_after'])}",
             ]
    if note:
        lines.append(f"- note: {note}")
    lines += ["", "Data: deterministic synthetic facts (`marketdesk.metrics.synth`, seed 0, two "
              "years, ~20 touches per person, lifecycle funnel with back-dated and repeated stage "
              "events, deals, spend), cached under `var/bench/`. Each engine runs in its own "
              "process; engines are interleaved round by round; a warm-up round, then the median "
              "of the timed rounds; files in the OS cache. Peak memory is the process's maximum "
              "resident set (ru_maxrss), with what the imports alone take in brackets.", "",
              "*Headline* = funnel + the seven rule-based attribution models (revenue by channel) "
              "+ the campaign ROI table: for the engine including `store.connect()`, for the "
              "baselines including reading the Parquet files.", "", TARGETS, ""]
    for run in runs:
        medians, memory = run["medians"], run["memory"]
        lines += [f"## {data.label(run['size'])} touchpoints", ""]
        if run["generated_s"]:
            lines += [f"Data generated in this run in {run['generated_s']:.1f} s.", ""]
        pieces = sorted({p for m in medians.values() for p in m if p not in ("_wall", "headline")},
                        key=lambda p: ("connect", "load", "funnel", "rules", "roi", "markov").index(p))
        header = ["engine", "headline (s)", *[f"{p} (s)" for p in pieces], "peak memory (MB)",
                  "vs pandas", "vs polars"]
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for name, m in medians.items():
            mem = memory.get(name, {})
            mem_text = (f"{mem['maxrss_mb']:.0f} ({mem['after_imports_mb']:.0f})"
                        if "maxrss_mb" in mem else mem.get("error", "?"))
            ratios = []
            for base in ("pandas", "polars"):
                if base in medians and name != base:
                    ratios.append(f"{medians[base]['headline'] / m['headline']:.1f}×")
                else:
                    ratios.append("—")
            lines.append("| " + " | ".join([name, f"{m['headline']:.3f}",
                                             *[f"{m[p]:.3f}" if p in m else "—" for p in pieces],
                                             mem_text, *ratios]) + " |")
        if run["agreement"]:
            lines += ["", "Agreement (max relative difference of funnel counts, credits per "
                      "channel and model, campaign return and cost):", ""]
            for pair, diffs in run["agreement"].items():
                lines.append(f"- {pair}: " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
        lines.append("")
    if collector is not None:
        lines += ["## Collector", "", "```", json.dumps(collector, indent=1, sort_keys=True), "```", ""]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1M,10M"),
                        help="comma-separated sizes in touchpoints (default $BENCH_SIZES or 1M,10M)")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds after the warm-up")
    parser.add_argument("--engines", default=",".join(ENGINES),
                        help="comma-separated, from: " + ", ".join(ENGINES))
    parser.add_argument("--out", default=str(data.ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--note", default=os.environ.get("BENCH_NOTE", ""),
                        help="a remark for the document (e.g. that the machine was shared)")
    args = parser.parse_args(argv)
    sizes = [data.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engines: {', '.join(sorted(unknown))}")
    info = machine()
    runs = []
    for size in sizes:
        # The agreement check on the smallest size only (the baselines are slow).
        runs.append(bench_size(size, engines, args.repeat, check=size == min(sizes)))
        print(json.dumps(runs[-1]["medians"], indent=1), flush=True)
    info["load_after"] = os.getloadavg()
    started = time.perf_counter()
    collector = collector_figure()
    if collector is not None:
        print(f"collector ({time.perf_counter() - started:.1f} s): {collector}", flush=True)
    write_doc(Path(args.out), runs, info, collector, args.note)
    print(f"wrote {args.out}")
    return 0
