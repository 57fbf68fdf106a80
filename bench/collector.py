"""Collector throughput (issue 4: ≥ 50,000 events/s accepted and durable, batches of 500,
one core): ``python -m bench.collector [events] [batch]``.

Posts batches of snippet-shaped events through the ``/collect`` view (RequestFactory →
view function: JSON parsing, validation, channel grouping, stitching, Parquet write with
fsync of file and directory, id index commit) into a fresh facts directory, one process,
one thread. Every batch is acknowledged only after ``store.append`` returned, as in
production. A tenth of the visitors identify themselves (identity rows + stitching).
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
import uuid

from bench.data import setup_django

_PAGES = ("/", "/pricing", "/blog/attribution-101", "/cases/acme", "/events/summit", "/docs")
_ARRIVALS = (
    # (utm_source, utm_medium, utm_campaign, referrer)
    ("baidu", "cpc", "spring_launch", "https://www.baidu.com/"),
    ("wechat", "social", "summit_2026", "https://mp.weixin.qq.com/"),
    ("newsletter", "email", "march_digest", ""),
    (None, None, None, "https://www.google.com/"),
    (None, None, None, "https://partner.example.org/list"),
    (None, None, None, ""),
    ("linkedin", "paid_social", "abm_q1", "https://www.linkedin.com/"),
)


def make_events(count: int, seed: int = 0) -> list[dict]:
    """``count`` events as the snippet sends them: page views (most), clicks, and
    identify events from one visitor in ten."""
    rnd = random.Random(seed)
    events = []
    visitors = max(1, count // 8)
    for n in range(count):
        visitor = rnd.randrange(visitors)
        source, medium, campaign, referrer = _ARRIVALS[visitor % len(_ARRIVALS)]
        url = f"https://acme.cn{rnd.choice(_PAGES)}"
        event = {"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)),
                 "ts": f"2026-03-{1 + n * 28 // count:02d}T{rnd.randrange(24):02d}:"
                       f"{rnd.randrange(60):02d}:{rnd.randrange(60):02d}.{rnd.randrange(1000):03d}Z",
                 "anonymous_id": f"v{visitor:08d}", "url": url, "referrer": referrer}
        if source:
            event.update(utm_source=source, utm_medium=medium, utm_campaign=campaign)
        roll = rnd.random()
        if roll < 0.02 and visitor % 10 == 0:
            event.update(type="identify", email=f"visitor{visitor}@example.com",
                         properties={"form": "demo-request"})
        elif roll < 0.15:
            event.update(type="track", name="cta_click", properties={"cta": "book-demo"})
        else:
            event["type"] = "page_view"
        events.append(event)
    return events


def run(events: int = 200_000, batch: int = 500, facts_dir: str | None = None) -> dict:
    """Post ``events`` events in batches of ``batch`` through the collector view; the
    figures (events/s accepted and durable, per-batch latency)."""
    setup_django()
    from django.test import RequestFactory, override_settings

    from marketdesk.metrics import collector, store

    payload = make_events(events)
    bodies = [json.dumps({"events": payload[i:i + batch]}).encode()
              for i in range(0, len(payload), batch)]
    directory = facts_dir or tempfile.mkdtemp(prefix="md-collector-bench-")
    factory = RequestFactory()
    latencies = []
    accepted = duplicates = rejected = 0
    with override_settings(MARKETDESK_FACTS_DIR=directory, ALLOWED_HOSTS=["testserver"]):
        store.close_indexes()
        cpu0 = time.process_time()
        start = time.perf_counter()
        for body in bodies:
            request = factory.post("/collect", body, content_type="text/plain",
                                   headers={"Origin": "http://testserver"})
            t0 = time.perf_counter()
            response = collector.collect(request)
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise RuntimeError(f"collector answered {response.status_code}: {response.content!r}")
            answer = json.loads(response.content)
            accepted += answer["accepted"]
            duplicates += answer["duplicates"]
            rejected += len(answer["rejected"])
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        files = len(store.files("touchpoints"))
        store.close_indexes()
    latencies.sort()
    return {
        "events": events, "batch": batch, "batches": len(bodies), "accepted": accepted,
        "duplicates": duplicates, "rejected": rejected, "seconds": round(elapsed, 3),
        "events_per_second": round(accepted / elapsed),
        "cpu_seconds": round(cpu, 3),
        "batch_ms_median": round(1000 * latencies[len(latencies) // 2], 2),
        "batch_ms_p99": round(1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2),
        "touchpoint_files": files,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "facts_dir": directory, "pid": os.getpid(),
    }


def main(argv: list[str]) -> int:
    events = int(argv[0]) if argv else 200_000
    batch = int(argv[1]) if len(argv) > 1 else 500
    figures = run(events, batch)
    for key, value in figures.items():
        print(f"{key:>20}: {value}")
    print(f"collector: {figures['events_per_second']:,} events/s accepted and durable "
          f"(batches of {batch}, one core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
