"""The analytics store: append-only Parquet facts, Hive-partitioned by UTC date, read by
DuckDB through Ibis (decision 0006).

Writers call :func:`append` (validated, normalised rows from ingest); readers call
:func:`connect` and get an Ibis connection with one table per fact table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings

from marketdesk.metrics.schema import TABLES, Table

_META_TABLE = b"marketdesk.table"
_META_VERSION = b"marketdesk.schema_version"
_write_lock = threading.Lock()


def facts_dir() -> Path:
    return Path(settings.MARKETDESK_FACTS_DIR)


def table_dir(name: str) -> Path:
    return facts_dir() / _table(name).name


def _table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise ValueError(f"unknown fact table {name!r}") from None


def conform(name: str, data: pa.Table) -> pa.Table:
    """``data`` with exactly the table's columns, in order, cast to its types (a missing
    column is NULL). Raises ``pa.ArrowInvalid``/``ValueError`` on a value that cannot be
    cast — ingest validates first, so that is a programming error."""
    table = _table(name)
    columns = []
    for field in table.schema:
        if field.name in data.column_names:
            columns.append(data.column(field.name).cast(field.type))
        else:
            columns.append(pa.nulls(data.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=table.schema)


# --- Writing -------------------------------------------------------------------------------

def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(directory: Path, data: pa.Table, table: Table, *, sync: bool) -> Path:
    """Write one Parquet file under a temporary name, flush it, rename it into place."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"part-{uuid.uuid4().hex}.parquet"
    temp = directory / f".{final.name}.tmp"
    metadata = {_META_TABLE: table.name.encode(), _META_VERSION: str(table.version).encode()}
    data = data.replace_schema_metadata(metadata)
    with open(temp, "wb") as handle:
        pq.write_table(data, handle, compression="zstd", row_group_size=1_000_000)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())
    os.replace(temp, final)
    if sync:
        _fsync_dir(directory)
    return final


def _partitions(data: pa.Table) -> Iterator[tuple[dt.date, pa.Table]]:
    """Split rows by the UTC calendar day of ``ts``."""
    if data.num_rows == 0:
        return
    days = pc.cast(data.column("ts"), pa.date32())  # ts is UTC: its date is the UTC day
    for day in pc.unique(days).to_pylist():
        yield day, data.filter(pc.equal(days, pa.scalar(day, pa.date32())))


def write(name: str, data: pa.Table, *, sync: bool = True) -> list[Path]:
    """Write conformed rows as new files (no de-duplication: see :func:`append`)."""
    table = _table(name)
    data = conform(name, data)
    root = table_dir(name)
    return [_write_file(root / f"date={day.isoformat()}", part, table, sync=sync)
            for day, part in _partitions(data)]


@dataclass(frozen=True)
class AppendResult:
    table: str
    received: int
    written: int
    duplicates: int
    #: event ids of the rows not written because they were already stored (or repeated)
    duplicate_ids: tuple[str, ...] = ()
    #: the files written
    paths: tuple[Path, ...] = ()


class IdIndex:
    """The event ids already stored, per table: a small SQLite file beside the facts.

    Used inside :func:`append`: the new ids are inserted in a transaction that commits
    only after the Parquet files are durable (decision 0006)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=60,
                                          check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=FULL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS ids (tbl TEXT NOT NULL, event_id TEXT NOT NULL,"
            " PRIMARY KEY (tbl, event_id)) WITHOUT ROWID")
        # What ingest received per (table, origin), for the data-health page (O14): on a
        # connection of its own that does not fsync each commit (WAL, synchronous=NORMAL)
        # — the counters are statistics, not acknowledged facts.
        self.stats = sqlite3.connect(path, isolation_level=None, timeout=60,
                                     check_same_thread=False)
        self.stats.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS intake (tbl TEXT NOT NULL, origin TEXT NOT NULL,"
            " batches INTEGER NOT NULL, received INTEGER NOT NULL, written INTEGER NOT NULL,"
            " duplicates INTEGER NOT NULL, rejected INTEGER NOT NULL,"
            " last_received TEXT NOT NULL, PRIMARY KEY (tbl, origin)) WITHOUT ROWID")

    @contextlib.contextmanager
    def claim(self, name: str, ids: list[str]) -> Iterator[set[str]]:
        """Yield the ids that are new; they are recorded when the block ends without error."""
        cursor = self.connection.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            new: set[str] = set()
            for start in range(0, len(ids), 10_000):
                chunk = ids[start:start + 10_000]
                cursor.execute(
                    "INSERT INTO ids (tbl, event_id) SELECT ?, value FROM json_each(?)"
                    " WHERE true ON CONFLICT DO NOTHING RETURNING event_id",
                    (name, _json_list(chunk)))
                new.update(row[0] for row in cursor.fetchall())
            yield new
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        else:
            cursor.execute("COMMIT")

    def record_intake(self, name: str, origin: str, *, received: int, written: int,
                      duplicates: int, rejected: int, at: dt.datetime) -> None:
        """Add one batch to the counters of (table, origin); ``at`` is when it arrived."""
        self.stats.execute(
            "INSERT INTO intake VALUES (?, ?, 1, ?, ?, ?, ?, ?) ON CONFLICT (tbl, origin) DO"
            " UPDATE SET batches = batches + 1, received = received + excluded.received,"
            " written = written + excluded.written,"
            " duplicates = duplicates + excluded.duplicates,"
            " rejected = rejected + excluded.rejected,"
            " last_received = max(last_received, excluded.last_received)",
            (name, origin, received, written, duplicates, rejected,
             at.astimezone(dt.UTC).isoformat(timespec="microseconds")))

    def written(self, name: str) -> int:
        """Rows of a table written through ingest so far (all origins, all processes)."""
        return self.stats.execute("SELECT coalesce(sum(written), 0) FROM intake WHERE tbl = ?",
                                  (name,)).fetchone()[0]

    def intake(self) -> list[dict]:
        """The counters of every (table, origin), ordered by table and origin."""
        rows = self.stats.execute(
            "SELECT tbl, origin, batches, received, written, duplicates, rejected, last_received"
            " FROM intake ORDER BY tbl, origin").fetchall()
        return [{"table": t, "origin": o, "batches": b, "received": r, "written": w,
                 "duplicates": d, "rejected": x, "last_received": dt.datetime.fromisoformat(at)}
                for t, o, b, r, w, d, x, at in rows]

    def count(self, name: str) -> int:
        return self.connection.execute("SELECT count(*) FROM ids WHERE tbl = ?",
                                       (name,)).fetchone()[0]

    def close(self) -> None:
        self.stats.close()
        self.connection.close()


def _json_list(values: list[str]) -> str:
    import json

    return json.dumps(values, ensure_ascii=False)


_indexes: dict[Path, IdIndex] = {}


def id_index() -> IdIndex:
    path = facts_dir() / "_ids.sqlite3"
    index = _indexes.get(path)
    if index is None:
        index = _indexes[path] = IdIndex(path)
    return index


def close_indexes() -> None:
    """Close every open id index (tests, and a worker that changes MARKETDESK_FACTS_DIR)."""
    while _indexes:
        _indexes.popitem()[1].close()


def append(name: str, data: pa.Table, *, sync: bool = True) -> AppendResult:
    """Store rows whose ``event_id`` the table does not hold yet (repeats within the batch
    count once); return what was written. Returns only after the files are durable."""
    data = conform(name, data)
    ids = data.column("event_id").to_pylist()
    with _write_lock, id_index().claim(name, ids) as new:
        # Keep the first row of each new id (a batch may repeat an id).
        seen: set[str] = set()
        keep = []
        for event_id in ids:
            fresh_id = event_id in new and event_id not in seen
            keep.append(fresh_id)
            seen.add(event_id)
        fresh = data if all(keep) else data.filter(pa.array(keep, pa.bool_()))
        paths = write(name, fresh, sync=sync)
    skipped = tuple(sorted({i for i, k in zip(ids, keep, strict=True) if not k}))
    return AppendResult(name, len(ids), fresh.num_rows, len(ids) - fresh.num_rows, skipped,
                        tuple(paths))


# --- Reading -------------------------------------------------------------------------------

@contextlib.contextmanager
def _table_lock(name: str, *, exclusive: bool) -> Iterator[None]:
    """Readers list a table's files under a shared lock; compaction swaps files under an
    exclusive one, so a reader sees either the old files or the new one, never both."""
    import fcntl

    root = table_dir(name)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _superseded_path(name: str) -> Path:
    return table_dir(name) / "_superseded.json"


def _superseded(name: str) -> dict[str, float]:
    """Files replaced by a compacted file: relative path → when (Unix time). They stay on
    disk for a grace period, so queries that listed them before the swap still run."""
    import json

    path = _superseded_path(name)
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def _all_files(name: str) -> list[Path]:
    root = table_dir(name)
    if not root.exists():
        return []
    return sorted(p for p in root.glob("date=*/*.parquet") if not p.name.startswith("."))


def files(name: str) -> list[Path]:
    """The table's live files (a consistent snapshot)."""
    root = table_dir(name)
    if not root.exists():
        return []
    with _table_lock(name, exclusive=False):
        gone = _superseded(name)
        return [p for p in _all_files(name) if str(p.relative_to(root)) not in gone]


#: A partition with more files than this is rewritten as one file by :func:`compact`.
COMPACT_MIN_FILES = 8
#: How long a superseded file stays on disk for queries that listed it before the swap.
SUPERSEDED_GRACE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class CompactResult:
    table: str
    partitions: int
    files_before: int
    rows_before: int
    rows_after: int
    purged: int


def compact(name: str, *, min_files: int = COMPACT_MIN_FILES, now: float | None = None) -> CompactResult:
    """Rewrite each partition holding more than ``min_files`` files as one file, sorted
    by the table's key, without repeated ``event_id`` (the first stored row wins); then
    drop superseded files older than the grace period. Safe beside readers and writers:
    writers only add new files, which a later run picks up."""
    import time

    table = _table(name)
    root = table_dir(name)
    now = time.time() if now is None else now
    partitions = files_before = rows_before = rows_after = 0
    by_partition: dict[Path, list[Path]] = {}
    for path in files(name):
        by_partition.setdefault(path.parent, []).append(path)
    for directory, parts in sorted(by_partition.items()):
        if len(parts) <= min_files:
            continue
        data = pa.concat_tables(
            [pq.read_table(p, schema=table.schema) for p in parts], promote_options="default")
        rows_before += data.num_rows
        # An id stored twice (a crash between the file rename and the id commit, then a
        # resend) is the same fact twice: keep one.
        data = _drop_repeated_ids(data)
        order = [(column, "ascending") for column in table.sort_key] + [("event_id", "ascending")]
        data = data.sort_by(order)
        rows_after += data.num_rows
        _write_file(directory, data, table, sync=True)
        with _table_lock(name, exclusive=True):
            gone = _superseded(name)
            gone.update({str(p.relative_to(root)): now for p in parts})
            _write_json(_superseded_path(name), gone)
        partitions += 1
        files_before += len(parts)
    purged = 0
    with _table_lock(name, exclusive=True):
        gone = _superseded(name)
        keep = {}
        for relative, when in gone.items():
            if now - when >= SUPERSEDED_GRACE.total_seconds():
                (root / relative).unlink(missing_ok=True)
                purged += 1
            else:
                keep[relative] = when
        if keep != gone:
            _write_json(_superseded_path(name), keep)
    return CompactResult(name, partitions, files_before, rows_before, rows_after, purged)


def _drop_repeated_ids(data: pa.Table) -> pa.Table:
    """Keep one row per ``event_id`` (the first in ``data``)."""
    import numpy as np

    if pc.count_distinct(data.column("event_id")).as_py() == data.num_rows:
        return data
    positions = pa.array(np.arange(data.num_rows))
    firsts = (data.select(["event_id"]).append_column("_i", positions)
              .group_by("event_id", use_threads=False).aggregate([("_i", "min")]))
    keep = np.zeros(data.num_rows, dtype=bool)
    keep[firsts.column("_i_min").to_numpy()] = True
    return data.filter(pa.array(keep))


def _write_json(path: Path, value) -> None:
    import json

    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(value, sort_keys=True))
    os.replace(temp, path)


def _duck_type(kind: pa.DataType) -> str:
    if pa.types.is_timestamp(kind):
        return "TIMESTAMPTZ"
    return {
        pa.string(): "VARCHAR", pa.float64(): "DOUBLE", pa.int64(): "BIGINT",
        pa.int16(): "SMALLINT", pa.bool_(): "BOOLEAN",
    }[kind]


def _view_sql(table: Table) -> str:
    paths = files(table.name)
    if not paths:
        cols = ", ".join(f"CAST(NULL AS {_duck_type(f.type)}) AS {f.name}" for f in table.schema)
        return f"SELECT {cols}, CAST(NULL AS DATE) AS date WHERE false"
    listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    # Name every column so that a file of an older schema version reads with NULLs.
    cols = ", ".join(f"CAST({f.name} AS {_duck_type(f.type)}) AS {f.name}" for f in table.schema)
    return (f"SELECT {cols}, date FROM read_parquet([{listing}], hive_partitioning = true,"
            f" union_by_name = true)")


def _duckdb(tables: Iterable[str] | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={
        "memory_limit": settings.MARKETDESK_ANALYTICS_MEMORY,
        "threads": settings.MARKETDESK_ANALYTICS_THREADS,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    })
    # Only the facts directory is readable; no network, no other file (DuckDB refuses
    # COPY, read_csv('/etc/passwd'), httpfs …).
    root = str(facts_dir()).replace("'", "''")
    con.execute(f"SET allowed_directories = ['{root}/']")
    con.execute("SET enable_external_access = false")
    con.execute("SET TimeZone = 'UTC'")
    for name in tables or TABLES:
        con.execute(f"CREATE VIEW {name} AS {_view_sql(_table(name))}")
    return con


def duckdb_connection(tables: Iterable[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with one view per fact table, locked down: memory and thread
    limits, no access to any file outside the facts nor to the network."""
    con = _duckdb(tables)
    con.execute("SET lock_configuration = true")
    return con


def connect(tables: Iterable[str] | None = None):
    """An Ibis connection to the facts: DuckDB over the Parquet files by default, or the
    engine named by ``MARKETDESK_ANALYTICS_URL`` (which must hold tables of the same names)."""
    url = settings.MARKETDESK_ANALYTICS_URL
    if url in ("", "duckdb://", "duckdb:"):
        con = _duckdb(tables)
        backend = ibis.duckdb.from_connection(con)  # sets its session options first
        con.execute("SET lock_configuration = true")
        return backend
    return ibis.connect(url)
