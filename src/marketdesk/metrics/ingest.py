"""Ingest: every fact enters the analytics store through here (O14, decision 0006).

:func:`prepare` validates and normalises rows for one fact table and returns the good
rows as an Arrow table conformed to the schema, with one :class:`FactError` per refused
value (row, column, reason). :func:`ingest` prepares, then writes all-or-nothing (or only
the good rows with ``skip_bad_rows``) through ``store.append``, which de-duplicates by
``event_id`` and returns only once the files are durable.

Validation: the required columns of the table; types (``ts`` an aware datetime or ISO 8601
text with an offset — a naive time is read on the clock of ``tz`` —, numbers, whole
numbers, booleans); the vocabularies of ``schema`` (event type, channel, lifecycle stage,
deal stage, activity kind); an NPS score 0–10; amounts and counts finite and not negative;
text at most 200 characters (URLs 2,000, comments 2,000, properties 10,000); properties a
JSON object; an e-mail hash a SHA-256 hex digest (never an address).

Normalisation: text trimmed and ``""`` → NULL; UTM values (source, medium, campaign,
term, content) lower-cased; vocabulary values lower-cased; currency upper-cased; times to
UTC; a touchpoint without a channel gets GA4's default channel group (``channels``); a
touchpoint with only an ``anonymous_id`` gets the ``person_id`` of an identity already
stored (stitching, one set-based DuckDB query per batch).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from marketdesk.metrics import channels, schema, store

UTC = dt.UTC

#: Longest text per column; every other text column is capped at DEFAULT_MAX_LENGTH.
MAX_LENGTHS = {"url": 2000, "referrer": 2000, "comment": 2000, "properties": 10_000}
DEFAULT_MAX_LENGTH = 200
#: UTM columns: trimmed and lower-cased (O14), wherever a table has them.
UTM_COLUMNS = frozenset({"source", "medium", "campaign", "term", "content"})
VOCABULARIES: dict[tuple[str, str], tuple[str, ...]] = {
    ("touchpoints", "event_type"): schema.EVENT_TYPES,
    ("touchpoints", "channel"): schema.CHANNELS,
    ("spend", "channel"): schema.CHANNELS,
    ("lifecycle", "stage"): schema.LIFECYCLE_STAGES,
    ("deals", "stage"): schema.DEAL_STAGES,
    ("sales_activities", "kind"): schema.ACTIVITY_KINDS,
}
_VOCABULARY_NAMES = {
    "event_type": "event type", "channel": "channel", "stage": "stage", "kind": "activity kind",
}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
#: The earliest and latest times a fact may carry (a typo like year 20026 is refused).
TS_MIN = dt.datetime(1990, 1, 1, tzinfo=UTC)
TS_MAX = dt.datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class FactError:
    """One refused value."""

    #: 1-based position in the batch (imports pass their own file row numbers)
    row: int
    #: the column ("" for the whole row)
    field: str
    #: a translated sentence naming the value
    reason: str


@dataclass(frozen=True)
class IngestResult:
    table: str
    received: int
    written: int
    duplicates: int
    errors: tuple[FactError, ...]
    #: nothing was written because of errors (all-or-nothing)
    refused: bool

    def as_dict(self) -> dict:
        return {"table": self.table, "received": self.received, "written": self.written,
                "duplicates": self.duplicates, "refused": self.refused,
                "errors": [{"row": e.row, "field": e.field, "reason": e.reason}
                           for e in self.errors]}


class _Bad(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _shown(value, limit: int = 60) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --- value checkers: raw value → stored value, or _Bad(reason) ---------------------------
# Each returns None for a missing value; "required" is checked afterwards.

def _text(limit: int, *, lower: bool = False, upper: bool = False):
    def check(value):
        if value is None:
            return None
        if type(value) is not str:
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)  # a numeric id from a CRM
            else:
                raise _Bad(_("“%(value)s” is not text.") % {"value": _shown(value)})
        value = value.strip()
        if not value:
            return None
        if len(value) > limit:
            raise _Bad(_("“%(value)s” is longer than %(max)d characters.") % {
                "value": _shown(value, 40), "max": limit})
        if lower:
            value = value.lower()
        elif upper:
            value = value.upper()
        return value
    return check


def _vocabulary(column: str, values: tuple[str, ...]):
    base = _text(DEFAULT_MAX_LENGTH, lower=True)
    allowed = frozenset(values)
    name = _VOCABULARY_NAMES[column]

    def check(value):
        value = base(value)
        if value is not None and value not in allowed:
            raise _Bad(_("“%(value)s” is not a known %(name)s; expected one of: %(allowed)s.") % {
                "value": _shown(value), "name": _(name), "allowed": ", ".join(values)})
        return value
    return check


def _currency(value):
    value = _text(DEFAULT_MAX_LENGTH, upper=True)(value)
    if value is not None and not _CURRENCY.match(value):
        raise _Bad(_("“%(value)s” is not a currency code (three letters, e.g. CNY).") % {
            "value": _shown(value)})
    return value


def _email_hash(value):
    value = _text(DEFAULT_MAX_LENGTH, lower=True)(value)
    if value is not None and not _SHA256.match(value):
        raise _Bad(_("“%(value)s” is not a SHA-256 hex digest: send the hash of the e-mail "
                     "address, never the address.") % {"value": _shown(value, 20)})
    return value


def _number(value):
    if value is None:
        return None
    if type(value) is float or (isinstance(value, int) and not isinstance(value, bool)):
        number = float(value)
    elif isinstance(value, Decimal):
        number = float(value)
    elif isinstance(value, str) and value.strip():
        try:
            number = float(Decimal(value.strip()))
        except InvalidOperation:
            raise _Bad(_("“%(value)s” is not a number.") % {"value": _shown(value)}) from None
    elif isinstance(value, str):
        return None
    else:
        raise _Bad(_("“%(value)s” is not a number.") % {"value": _shown(value)})
    if not math.isfinite(number):
        raise _Bad(_("“%(value)s” is not a finite number.") % {"value": _shown(value)})
    if number < 0:
        raise _Bad(_("“%(value)s” is negative; it must be 0 or more.") % {"value": _shown(value)})
    return number


def _whole(value):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        if isinstance(value, bool):
            raise _Bad(_("“%(value)s” is not a whole number.") % {"value": _shown(value)})
        as_float = _number(value)
        if as_float is None:
            return None
        if not as_float.is_integer():
            raise _Bad(_("“%(value)s” is not a whole number.") % {"value": _shown(value)})
        number = int(as_float)
    if number < 0:
        raise _Bad(_("“%(value)s” is negative; it must be 0 or more.") % {"value": _shown(value)})
    if number > 2**62:
        raise _Bad(_("“%(value)s” is too large.") % {"value": _shown(value)})
    return number


def _score(value):
    try:
        number = value if isinstance(value, int) and not isinstance(value, bool) else _whole(value)
    except _Bad:
        number = -1
    if number is not None and not 0 <= number <= 10:
        raise _Bad(_("“%(value)s” is not a score from 0 to 10.") % {"value": _shown(value)})
    return number


_TRUE = frozenset({"true", "1", "yes", "y"})
_FALSE = frozenset({"false", "0", "no", "n"})


def _boolean(value):
    if value is None or type(value) is bool:
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise _Bad(_("“%(value)s” is not true or false.") % {"value": _shown(value)})


def _properties(value):
    if value is None:
        return None
    if isinstance(value, Mapping):
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            raise _Bad(_("The properties cannot be written as JSON.")) from None
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            parsed = json.loads(text)
        except ValueError:
            raise _Bad(_("“%(value)s” is not JSON text.") % {"value": _shown(text)}) from None
        if not isinstance(parsed, dict):
            raise _Bad(_("“%(value)s” is not a JSON object.") % {"value": _shown(text)})
    else:
        raise _Bad(_("“%(value)s” is not a JSON object.") % {"value": _shown(value)})
    limit = MAX_LENGTHS["properties"]
    if len(text) > limit:
        raise _Bad(_("The properties are longer than %(max)d characters.") % {"max": limit})
    return text


def _timestamp(tz: dt.tzinfo):
    def check(value):
        if value is None:
            return None
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            try:
                value = dt.datetime.fromisoformat(text)
            except ValueError:
                raise _Bad(_("“%(value)s” is not a date and time in ISO 8601 (e.g. "
                             "2026-03-01T09:30:00+08:00).") % {"value": _shown(text)}) from None
        elif type(value) is dt.date:
            value = dt.datetime.combine(value, dt.time())
        elif not isinstance(value, dt.datetime):
            raise _Bad(_("“%(value)s” is not a date and time.") % {"value": _shown(value)})
        if value.tzinfo is None or value.utcoffset() is None:
            value = value.replace(tzinfo=tz)
        value = value.astimezone(UTC)
        if not TS_MIN <= value < TS_MAX:
            raise _Bad(_("“%(value)s” is not between 1990 and 2100.") % {
                "value": value.isoformat()})
        return value
    return check


def _checkers(table: schema.Table, tz: dt.tzinfo) -> dict[str, object]:
    checks = {}
    for field in table.schema:
        name, kind = field.name, field.type
        if (table.name, name) in VOCABULARIES:
            checks[name] = _vocabulary(name, VOCABULARIES[(table.name, name)])
        elif name == "ts":
            checks[name] = _timestamp(tz)
        elif name == "properties":
            checks[name] = _properties
        elif name == "email_hash":
            checks[name] = _email_hash
        elif name == "currency":
            checks[name] = _currency
        elif name == "score":
            checks[name] = _score
        elif pa.types.is_string(kind):
            checks[name] = _text(MAX_LENGTHS.get(name, DEFAULT_MAX_LENGTH),
                                 lower=name in UTM_COLUMNS)
        elif pa.types.is_floating(kind):
            checks[name] = _number
        elif pa.types.is_integer(kind):
            checks[name] = _whole
        elif pa.types.is_boolean(kind):
            checks[name] = _boolean
        else:  # pragma: no cover — a schema type this module does not know
            raise TypeError(f"no checker for {table.name}.{name} ({kind})")
    return checks


def _own_domains() -> tuple[str, ...]:
    return tuple(getattr(settings, "MARKETDESK_OWN_DOMAINS", ()) or ())


def prepare(table: str, rows: Sequence[Mapping], *, tz: dt.tzinfo = UTC,
            row_numbers: Sequence[int] | None = None) -> tuple[pa.Table, list[FactError]]:
    """Validate and normalise ``rows`` for one fact table: the good rows conformed to
    ``schema.TABLES[table]``, and one error per refused value (a row with any error is
    left out whole). Raises ``ValueError`` for an unknown table."""
    spec = schema.TABLES.get(table)
    if spec is None:
        raise ValueError(f"unknown fact table {table!r}")
    if row_numbers is not None and len(row_numbers) != len(rows):
        raise ValueError("row_numbers must have one number per row")
    numbers = row_numbers if row_numbers is not None else range(1, len(rows) + 1)
    known = frozenset(spec.columns)
    # Column by column: a column no row fills costs one list scan, and each checker runs
    # only over the values present.
    found: list[tuple[int, int, FactError]] = []  # (position, column order, error)
    bad: set[int] = set()
    mappings = []
    for position, (number, row) in enumerate(zip(numbers, rows, strict=True)):
        if not isinstance(row, Mapping):
            found.append((position, -1, FactError(number, "", _(
                "The row is not an object of column values."))))
            bad.add(position)
            mappings.append({})
            continue
        mappings.append(row)
        if not known.issuperset(row.keys()):
            for key in row:
                if key not in known:
                    found.append((position, -1, FactError(number, str(key), _(
                        "“%(column)s” is not a column of the %(table)s table.") % {
                        "column": _shown(str(key), 40), "table": table})))
            bad.add(position)
    count = len(mappings)
    not_objects = {position for position, row in enumerate(rows) if not isinstance(row, Mapping)}
    columns: dict[str, list] = {}
    for order, (name, check) in enumerate(_checkers(spec, tz).items()):
        values = [row.get(name) for row in mappings]
        missing = values.count(None)
        if missing < count:
            for position, value in enumerate(values):
                if value is None:
                    continue
                try:
                    values[position] = check(value)
                except _Bad as exc:
                    found.append((position, order, FactError(numbers[position], name, exc.reason)))
                    bad.add(position)
        if name in spec.required and None in values:
            for position, value in enumerate(values):
                if value is None and position not in not_objects:
                    found.append((position, order, FactError(
                        numbers[position], name, _("“%(column)s” is required.") % {
                            "column": name})))
                    bad.add(position)
        columns[name] = values
    found.sort(key=lambda item: (item[0], item[1]))
    errors = [error for _position, _order, error in found]
    if bad:
        keep = [position for position in range(count) if position not in bad]
        columns = {name: [values[p] for p in keep] for name, values in columns.items()}
    if table == "touchpoints":
        own = _own_domains()
        channel = columns["channel"]
        for i, value in enumerate(channel):
            if value is None:
                channel[i] = channels.derive(
                    columns["source"][i], columns["medium"][i], columns["campaign"][i],
                    columns["referrer"][i], columns["url"][i], columns["event_type"][i], own)
    data = pa.Table.from_arrays([pa.array(columns[f.name], f.type) for f in spec.schema],
                                schema=spec.schema)
    return data, errors


# --- writing ---------------------------------------------------------------------------------

class _Identities:
    """The identities already stored, for stitching at ingest: one DuckDB connection of the
    store (locked down like every other) holding a table of (anonymous_id, person_id, ts)
    loaded from the identity files, topped up with the files written since the last batch
    — so a batch costs one query, not a scan of every identity file. A file that
    compaction rewrote is read again (its rows are already known: arg_max is unchanged)."""

    def __init__(self, root):
        self.root = root
        self.con = store.duckdb_connection(["identities"])
        self.con.execute("CREATE TABLE known (anonymous_id VARCHAR, person_id VARCHAR,"
                         " ts TIMESTAMPTZ)")
        self.loaded: set[str] = set()
        self.lock = threading.Lock()
        self.signal: int | None = None
        self.listed = 0.0
        self.size = 0

    def _top_up(self) -> None:
        # Listing the files costs a walk of every partition: do it only when the intake
        # counters say identities were written since (by any process), or every minute
        # (files written around ingest: bulk loads, compaction).
        signal = store.id_index().written("identities")
        now = time.monotonic()
        if signal == self.signal and now - self.listed < 60:
            return
        self.signal, self.listed = signal, now
        new = [str(p) for p in store.files("identities") if str(p) not in self.loaded]
        if not new:
            return
        listing = ", ".join("'" + p.replace("'", "''") + "'" for p in new)
        self.con.execute("INSERT INTO known SELECT anonymous_id, person_id, ts FROM"
                         f" read_parquet([{listing}])")
        self.loaded.update(new)
        self.size = self.con.execute("SELECT count(*) FROM known").fetchone()[0]

    def add(self, data: pa.Table, written: int, paths) -> None:
        """Identities this process has just stored: known at once, without reading back
        their files (nor listing the directory for them)."""
        with self.lock:
            if self.signal is None:
                return  # not loaded yet: the first lookup reads every file
            rows = data.select(["anonymous_id", "person_id", "ts"])
            self.con.register("_new_identities", rows)
            try:
                self.con.execute("INSERT INTO known SELECT * FROM _new_identities")
            finally:
                self.con.unregister("_new_identities")
            self.loaded.update(str(p) for p in paths)
            self.signal += written
            self.size += rows.num_rows

    def persons(self, anonymous_ids: list[str]) -> pa.Table:
        """(anonymous_id, person_id) of the ids known: the latest identity of each."""
        with self.lock:
            self._top_up()
            if not self.size:
                return pa.table({"anonymous_id": pa.array([], pa.string()),
                                 "person_id": pa.array([], pa.string())})
            # An IN list of parameters: DuckDB plans it as a hash join on the batch's ids
            # (an unnest() subquery scans the whole table ten times slower).
            marks = ", ".join("?" * len(anonymous_ids))
            return self.con.execute(
                "SELECT anonymous_id, arg_max(person_id, ts) AS person_id FROM known"
                f" WHERE anonymous_id IN ({marks}) GROUP BY anonymous_id",
                anonymous_ids).to_arrow_table()

    def close(self) -> None:
        self.con.close()


_identities: list[_Identities] = []
_identities_lock = threading.Lock()


def _known_identities() -> _Identities:
    root = store.facts_dir()
    with _identities_lock:
        if _identities and _identities[0].root != root:
            _identities.pop().close()  # another facts directory (tests, a worker's switch)
        if not _identities:
            _identities.append(_Identities(root))
        return _identities[0]


def stitch(data: pa.Table) -> pa.Table:
    """Touchpoints with an ``anonymous_id`` and no ``person_id`` take the person of an
    identity already stored (the latest one for that anonymous id): one set-based query
    for the batch, over its distinct anonymous ids."""
    if data.num_rows == 0:
        return data
    person = data.column("person_id")
    anonymous = data.column("anonymous_id")
    open_rows = pc.and_(pc.is_null(person), pc.is_valid(anonymous))
    if not pc.any(open_rows).as_py():
        return data
    wanted = pc.unique(pc.filter(anonymous, open_rows)).to_pylist()
    known = _known_identities().persons(wanted)
    if known.num_rows == 0:
        return data
    positions = pc.index_in(anonymous, value_set=known.column("anonymous_id"))
    found = pc.take(known.column("person_id"), positions)
    stitched = pc.coalesce(person, found)
    return data.set_column(data.schema.get_field_index("person_id"), "person_id", stitched)


def commit(table: str, data: pa.Table, errors: Sequence[FactError], *, received: int,
           origin: str, skip_bad_rows: bool = False, sync: bool = True) -> IngestResult:
    """Write prepared rows (the second half of :func:`ingest`, for callers that prepared
    several tables first, like the collector): refuse all when there are errors unless
    ``skip_bad_rows``; record the intake for the data-health page either way."""
    if not origin or len(origin) > DEFAULT_MAX_LENGTH:
        raise ValueError("origin must be a non-empty name of at most 200 characters")
    rejected = len({e.row for e in errors})
    errors = tuple(errors)
    if errors and not skip_bad_rows:
        store.id_index().record_intake(table, origin, received=received, written=0,
                                       duplicates=0, rejected=rejected, at=timezone.now())
        return IngestResult(table, received, 0, 0, errors, True)
    written = duplicates = 0
    if data.num_rows:
        data = data.set_column(data.schema.get_field_index("origin"), "origin",
                               pa.array([origin] * data.num_rows, pa.string()))
        if table == "touchpoints":
            data = stitch(data)
        result = store.append(table, data, sync=sync)
        written, duplicates = result.written, result.duplicates
        if table == "identities" and written:
            stored = data if not result.duplicate_ids else data.filter(pc.invert(pc.is_in(
                data.column("event_id"), value_set=pa.array(result.duplicate_ids, pa.string()))))
            _known_identities().add(stored, written, result.paths)
    store.id_index().record_intake(table, origin, received=received, written=written,
                                   duplicates=duplicates, rejected=rejected, at=timezone.now())
    return IngestResult(table, received, written, duplicates, errors, False)


def ingest(table: str, rows: Sequence[Mapping], *, origin: str, tz: dt.tzinfo = UTC,
           skip_bad_rows: bool = False, row_numbers: Sequence[int] | None = None,
           sync: bool = True) -> IngestResult:
    """Validate, normalise and store ``rows`` in one fact table. All-or-nothing unless
    ``skip_bad_rows``: with an error nothing is written and the result is ``refused``.
    Rows whose ``event_id`` is already stored are not written again (``duplicates``).
    Returns only after the written rows are durable (``sync``)."""
    data, errors = prepare(table, rows, tz=tz, row_numbers=row_numbers)
    return commit(table, data, errors, received=len(rows), origin=origin,
                  skip_bad_rows=skip_bad_rows, sync=sync)


# --- data health (O14) -------------------------------------------------------------------------

@dataclass(frozen=True)
class TableHealth:
    table: str
    rows: int
    files: int
    #: the latest ``ts`` stored (None when the table is empty)
    last_event: dt.datetime | None


@dataclass(frozen=True)
class OriginHealth:
    table: str
    origin: str
    batches: int
    received: int
    written: int
    duplicates: int
    rejected: int
    last_received: dt.datetime


def health() -> tuple[list[TableHealth], list[OriginHealth]]:
    """Per fact table: rows and latest event time (one DuckDB query over all tables) and
    files; per (table, origin): what ingest received, wrote and rejected, and when."""
    names = list(schema.TABLES)
    con = store.duckdb_connection(names)
    try:
        # Epoch microseconds: read as plain integers (no time-zone library needed).
        union = " UNION ALL ".join(
            f"SELECT '{name}' AS tbl, count(*) AS n, epoch_us(max(ts)) AS last FROM {name}"
            for name in names)
        counts = {t: (n, last) for t, n, last in con.execute(union).fetchall()}
    finally:
        con.close()
    tables = []
    for name in names:
        rows, last = counts[name]
        tables.append(TableHealth(
            name, rows, len(store.files(name)),
            None if last is None else dt.datetime(1970, 1, 1, tzinfo=UTC)
            + dt.timedelta(microseconds=last)))
    origins = [OriginHealth(**r) for r in store.id_index().intake()]
    return tables, origins
