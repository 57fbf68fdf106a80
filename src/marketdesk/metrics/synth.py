"""Deterministic synthetic facts (decision 0006 columns) for the benchmark and the demo.

``generate(out_dir, touchpoints=N, seed=s)`` writes exactly ``N`` touchpoints and the facts
that go with them — identities, a lifecycle funnel with noise, deals, usage, spend, NPS
answers, social statistics and sales activities — into a facts directory. The same
arguments give byte-identical Parquet files (only the random file names differ).

What the data looks like (so that every KPI has something real to show):

- persons arrive over ``days`` days (a little more every month), each with about 20
  touches (1 + Poisson(19)) spread over a journey of ~50 days; 30 % are never identified
  (anonymous visitors: non-converting journeys for the Markov model);
- a touch's channel follows a realistic mix; about half the touches carry no campaign —
  organic search, direct, referral, organic video and most organic social — and some
  have no channel at all: they are real touches, credited to "(none)" (DOMAIN
  conventions). Paid touches take a campaign active on their day, so spend and touches
  agree; offline touches are events (registered before, attended on the day, with the
  event's ``event_ref``) and sales meetings;
- touches with content are blog-post page views (``/blog/<slug>``: organic search,
  referral, organic social — K2) or content views (videos and ads: the start of an
  in-product conversion, F5); e-mail touches are mostly deliveries, then opens, clicks
  and a few unsubscribes (K1); a call to action is seen on ~10 % of the other page views
  and clicked on a tenth of those (K6);
- touches before the identifying form submission carry only ``anonymous_id``; the
  ``identities`` row stitches them at query time (decision 0006);
- lifecycle subscriber → lead → mql → sql → opportunity → customer with drop-off, stages
  placed just after a touch of the journey; noise: ~2 % of MQL stages skipped, ~3 % of
  stage events repeated later, ~2 % back-dated by up to 40 days; a few conversions fall
  exactly on a touch's instant (that touch is not eligible: conversion − window ≤ ts <
  conversion) and a few touches share a timestamp (ties broken by event id);
- a deal per opportunity (open, then closed_won at the customer stage or closed_lost),
  a second won deal for 10 % of customers, touches continuing after the conversion;
- usage with activation events for customers' accounts, NPS answers of customers,
  daily spend per campaign and per event (an event of cost 0 has no spend row: its cost
  is recorded elsewhere, e.g. the events app's cost lines), daily social statistics, sales
  calls, emails and meetings (the meetings are also ``sales_meeting`` touches).

Memory stays bounded: persons are generated in chunks (``CHUNK_TOUCHES`` touches each),
every chunk is written as one file per UTC day it touches, and partitions holding several
files are compacted into one sorted file at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from marketdesk.metrics.schema import TABLES, TS

#: Bump when the generated data changes, so cached data sets are regenerated.
GENERATOR_VERSION = 2
MANIFEST = "_synth.json"
#: Touches per generated chunk (bounded memory: a chunk holds ~1 GB at most).
CHUNK_TOUCHES = 4_000_000
MEAN_TOUCHES = 20
DAY = 86_400
US = 1_000_000

# --- The world: what the facts refer to ---------------------------------------------------


@dataclass(frozen=True)
class Campaign:
    code: str
    channel: str
    #: first and last active day, as day indexes from the start of the data
    first: int
    last: int
    daily_budget: float
    platform: str | None = None


@dataclass(frozen=True)
class Event:
    ref: str
    #: first day (index from the start of the data; may lie beyond the end) and length
    day: int
    days: int
    cost: float
    campaign: str | None = None


@dataclass(frozen=True)
class Product:
    key: str
    #: typical contract value (CNY)
    price: float
    #: feature ids; usage rows name one, the activation row marks real use (F5)
    features: tuple[str, ...]
    weight: float = 1.0
    #: usage rows name a feature "<key>:<feature>"; False: by the feature id alone (ids
    #: unique in the world, e.g. a knowledge base's activation events)
    feature_prefix: bool = True

    def feature_name(self, feature: str) -> str:
        return f"{self.key}:{feature}" if self.feature_prefix else feature


@dataclass(frozen=True)
class World:
    """Dimensions shared by every fact: campaigns, events, content, products, owners."""

    #: the end of the data (exclusive), a UTC midnight; the data covers ``days`` days before
    end: dt.datetime
    days: int
    campaigns: tuple[Campaign, ...]
    events: tuple[Event, ...]
    products: tuple[Product, ...]
    #: sales reps (deal and lifecycle owners)
    owners: tuple[str, ...]
    #: (content_id, utm_content slug)
    contents: tuple[tuple[str, str], ...]
    regions: tuple[str, ...] = ("north_china", "east_china", "south_china", "central_china",
                                "west_china", "overseas")
    social_handles: tuple[tuple[str, str], ...] = (
        ("wechat", "datasense"), ("weibo", "datasense"), ("zhihu", "datasense"),
        ("bilibili", "datasense"), ("linkedin", "datasense-global"))
    origin: str = "bench"

    def __post_init__(self):
        if self.end.tzinfo is None or self.end.utcoffset() != dt.timedelta(0):
            raise ValueError("World.end must be a UTC datetime")
        if self.end != self.end.replace(hour=0, minute=0, second=0, microsecond=0):
            raise ValueError("World.end must be a UTC midnight")
        if self.days < 30:
            raise ValueError("World.days must be at least 30")
        if not self.products or not self.owners or not self.contents:
            raise ValueError("a world needs products, owners and contents")
        names = [p.feature_name(f) for p in self.products for f in p.features]
        if len(set(names)) != len(names):
            raise ValueError("two features of the world have one name")

    @property
    def start(self) -> dt.datetime:
        return self.end - dt.timedelta(days=self.days)

    def describe(self) -> dict:
        value = asdict(self)
        value["end"] = self.end.isoformat()
        # Fields added later are left out at their default, so that the worlds described
        # before keep their hash (and their cached data sets).
        for product in value["products"]:
            if product["feature_prefix"]:
                del product["feature_prefix"]
        return value


#: The channel mix of touches: (channel, share, campaign share, content share).
CHANNEL_MIX: tuple[tuple[str | None, float, float, float], ...] = (
    ("organic_search", 0.22, 0.0, 0.25),
    ("direct", 0.12, 0.0, 0.0),
    ("referral", 0.06, 0.0, 0.30),
    ("paid_search", 0.14, 0.95, 0.0),
    ("paid_social", 0.08, 0.95, 0.20),
    ("display", 0.05, 0.95, 0.0),
    ("email", 0.15, 1.0, 0.40),
    ("organic_social", 0.08, 0.30, 0.40),
    ("organic_video", 0.03, 0.0, 1.0),
    ("events", 0.05, 1.0, 0.0),
    (None, 0.02, 0.0, 0.0),  # unassigned: a real touch, shown as "(none)"
)
_CHANNELS = [c for c, *_ in CHANNEL_MIX] + ["sales"]
_CH = {c: i for i, c in enumerate(_CHANNELS)}
#: Campaign channels: the paid ones plus email and organic social.
CAMPAIGN_CHANNELS = ("paid_search", "paid_social", "display", "email", "organic_social")
_SOURCES: dict[str | None, tuple[tuple[str | None, str | None], ...]] = {
    "organic_search": (("baidu", "organic"), ("bing", "organic"), ("google", "organic"),
                       ("sogou", "organic")),
    "direct": ((None, None),),
    "referral": (("csdn.net", "referral"), ("juejin.cn", "referral"),
                 ("36kr.com", "referral"), ("infoq.cn", "referral")),
    "paid_search": (("baidu", "cpc"), ("baidu", "cpc"), ("sogou", "cpc")),
    "paid_social": (("wechat", "paid_social"), ("weibo", "paid_social"),
                    ("douyin", "paid_social")),
    "display": (("toutiao", "display"), ("baidu", "display")),
    "email": (("newsletter", "email"), ("nurture", "email")),
    "organic_social": (("wechat", "social"), ("zhihu", "social"), ("weibo", "social"),
                       ("linkedin", "social")),
    "organic_video": (("bilibili", "video"), ("douyin", "video")),
    "events": (("event", "offline"),),
    None: ((None, None),),
    "sales": (("crm", "offline"),),
}
#: Channels whose content touches are blog-post reads (the others' are content views).
_POST_CHANNELS = np.array([_CH["organic_search"], _CH["referral"], _CH["organic_social"]])
_PLATFORM = {"paid_search": "baidu", "paid_social": "wechat", "display": "toutiao",
             "email": "sendcloud", "organic_social": "wechat"}
_PAGES = ("/", "/pricing", "/product/sdk", "/product/cdp", "/product/cloud", "/docs",
          "/blog", "/cases", "/demo", "/contact", "/signup", "/events", "/about")
_REFERRERS = {"organic_search": "https://www.baidu.com/", "referral": "https://blog.csdn.net/",
              "organic_social": "https://weixin.qq.com/", "organic_video": "https://www.bilibili.com/"}
_TERMS = ("app analytics", "用户行为分析", "埋点 sdk", "cdp 平台", "营销自动化", "漏斗分析",
          "私有化部署 分析", "marketing automation")
#: lifecycle stages in order and the share of the previous level reaching each (K7)
STAGES = ("subscriber", "lead", "mql", "sql", "opportunity", "customer")
REACH = {"lead": 0.70, "mql": 0.55, "sql": 0.60, "opportunity": 0.65, "customer": 0.35}
IDENTIFIED = 0.70
#: NPS answers 0..10 (F2): ~47 % promoters, ~30 % passives, ~23 % detractors
NPS_P = (0.02, 0.01, 0.02, 0.03, 0.03, 0.05, 0.07, 0.12, 0.18, 0.22, 0.25)


def bench_world(*, end: dt.datetime = dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
                days: int = 730) -> World:
    """A fictional company for the benchmark: three products, six reps, ~120 campaigns,
    an event every ten days."""
    campaigns = []
    for c, channel in enumerate(CAMPAIGN_CHANNELS):
        every, length = (30, 60) if channel != "organic_social" else (45, 45)
        for n, first in enumerate(range(c * 5, days, every)):
            budget = {"paid_search": 3000.0, "paid_social": 2000.0, "display": 1500.0,
                      "email": 200.0, "organic_social": 300.0}[channel] * (1 + (n % 4) / 4)
            campaigns.append(Campaign(f"{channel.replace('_', '-')}-{n + 1:03d}", channel,
                                      first, min(first + length - 1, days - 1), budget,
                                      _PLATFORM[channel]))
    events = tuple(Event(f"ev-{n + 1:03d}", day, 1 + (n % 3 == 0), 20000.0 + 5000 * (n % 5),
                         f"event-{n + 1:03d}") for n, day in enumerate(range(8, days, 10)))
    products = (
        Product("sdk", 39_800.0, ("auto-capture", "funnels", "retention", "privacy-mode"), 0.5),
        Product("cdp", 360_000.0, ("identity-resolution", "tag-factory", "audience-builder"), 0.2),
        Product("cloud", 59_800.0, ("journeys", "omnichannel", "ab-testing", "attribution"), 0.3),
    )
    contents = tuple((f"c{n:04d}", slug) for n, slug in enumerate((
        "sdk-quickstart", "funnel-guide", "retention-playbook", "privacy-whitepaper",
        "cdp-buyers-guide", "identity-101", "journey-templates", "ab-testing-handbook",
        "case-retail", "case-gaming", "case-fintech", "webinar-replay", "pricing-faq",
        "benchmark-report", "tracking-plan-template", "attribution-explained"), start=1))
    return World(end=end, days=days, campaigns=tuple(campaigns), events=events,
                  products=products, owners=("rep01", "rep02", "rep03", "rep04", "rep05", "rep06"),
                  contents=contents)


# --- Manifest and cache ----------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    params: dict
    rows: dict[str, int]
    files: dict[str, int]
    path: Path = field(compare=False)

    @property
    def touchpoints(self) -> int:
        return self.rows["touchpoints"]


class SynthRefused(Exception):
    """The directory holds facts that this generator did not write: never overwritten."""


def _params(world: World, touchpoints: int, seed: int) -> dict:
    return {"generator": GENERATOR_VERSION, "touchpoints": touchpoints, "seed": seed,
            "chunk_touches": CHUNK_TOUCHES,
            "world": hashlib.sha256(json.dumps(world.describe(), sort_keys=True)
                                    .encode()).hexdigest()}


def read_manifest(out_dir: Path | str) -> Manifest | None:
    path = Path(out_dir) / MANIFEST
    if not path.exists():
        return None
    value = json.loads(path.read_text())
    return Manifest(value["params"], value["rows"], value["files"], path)


def _holds_facts(out_dir: Path) -> bool:
    return any((out_dir / name).is_dir() and any((out_dir / name).glob("date=*/*.parquet"))
               for name in TABLES)


def _clear(out_dir: Path) -> None:
    for name in TABLES:
        shutil.rmtree(out_dir / name, ignore_errors=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)


def is_cached(out_dir: Path | str, touchpoints: int, seed: int = 0, *,
              world: World | None = None) -> bool:
    """Whether ``out_dir`` holds the data set of these parameters (``cached`` reuses it)."""
    manifest = read_manifest(out_dir)
    return manifest is not None and manifest.params == _params(world or bench_world(),
                                                               touchpoints, seed)


def cached(out_dir: Path | str, touchpoints: int, seed: int = 0, *,
           world: World | None = None) -> tuple[Manifest, bool]:
    """The data set of these parameters in ``out_dir``: reused when its manifest matches,
    else (re)generated. Returns the manifest and whether it was generated now. Refuses
    (SynthRefused) a directory holding facts without a manifest of ours."""
    out_dir = Path(out_dir)
    world = world or bench_world()
    manifest = read_manifest(out_dir)
    if manifest is not None and manifest.params == _params(world, touchpoints, seed):
        return manifest, False
    if manifest is None and _holds_facts(out_dir):
        raise SynthRefused(f"{out_dir} holds facts that were not generated; not overwritten")
    _clear(out_dir)
    return generate(out_dir, touchpoints=touchpoints, seed=seed, world=world), True


# --- Generation -------------------------------------------------------------------------------


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _cat(values: Sequence[str | None], index: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """Strings picked from ``values`` by ``index`` (NULL where ``null`` or the value is None)."""
    values = list(values)
    none = np.array([v is None for v in values])
    mask = none[index] if none.any() else None
    if null is not None:
        mask = null if mask is None else (mask | null)
    dictionary = pa.array([v if v is not None else "" for v in values], pa.string())
    indices = pa.array(index.astype(np.int32), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())


def _ts(world_start_s: int, seconds: np.ndarray) -> pa.Array:
    return pa.array((world_start_s + seconds.astype(np.int64)) * US, TS)


def _hex16(rng: np.random.Generator, n: int) -> pa.Array:
    lut = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
    raw = rng.integers(0, 256, (n, 8), dtype=np.uint8)
    return pa.array(lut[raw].view("S16").reshape(-1)).cast(pa.string())


def _str_or_null(n: int, values: np.ndarray | None = None) -> pa.Array:
    return pa.nulls(n, pa.string()) if values is None else pa.array(values, pa.string())


class _Counters:
    """Running row numbers per table, for event ids unique across chunks."""

    def __init__(self):
        self.next = dict.fromkeys(TABLES, 0)

    def take(self, name: str, n: int) -> np.ndarray:
        start = self.next[name]
        self.next[name] = start + n
        return np.arange(start, start + n, dtype=np.int64)


@dataclass
class _Plan:
    counts: np.ndarray   # touches per person
    starts: np.ndarray   # journey start, in days from the start of the data
    lengths: np.ndarray  # journey length, in days


def _plan(touchpoints: int, seed: int, days: int) -> _Plan:
    rng = np.random.default_rng([seed, 0])
    persons = max(1, -(-touchpoints // MEAN_TOUCHES))
    counts = 1 + rng.poisson(MEAN_TOUCHES - 1, persons).astype(np.int64)
    # Exactly ``touchpoints`` in all: add or remove touches, one per person at a time.
    diff = touchpoints - int(counts.sum())
    while diff != 0:
        if diff > 0:
            take = min(diff, persons)
            counts[:take] += 1
            diff -= take
        else:
            able = np.flatnonzero(counts > 1)[: -diff]
            counts[able] -= 1
            diff += len(able)
    # Arrivals grow over time: density ∝ 1 + t (t in [0, 1]).
    u = rng.random(persons)
    starts = (np.sqrt(1 + 3 * u) - 1) * days
    lengths = np.minimum(rng.exponential(50.0, persons), days - starts - 1e-6)
    return _Plan(counts, starts, np.maximum(lengths, 0.0))


def _campaign_slots(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Per (channel, day): how many campaigns are active, and which (slots padded)."""
    active: dict[tuple[int, int], list[int]] = {}
    for k, campaign in enumerate(world.campaigns):
        for day in range(max(campaign.first, 0), min(campaign.last, world.days - 1) + 1):
            active.setdefault((_CH[campaign.channel], day), []).append(k)
    width = max((len(v) for v in active.values()), default=1)
    slots = np.zeros((len(_CHANNELS), world.days, width), dtype=np.int32)
    count = np.zeros((len(_CHANNELS), world.days), dtype=np.int32)
    for (c, day), ks in active.items():
        slots[c, day, :len(ks)] = ks
        count[c, day] = len(ks)
    return slots, count


def generate(out_dir: Path | str, *, touchpoints: int, seed: int = 0,
             world: World | None = None) -> Manifest:
    """Write the synthetic facts into the facts directory ``out_dir`` (created if needed)
    and a manifest of what was written. Deterministic in (touchpoints, seed, world)."""
    from django.test import override_settings

    from marketdesk.metrics import store

    if touchpoints < 1:
        raise ValueError("touchpoints must be at least 1")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    world = world or bench_world()
    (out_dir / MANIFEST).unlink(missing_ok=True)
    with override_settings(MARKETDESK_FACTS_DIR=out_dir):
        writer = _Writer(store)
        plan = _plan(touchpoints, seed, world.days)
        counters = _Counters()
        slots = _campaign_slots(world)
        persons = len(plan.counts)
        bounds = np.searchsorted(np.cumsum(plan.counts), np.arange(CHUNK_TOUCHES, touchpoints,
                                                                   CHUNK_TOUCHES), side="left")
        # A chunk boundary at a multiple of 3 persons keeps accounts inside one chunk.
        edges = [0, *sorted({int(b) - int(b) % 3 for b in bounds if 0 < b - b % 3 < persons}),
                 persons]
        for number, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
            rng = np.random.default_rng([seed, 1, number])
            for name, table in _person_chunk(world, rng, plan, lo, hi, counters, slots).items():
                writer.write(name, table)
        rng = np.random.default_rng([seed, 2])
        writer.write("spend", _spend(world, rng, counters))
        writer.write("social_stats", _social(world, rng, counters))
        for name in TABLES:
            if writer.chunks_per_table.get(name, 0) > 1:
                store.compact(name, min_files=1)
                # The superseded files have had no reader yet: purge them at once.
                store.compact(name, min_files=10**9,
                              now=time.time() + store.SUPERSEDED_GRACE.total_seconds())
        files = {name: len(store.files(name)) for name in TABLES}
    value = {"params": _params(world, touchpoints, seed), "rows": writer.rows, "files": files,
             "world": world.describe()}
    path = out_dir / MANIFEST
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False))
    temp.replace(path)
    return Manifest(value["params"], value["rows"], value["files"], path)


class _Writer:
    """Writes a table's rows as one file per UTC day (rows sorted by the day first)."""

    def __init__(self, store):
        self.store = store
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.chunks_per_table: dict[str, int] = {}

    def write(self, name: str, data: pa.Table) -> None:
        if data.num_rows == 0:
            return
        self.rows[name] += data.num_rows
        self.chunks_per_table[name] = self.chunks_per_table.get(name, 0) + 1
        micros = pc.cast(data.column("ts"), pa.int64())
        day = pc.divide(micros, DAY * US)  # integer division: ts >= 0
        keys = [("_day", "ascending"), *((k, "ascending") for k in TABLES[name].sort_key),
                ("event_id", "ascending")]
        order = pc.sort_indices(data.append_column("_day", day), sort_keys=keys)
        data = data.take(order)
        day = day.take(order).to_numpy()
        cuts = np.flatnonzero(np.diff(day)) + 1
        for lo, hi in zip([0, *cuts], [*cuts, len(day)], strict=True):
            self.store.write(name, data.slice(lo, hi - lo), sync=False)


def _person_chunk(world: World, rng: np.random.Generator, plan: _Plan, lo: int, hi: int,
                  counters: _Counters, slots: tuple[np.ndarray, np.ndarray]) -> dict[str, pa.Table]:
    """Every person-level fact of persons ``lo``..``hi``: touchpoints, identities,
    lifecycle, deals, usage, survey answers, sales activities."""
    days = world.days
    start_s = int(world.start.timestamp())
    end_s = days * DAY  # exclusive, in seconds from the start of the data
    n = plan.counts[lo:hi]
    P = len(n)
    gid = np.arange(lo, hi, dtype=np.int64)
    owner = np.repeat(np.arange(P), n)
    T = len(owner)
    first = np.cumsum(n) - n

    # --- touch times and channels
    offset = plan.starts[lo:hi][owner] + rng.random(T) * plan.lengths[lo:hi][owner]
    day = np.minimum(offset.astype(np.int64), days - 1)
    # Working hours in China: around 06:00 UTC (14:00 CST), sd 4 h.
    tod = np.mod(rng.normal(6 * 3600, 4 * 3600, T), DAY).astype(np.int64)
    shares = np.array([s for _, s, _, _ in CHANNEL_MIX])
    channel = rng.choice(len(CHANNEL_MIX), T, p=shares / shares.sum())
    event_type = np.full(T, -1, dtype=np.int64)
    event_ix = np.full(T, -1, dtype=np.int64)
    secs = day * DAY + tod
    _events(world, rng, channel, day, secs, event_type, event_ix, end_s)
    order = np.lexsort((secs, owner))
    secs, channel, event_type, event_ix = secs[order], channel[order], event_type[order], event_ix[order]
    # ~0.5 % of touches share the instant of the person's previous touch (ties: event id).
    pos = np.arange(T) - first[owner]
    tie = (rng.random(T) < 0.005) & (pos > 0) & (event_ix < 0)  # events keep their day
    secs[tie] = secs[np.flatnonzero(tie) - 1]
    day = secs // DAY

    # --- identification and the funnel (K7), per person
    identified = rng.random(P) < IDENTIFIED
    k_id = np.where(identified, (rng.random(P) * 0.4 * n).astype(np.int64), n)
    subscriber_first = identified & (rng.random(P) < 0.4)
    level = np.where(identified, 1, 0)  # 1 = subscriber/identified only
    reach = identified.copy()
    for number, stage in enumerate(STAGES[1:], start=2):
        reach = reach & (rng.random(P) < REACH[stage])
        level = np.where(reach, number, level)
    fractions = np.sort(rng.random((P, 5)), axis=1)
    room = np.maximum(n - k_id, 1)
    index = np.minimum(k_id[:, None] + (fractions * room[:, None]).astype(np.int64), n[:, None] - 1)
    index[:, 0] = np.where(subscriber_first, index[:, 0], k_id)  # lead at the form, or later
    index = np.maximum.accumulate(np.maximum(index, k_id[:, None]), axis=1)
    index = np.minimum(index, (n - 1)[:, None])
    touch_s = secs[first[:, None] + index]  # the touch just before each stage
    stage_s = touch_s + 60 * np.arange(1, 6)[None, :] + rng.integers(0, 50, (P, 5))
    # 0.5 % of customers convert exactly at a touch's instant (that touch is not eligible).
    exact = (rng.random(P) < 0.005) & (index[:, 4] > index[:, 3])
    stage_s[:, 4] = np.where(exact, touch_s[:, 4], stage_s[:, 4])
    id_s = secs[first + np.minimum(k_id, n - 1)]

    # --- sales meetings: ~35 % of a qualified person's touches between SQL and the close
    close_index = np.where(level >= 6, index[:, 4], np.where(level >= 5, n - 1, index[:, 2]))
    in_sales = ((level[owner] >= 4) & (pos > index[owner, 2]) & (pos <= close_index[owner])
                & (rng.random(T) < 0.35))
    channel[in_sales] = _CH["sales"]
    event_ix[in_sales] = -1

    # --- touch attributes
    ch_campaign = np.array([c for _, _, c, _ in CHANNEL_MIX] + [0.0])
    ch_content = np.array([c for _, _, _, c in CHANNEL_MIX] + [0.0])
    u = rng.random(T)
    is_event = event_ix >= 0
    campaign_ix = np.full(T, -1, dtype=np.int64)
    slot_table, slot_count = slots
    want = (u < ch_campaign[channel]) & ~is_event
    have = slot_count[channel, day]
    pick = want & (have > 0)
    choice = (rng.random(T) * np.maximum(have, 1)).astype(np.int64)
    campaign_ix[pick] = slot_table[channel[pick], day[pick], choice[pick]]
    campaign_names = [c.code for c in world.campaigns]
    event_campaigns = [e.campaign for e in world.events]
    campaign_values = campaign_names + event_campaigns + [None]
    campaign_index = np.where(campaign_ix >= 0, campaign_ix, len(campaign_values) - 1)
    campaign_index = np.where(is_event, len(campaign_names) + np.maximum(event_ix, 0), campaign_index)
    has_content = (rng.random(T) < ch_content[channel]) & ~is_event
    content_ix = rng.integers(0, len(world.contents), T)
    # event types by channel
    kinds = {name: i for i, name in enumerate(_EVENT_TYPES)}
    et = np.where(event_type >= 0, event_type, kinds["page_view"])
    paid = np.isin(channel, [_CH["paid_search"], _CH["paid_social"], _CH["display"]])
    et = np.where(paid, kinds["ad_click"], et)
    email = channel == _CH["email"]
    email_kind = rng.choice(np.array([kinds["email_delivered"], kinds["email_open"],
                                      kinds["email_click"], kinds["email_unsubscribe"]]),
                            T, p=[0.75, 0.19, 0.053, 0.007])
    et = np.where(email, email_kind, et)
    social = channel == _CH["organic_social"]
    et = np.where(social & (rng.random(T) < 0.6), kinds["social_engagement"], et)
    # A page view with content is a blog post read (K2) when the visitor came from search,
    # a referral or social; from a video or an ad it is a content view (F5).
    post = has_content & (et == kinds["page_view"]) & np.isin(channel, _POST_CHANNELS)
    et = np.where(has_content & ~post & (et == kinds["page_view"]), kinds["content_view"], et)
    web = (et == kinds["page_view"]) & ~post
    cta = rng.random(T)
    et = np.where(web & (cta < 0.01), kinds["cta_click"], np.where(web & (cta < 0.11),
                                                                    kinds["cta_view"], et))
    et = np.where(in_sales, kinds["sales_meeting"], et)
    form = first + np.minimum(k_id, n - 1)
    form = form[identified]
    et[form] = np.where(subscriber_first[identified], kinds["subscribe"], kinds["form_submit"])
    lead_touch = first + index[:, 0]
    later_lead = identified & subscriber_first & (level >= 2) & (index[:, 0] > k_id)
    et[lead_touch[later_lead]] = kinds["form_submit"]
    # source / medium
    src_values, src_index = [], np.zeros(T, dtype=np.int64)
    med_values = []
    for c, name in enumerate(_CHANNELS):
        options = _SOURCES[name]
        base = len(src_values)
        src_values.extend(s for s, _ in options)
        med_values.extend(m for _, m in options)
        rows = channel == c
        src_index[rows] = base + rng.integers(0, len(options), int(rows.sum()))
    webish = np.isin(et, [kinds[k] for k in ("page_view", "content_view", "form_submit",
                                             "cta_view", "cta_click", "ad_click", "subscribe")])
    page_ix = rng.integers(0, len(_PAGES), T)
    page_ix = np.where(post, len(_PAGES) + content_ix, page_ix)
    page_urls = ([f"https://www.example.com{p}" for p in _PAGES]
                 + [f"https://www.example.com/blog/{slug}" for _, slug in world.contents])
    referrer_values = [_REFERRERS.get(name) for name in _CHANNELS]
    is_person = pos >= k_id[owner]
    tp_ids = counters.take("touchpoints", T)
    pid = _ids("p", gid, 9)
    anon = _ids("a", gid, 9)
    account = _ids("acct", gid // 3, 8)
    person_rows = pa.array(owner)
    touch_person = pc.if_else(pa.array(is_person), pc.take(pid, person_rows),
                              pa.nulls(T, pa.string()))
    event_refs = [e.ref for e in world.events]
    touchpoints = pa.table({
        "event_id": _ids("t", tp_ids, 11),
        "ts": _ts(start_s, secs),
        "anonymous_id": pc.take(anon, person_rows),
        "person_id": touch_person,
        "account_id": pc.if_else(pa.array(is_person), pc.take(account, person_rows),
                                 pa.nulls(T, pa.string())),
        "event_type": _cat(_EVENT_TYPES, et),
        "channel": _cat(_CHANNELS, channel),
        "source": _cat(src_values, src_index),
        "medium": _cat(med_values, src_index),
        "campaign": _cat(campaign_values, campaign_index),
        "term": _cat(_TERMS, rng.integers(0, len(_TERMS), T), null=channel != _CH["paid_search"]),
        "content": _cat([s for _, s in world.contents], content_ix, null=~has_content),
        "content_id": _cat([c for c, _ in world.contents], content_ix, null=~has_content),
        "event_ref": _cat(event_refs or [None], np.maximum(event_ix, 0), null=~is_event),
        "url": _cat(page_urls, page_ix, null=~webish),
        "referrer": _cat(referrer_values, channel),
        "value": pa.nulls(T, pa.float64()),
        "properties": pa.nulls(T, pa.string()),
        "origin": pa.array(np.full(T, world.origin, dtype=object), pa.string()),
    })

    # --- identities: one per identified person, at the identifying touch
    who = np.flatnonzero(identified)
    identities = pa.table({
        "event_id": _ids("i", counters.take("identities", len(who)), 10),
        "ts": _ts(start_s, id_s[who]),
        "anonymous_id": pc.take(anon, pa.array(who)),
        "person_id": pc.take(pid, pa.array(who)),
        "email_hash": _hex16(rng, len(who)),
        "account_id": pc.take(account, pa.array(who)),
        "origin": pa.array(np.full(len(who), world.origin, dtype=object), pa.string()),
    })

    # --- deals (K3, K8, F5): products, owners, regions per person
    product_w = np.array([p.weight for p in world.products])
    product_ix = rng.choice(len(world.products), P, p=product_w / product_w.sum())
    price = np.array([p.price for p in world.products])[product_ix]
    owner_ix = rng.integers(0, len(world.owners), P)
    region_ix = rng.integers(0, len(world.regions), P)
    lifecycle = _lifecycle(world, rng, start_s, end_s, P, level, subscriber_first, id_s, stage_s,
                           gid, owner_ix, counters)
    deals, won_s, won_person = _deals(world, rng, start_s, end_s, level, stage_s, gid, product_ix,
                                      price, owner_ix, region_ix, counters)
    usage = _usage(world, rng, start_s, end_s, won_s, won_person, product_ix, gid, counters)
    survey = _survey(world, rng, start_s, end_s, won_s, won_person, product_ix, gid, counters)
    activities = _activities(world, rng, start_s, end_s, level, stage_s, secs, in_sales, owner,
                             gid, owner_ix, counters)
    return {"touchpoints": touchpoints, "identities": identities, "lifecycle": lifecycle,
            "deals": deals, "usage": usage, "survey_responses": survey,
            "sales_activities": activities}


_EVENT_TYPES = ("page_view", "form_submit", "cta_view", "cta_click", "email_delivered",
                "email_open", "email_click", "email_unsubscribe", "ad_click",
                "social_engagement", "content_view", "event_registered", "event_attended",
                "sales_meeting", "subscribe", "custom")


def _events(world: World, rng, channel, day, secs, event_type, event_ix, end_s) -> None:
    """Event touches: registered in the 30 days before an event, or attended on its days
    (only events that have happened); with no event near, the touch is a direct visit."""
    rows = np.flatnonzero(channel == _CH["events"])
    if not world.events:
        channel[rows] = _CH["direct"]
        return
    order = np.argsort([e.day for e in world.events], kind="stable")
    starts = np.array([world.events[i].day for i in order])
    lengths = np.array([world.events[i].days for i in order])
    j = np.searchsorted(starts, day[rows], side="left")
    has_next = j < len(starts)
    jn = np.minimum(j, len(starts) - 1)
    near = has_next & (starts[jn] - day[rows] <= 30)
    attend = near & (rng.random(len(rows)) < 0.5)
    attend_day = starts[jn] + (rng.random(len(rows)) * lengths[jn]).astype(np.int64)
    attend &= attend_day * DAY + secs[rows] % DAY < end_s
    kinds = {name: i for i, name in enumerate(_EVENT_TYPES)}
    event_type[rows[near]] = kinds["event_registered"]
    event_type[rows[attend]] = kinds["event_attended"]
    event_ix[rows[near]] = order[jn[near]]
    moved = rows[attend]
    secs[moved] = attend_day[attend] * DAY + secs[moved] % DAY
    day[moved] = attend_day[attend]
    channel[rows[~near]] = _CH["direct"]


def _lifecycle(world, rng, start_s, end_s, P, level, subscriber_first, id_s, stage_s, gid,
               owner_ix, counters) -> pa.Table:
    persons, stages, seconds = [], [], []
    subscriber = np.flatnonzero(subscriber_first)
    persons.append(subscriber)
    stages.append(np.zeros(len(subscriber), dtype=np.int64))
    seconds.append(id_s[subscriber])
    for number in range(1, 6):  # lead … customer
        at = np.flatnonzero(level >= number + 1)
        if number == 2:  # ~2 % of MQL stages never recorded (a skipped stage)
            at = at[rng.random(len(at)) >= 0.02]
        persons.append(at)
        stages.append(np.full(len(at), number, dtype=np.int64))
        seconds.append(stage_s[at, number - 1])
    person = np.concatenate(persons)
    stage = np.concatenate(stages)
    sec = np.concatenate(seconds)
    # Noise: ~3 % repeated later (a CRM re-sync), ~2 % back-dated by up to 40 days.
    again = rng.random(len(person)) < 0.03
    person = np.concatenate([person, person[again]])
    stage = np.concatenate([stage, stage[again]])
    sec = np.concatenate([sec, sec[again] + rng.integers(3600, 20 * DAY, int(again.sum()))])
    back = rng.random(len(person)) < 0.02
    sec[back] -= rng.integers(DAY, 40 * DAY, int(back.sum()))
    keep = (sec >= 0) & (sec < end_s)
    person, stage, sec = person[keep], stage[keep], sec[keep]
    rows = pa.array(person)
    return pa.table({
        "event_id": _ids("l", counters.take("lifecycle", len(person)), 10),
        "ts": _ts(start_s, sec),
        "person_id": pc.take(_ids("p", gid, 9), rows),
        "account_id": pc.take(_ids("acct", gid // 3, 8), rows),
        "stage": _cat(STAGES, stage),
        "owner": _cat(world.owners, owner_ix[person], null=stage < 3),
        "origin": pa.array(np.full(len(person), world.origin, dtype=object), pa.string()),
    })


def _deals(world, rng, start_s, end_s, level, stage_s, gid, product_ix, price, owner_ix,
           region_ix, counters):
    opp = np.flatnonzero(level >= 5)
    opp = opp[stage_s[opp, 3] < end_s]  # an opportunity opened after the end is not there yet
    won = level[opp] >= 6
    amount = np.round(price[opp] * rng.lognormal(0.0, 0.35, len(opp)), -2)
    recurring = rng.random(len(opp)) < 0.85
    open_s = stage_s[opp, 3]
    lost = ~won & (rng.random(len(opp)) < 0.8)
    close_s = np.where(won, stage_s[opp, 4], open_s + rng.integers(7 * DAY, 60 * DAY, len(opp)))
    closes = (won | lost) & (close_s < end_s)
    # 10 % of customers sign a second deal later (several deals per person).
    second = won & (rng.random(len(opp)) < 0.10)
    second_open = close_s + rng.integers(14 * DAY, 120 * DAY, len(opp))
    second_close = second_open + rng.integers(5 * DAY, 30 * DAY, len(opp))
    second_amount = np.round(amount * rng.uniform(0.3, 0.8, len(opp)), -2)
    second &= second_open < end_s
    second_won = second & (second_close < end_s)
    parts = [  # (persons (index into opp), deal number, stage, seconds, amount)
        (np.arange(len(opp)), 1, "open", open_s, amount),
        (np.flatnonzero(closes & won), 1, "closed_won", close_s, amount),
        (np.flatnonzero(closes & ~won), 1, "closed_lost", close_s, amount),
        (np.flatnonzero(second), 2, "open", second_open, second_amount),
        (np.flatnonzero(second_won), 2, "closed_won", second_close, second_amount),
    ]
    which = np.concatenate([p[0] for p in parts])
    number = np.concatenate([np.full(len(p[0]), p[1]) for p in parts])
    stage = np.concatenate([np.full(len(p[0]), ("open", "closed_won", "closed_lost").index(p[2]))
                            for p in parts])
    sec = np.concatenate([p[3][p[0]] for p in parts])
    value = np.concatenate([p[4][p[0]] for p in parts])
    person = opp[which]
    deal_ids = pc.binary_join_element_wise(_ids("d", gid[person], 9),
                                           _cat(["-1", "-2"], number - 1), "")
    rows = pa.array(person)
    table = pa.table({
        "event_id": _ids("dr", counters.take("deals", len(person)), 10),
        "ts": _ts(start_s, sec),
        "deal_id": deal_ids,
        "person_id": pc.take(_ids("p", gid, 9), rows),
        "account_id": pc.take(_ids("acct", gid // 3, 8), rows),
        "stage": _cat(("open", "closed_won", "closed_lost"), stage),
        "amount": pa.array(value, pa.float64()),
        "currency": pa.array(np.full(len(person), "CNY", dtype=object), pa.string()),
        "recurring": pa.array(recurring[which]),
        "owner": _cat(world.owners, owner_ix[person]),
        "product": _cat([p.key for p in world.products], product_ix[person]),
        "region": _cat(world.regions, region_ix[person]),
        "origin": pa.array(np.full(len(person), world.origin, dtype=object), pa.string()),
    })
    is_won = stage == 1
    return table, sec[is_won], person[is_won]


def _usage(world, rng, start_s, end_s, won_s, won_person, product_ix, gid, counters) -> pa.Table:
    """Feature use of customers' accounts after the deal: each feature adopted with
    p = 0.6 — one activation event (F5), then a few ordinary uses."""
    first_won = np.unique(won_person, return_index=True)
    person = first_won[0]
    when = won_s[first_won[1]]
    features = [(p, f) for p, product in enumerate(world.products) for f in product.features]
    names = [world.products[p].feature_name(f) for p, f in features]
    by_product = [[k for k, (p, _f) in enumerate(features) if p == q] for q in range(len(world.products))]
    widest = max(len(v) for v in by_product)
    table = np.array([v + [v[-1]] * (widest - len(v)) for v in by_product])
    sizes = np.array([len(v) for v in by_product])
    person_rows, feature_rows, seconds, activation = [], [], [], []
    for slot in range(widest):
        has = (slot < sizes[product_ix[person]]) & (rng.random(len(person)) < 0.6)
        who = person[has]
        feature = table[product_ix[who], slot]
        act = when[has] + rng.integers(DAY, 60 * DAY, len(who))
        person_rows.append(who)
        feature_rows.append(feature)
        seconds.append(act)
        activation.append(np.ones(len(who), dtype=bool))
        uses = rng.poisson(6, len(who))
        owner = np.repeat(np.arange(len(who)), uses)
        person_rows.append(who[owner])
        feature_rows.append(feature[owner])
        seconds.append(act[owner] + rng.integers(60, 90 * DAY, len(owner)))
        activation.append(np.zeros(len(owner), dtype=bool))
    person = np.concatenate(person_rows)
    feature = np.concatenate(feature_rows)
    sec = np.concatenate(seconds)
    act = np.concatenate(activation)
    keep = sec < end_s
    person, feature, sec, act = person[keep], feature[keep], sec[keep], act[keep]
    content = act & (rng.random(len(person)) < 0.2)  # in-product conversion from content
    content_ix = rng.integers(0, len(world.contents), len(person))
    rows = pa.array(person)
    return pa.table({
        "event_id": _ids("u", counters.take("usage", len(person)), 11),
        "ts": _ts(start_s, sec),
        "account_id": pc.take(_ids("acct", gid // 3, 8), rows),
        "person_id": pc.take(_ids("p", gid, 9), rows),
        "feature": _cat(names, feature),
        "product": _cat([p.key for p in world.products], np.array([f[0] for f in features])[feature]),
        "is_activation": pa.array(act),
        "content_id": _cat([c for c, _ in world.contents], content_ix, null=~content),
        "origin": pa.array(np.full(len(person), world.origin, dtype=object), pa.string()),
    })


def _survey(world, rng, start_s, end_s, won_s, won_person, product_ix, gid, counters) -> pa.Table:
    """NPS answers (F2): 40 % of customers answer once, 7–60 days after the deal."""
    first_won = np.unique(won_person, return_index=True)
    person, when = first_won[0], won_s[first_won[1]]
    answers = rng.random(len(person)) < 0.4
    person, when = person[answers], when[answers]
    sec = when + rng.integers(7 * DAY, 60 * DAY, len(person))
    score = rng.choice(11, len(person), p=NPS_P)
    keep = sec < end_s
    person, sec, score = person[keep], sec[keep], score[keep]
    comments = ("上手很快 Quick to set up", "文档清晰 Clear docs", "希望支持更多渠道 More channels please",
                "价格偏高 A bit expensive", "客服响应慢 Slow support")
    has_comment = rng.random(len(person)) < 0.15
    comment_ix = np.where(score >= 9, rng.integers(0, 2, len(person)),
                          rng.integers(2, len(comments), len(person)))
    rows = pa.array(person)
    return pa.table({
        "event_id": _ids("s", counters.take("survey_responses", len(person)), 10),
        "ts": _ts(start_s, sec),
        "survey": pa.array(np.full(len(person), "relationship-nps", dtype=object), pa.string()),
        "person_id": pc.take(_ids("p", gid, 9), rows),
        "account_id": pc.take(_ids("acct", gid // 3, 8), rows),
        "product": _cat([p.key for p in world.products], product_ix[person]),
        "score": pa.array(score.astype(np.int16)),
        "comment": _cat(comments, comment_ix, null=~has_comment),
        "origin": pa.array(np.full(len(person), world.origin, dtype=object), pa.string()),
    })


def _activities(world, rng, start_s, end_s, level, stage_s, secs, in_sales, owner, gid, owner_ix,
                counters) -> pa.Table:
    """Sales activities (K8): every sales-meeting touch is a meeting; qualified persons also
    get calls and emails between SQL and a month after."""
    meet = np.flatnonzero(in_sales)
    meet_person = owner[meet]
    qualified = np.flatnonzero(level >= 4)
    k = rng.poisson(4, len(qualified))
    person = np.repeat(qualified, k)
    sec = stage_s[person, 2] + rng.integers(600, 30 * DAY, len(person))
    kind = rng.integers(0, 2, len(person))  # call, email
    all_person = np.concatenate([meet_person, person])
    all_sec = np.concatenate([secs[meet], sec])
    all_kind = np.concatenate([np.full(len(meet), 2), kind])
    keep = all_sec < end_s
    all_person, all_sec, all_kind = all_person[keep], all_sec[keep], all_kind[keep]
    with_deal = level[all_person] >= 5
    rows = pa.array(all_person)
    return pa.table({
        "event_id": _ids("sa", counters.take("sales_activities", len(all_person)), 10),
        "ts": _ts(start_s, all_sec),
        "owner": _cat(world.owners, owner_ix[all_person]),
        "person_id": pc.take(_ids("p", gid, 9), rows),
        "account_id": pc.take(_ids("acct", gid // 3, 8), rows),
        "deal_id": pc.if_else(pa.array(with_deal),
                              pc.binary_join_element_wise(pc.take(_ids("d", gid, 9), rows), "-1", ""),
                              pa.nulls(len(all_person), pa.string())),
        "kind": _cat(("call", "email", "meeting"), all_kind),
        "origin": pa.array(np.full(len(all_person), world.origin, dtype=object), pa.string()),
    })


def _spend(world: World, rng, counters: _Counters) -> pa.Table:
    """Daily spend per campaign while it runs (noon, team zone = 04:00 UTC) and each
    event's cost on its first day (only events that have happened)."""
    start_s = int(world.start.timestamp())
    campaign, day, amount = [], [], []
    for k, c in enumerate(world.campaigns):
        span = np.arange(max(c.first, 0), min(c.last, world.days - 1) + 1)
        campaign.append(np.full(len(span), k))
        day.append(span)
        amount.append(np.round(c.daily_budget * rng.lognormal(0.0, 0.25, len(span)), 2))
    campaign_ix = np.concatenate(campaign) if campaign else np.zeros(0, dtype=np.int64)
    days = np.concatenate(day) if day else np.zeros(0, dtype=np.int64)
    amounts = np.concatenate(amount) if amount else np.zeros(0)
    events = [e for e in world.events if 0 <= e.day < world.days and e.cost > 0]
    n_c, n_e = len(campaign_ix), len(events)
    n = n_c + n_e
    channel = [_CH[c.channel] for c in world.campaigns]
    ch = np.concatenate([np.array(channel, dtype=np.int64)[campaign_ix] if n_c else
                         np.zeros(0, dtype=np.int64), np.full(n_e, _CH["events"])])
    codes = [c.code for c in world.campaigns] + [e.campaign for e in events]
    refs = [None] * len(world.campaigns) + [e.ref for e in events]
    platforms = [c.platform for c in world.campaigns] + [None] * n_e
    pick = np.concatenate([campaign_ix, len(world.campaigns) + np.arange(n_e)]).astype(np.int64)
    sec = np.concatenate([days, np.array([e.day for e in events], dtype=np.int64)]) * DAY + 4 * 3600
    return pa.table({
        "event_id": _ids("sp", counters.take("spend", n), 9),
        "ts": _ts(start_s, sec),
        "channel": _cat(_CHANNELS, ch),
        "campaign": _cat(codes or [None], pick),
        "content_id": pa.nulls(n, pa.string()),
        "event_ref": _cat(refs or [None], pick),
        "amount": pa.array(np.concatenate([amounts, [e.cost for e in events]]), pa.float64()),
        "currency": pa.array(np.full(n, "CNY", dtype=object), pa.string()),
        "platform": _cat(platforms or [None], pick),
        "origin": pa.array(np.full(n, world.origin, dtype=object), pa.string()),
    })


def _social(world: World, rng, counters: _Counters) -> pa.Table:
    """Daily statistics per social account (K4): followers grow, reach and engagement
    follow the posts; WeChat rows carry an article with reads, shares and leads."""
    start_s = int(world.start.timestamp())
    handles = world.social_handles
    H, D = len(handles), world.days
    base = np.array([20_000, 8_000, 5_000, 3_000, 1_500])[np.arange(H) % 5]
    growth = rng.poisson(np.repeat((base / 400)[:, None], D, axis=1))
    followers = base[:, None] + np.cumsum(growth, axis=1)
    posts = rng.poisson(1.2, (H, D))
    reach = (followers * rng.uniform(0.05, 0.25, (H, D)) * (posts > 0) + rng.poisson(50, (H, D))).astype(np.int64)
    impressions = (reach * rng.uniform(1.2, 2.0, (H, D))).astype(np.int64)
    engagements = rng.binomial(reach, 0.03)
    wechat = np.array([p == "wechat" for p, _ in handles])[:, None] & (posts > 0)
    reads = np.where(wechat, rng.binomial(reach, 0.4), 0)
    shares = np.where(wechat, rng.binomial(reads, 0.05), 0)
    leads = rng.binomial(engagements, 0.02)
    handle_ix = np.repeat(np.arange(H), D)
    days = np.tile(np.arange(D), H)
    n = H * D
    article = wechat.reshape(-1)
    article_ids = _ids("wx", np.arange(n), 6)
    return pa.table({
        "event_id": _ids("so", counters.take("social_stats", n), 9),
        "ts": _ts(start_s, days * DAY + 4 * 3600),
        "platform": _cat([p for p, _ in handles], handle_ix),
        "handle": _cat([h for _, h in handles], handle_ix),
        "followers": pa.array(followers.reshape(-1).astype(np.int64)),
        "reach": pa.array(reach.reshape(-1)),
        "impressions": pa.array(impressions.reshape(-1)),
        "engagements": pa.array(engagements.reshape(-1).astype(np.int64)),
        "posts": pa.array(posts.reshape(-1).astype(np.int64)),
        "article_id": pc.if_else(pa.array(article), article_ids, pa.nulls(n, pa.string())),
        "reads": pa.array(np.where(article, reads.reshape(-1), 0).astype(np.int64),
                          mask=~article),
        "shares": pa.array(np.where(article, shares.reshape(-1), 0).astype(np.int64),
                           mask=~article),
        "leads": pa.array(leads.reshape(-1).astype(np.int64)),
        "origin": pa.array(np.full(n, world.origin, dtype=object), pa.string()),
    })


def digest(out_dir: Path | str) -> str:
    """A hash of the facts' content: per table and partition, the sorted hashes of its
    Parquet files (file names are random; their bytes are deterministic)."""
    out_dir = Path(out_dir)
    lines = []
    for name in sorted(TABLES):
        for path in sorted((out_dir / name).glob("date=*/*.parquet")):
            lines.append(f"{name}/{path.parent.name}/{hashlib.sha256(path.read_bytes()).hexdigest()}")
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
