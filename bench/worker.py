"""One engine in its own process: ``python -m bench.worker ENGINE FACTS_DIR``.

Reads commands on stdin, one per line, and answers one JSON line each:
``time`` — run the workload once, answer the seconds of each piece;
``result`` — answer the workload's results (for the agreement check);
``exit`` — answer the peak resident memory (and the memory after imports), then stop.
Running each engine in its own process gives its own peak memory (ru_maxrss)."""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    engine, facts = argv[0], Path(argv[1])
    if engine == "engine":
        from bench import engine as module
    elif engine == "pandas":
        from bench import baselines_pandas as module
    elif engine == "polars":
        from bench import baselines_polars as module
    else:
        raise SystemExit(f"unknown engine {engine!r}")
    context = module.prepare(facts) if hasattr(module, "prepare") else None
    after_imports = _maxrss_mb()
    out = sys.stdout
    for line in sys.stdin:
        command = line.strip()
        if command == "time":
            gc.collect()
            times = {}
            started = time.perf_counter()
            for name, step in module.pieces(facts, context):
                began = time.perf_counter()
                step()
                times[name] = time.perf_counter() - began
            times["_wall"] = time.perf_counter() - started
            answer = {"times": times}
        elif command == "result":
            answer = {"result": module.results(facts, context)}
        elif command == "exit":
            out.write(json.dumps({"maxrss_mb": _maxrss_mb(), "after_imports_mb": after_imports}) + "\n")
            out.flush()
            return 0
        else:
            answer = {"error": f"unknown command {command!r}"}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
