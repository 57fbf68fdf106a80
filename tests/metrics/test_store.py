"""The analytics store: atomic Parquet files, de-duplication by event id, locked-down
DuckDB reads (decision 0006)."""

import datetime as dt

import pyarrow as pa
import pytest

from marketdesk.metrics import store
from marketdesk.metrics.schema import TABLES

UTC = dt.UTC


def touches(*rows):
    return pa.Table.from_pylist([
        {"event_id": event_id, "ts": ts, "event_type": "page_view", "channel": channel}
        for event_id, ts, channel in rows
    ])


def test_append_partitions_by_utc_day_and_reads_back():
    result = store.append("touchpoints", touches(
        ("e1", dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "email"),
        ("e2", dt.datetime(2026, 3, 2, 0, 30, tzinfo=UTC), None),
    ))
    assert (result.received, result.written, result.duplicates) == (2, 2, 0)
    days = sorted(p.parent.name for p in store.files("touchpoints"))
    assert days == ["date=2026-03-01", "date=2026-03-02"]
    con = store.connect(["touchpoints"])
    got = con.table("touchpoints").order_by("event_id").select("event_id", "channel").to_pyarrow()
    assert got.to_pylist() == [{"event_id": "e1", "channel": "email"},
                               {"event_id": "e2", "channel": None}]


def test_append_skips_ids_already_stored_and_repeats_within_a_batch():
    ts = dt.datetime(2026, 3, 1, 8, tzinfo=UTC)
    store.append("touchpoints", touches(("e1", ts, "email")))
    result = store.append("touchpoints", touches(("e1", ts, "email"), ("e2", ts, "direct"),
                                                 ("e2", ts, "direct")))
    assert (result.written, result.duplicates, result.duplicate_ids) == (1, 2, ("e1", "e2"))
    con = store.connect(["touchpoints"])
    assert con.table("touchpoints").count().execute() == 2


def test_a_failed_write_records_no_id(monkeypatch):
    ts = dt.datetime(2026, 3, 1, 8, tzinfo=UTC)

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_write_file", boom)
    with pytest.raises(OSError):
        store.append("touchpoints", touches(("e1", ts, "email")))
    monkeypatch.undo()
    assert store.append("touchpoints", touches(("e1", ts, "email"))).written == 1


def test_no_temporary_file_is_visible_to_readers():
    ts = dt.datetime(2026, 3, 1, 8, tzinfo=UTC)
    store.append("touchpoints", touches(("e1", ts, "email")))
    partition = store.files("touchpoints")[0].parent
    (partition / ".part-half.parquet.tmp").write_bytes(b"PAR1 half")
    assert store.connect(["touchpoints"]).table("touchpoints").count().execute() == 1


@pytest.mark.parametrize("name", sorted(TABLES))
def test_an_empty_table_reads_as_no_rows_with_its_columns(name):
    table = store.connect([name]).table(name)
    assert table.count().execute() == 0
    assert table.columns[:len(TABLES[name].columns)] == tuple(TABLES[name].columns)


def test_queries_cannot_reach_other_files_nor_change_the_limits(tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    con = store.connect(["touchpoints"])
    with pytest.raises(Exception, match="(?i)permission|disabled"):
        con.sql(f"SELECT * FROM read_csv('{secret}')").execute()
    with pytest.raises(Exception, match="(?i)locked"):
        con.raw_sql("SET enable_external_access = true")


def test_compaction_rewrites_a_partition_as_one_sorted_file_without_repeats(monkeypatch):
    day = dt.datetime(2026, 3, 1, tzinfo=UTC)
    for i in range(10):
        store.write("touchpoints", pa.Table.from_pylist([
            {"event_id": f"e{i}", "ts": day + dt.timedelta(hours=10 - i), "event_type": "page_view",
             "person_id": f"p{i % 2}"}]), sync=False)
    # The same fact stored twice (a crash between rename and id commit, then a resend).
    store.write("touchpoints", pa.Table.from_pylist([
        {"event_id": "e3", "ts": day + dt.timedelta(hours=7), "event_type": "page_view",
         "person_id": "p1"}]), sync=False)
    before = store.connect(["touchpoints"])  # a query planned before the swap
    result = store.compact("touchpoints", now=1_000.0)
    assert (result.partitions, result.files_before, result.rows_before, result.rows_after,
            result.purged) == (1, 11, 11, 10, 0)
    assert len(store.files("touchpoints")) == 1
    assert before.table("touchpoints").count().execute() == 11  # its files are still there
    ordered = store.connect(["touchpoints"]).table("touchpoints").to_pyarrow()
    assert ordered.column("person_id").to_pylist() == ["p0"] * 5 + ["p1"] * 5
    assert ordered.column("event_id").to_pylist() == ["e8", "e6", "e4", "e2", "e0",
                                                      "e9", "e7", "e5", "e3", "e1"]
    # Later, past the grace period, the superseded files are deleted.
    purged = store.compact("touchpoints", now=1_000.0 + store.SUPERSEDED_GRACE.total_seconds())
    assert purged.purged == 11
    assert len(list(store.table_dir("touchpoints").glob("date=*/*.parquet"))) == 1


def test_compaction_leaves_small_partitions_alone():
    store.write("touchpoints", touches(("e1", dt.datetime(2026, 3, 1, tzinfo=UTC), "email")))
    assert store.compact("touchpoints").partitions == 0
    assert len(store.files("touchpoints")) == 1


def test_the_scheduled_compaction_job_compacts_every_table(db):
    from marketdesk.schedule import jobs
    from marketdesk.schedule.models import JobRun

    for i in range(store.COMPACT_MIN_FILES + 1):
        store.write("touchpoints", touches((f"e{i}", dt.datetime(2026, 3, 1, i, tzinfo=UTC), None)),
                    sync=False)
    slot = "2099-03-08T20:17:00+00:00"
    JobRun.objects.create(name="facts_compaction", first_seen_at=dt.datetime(2099, 3, 1, tzinfo=UTC),
                          last_run_at=dt.datetime(2099, 3, 8, 20, 17, tzinfo=UTC))
    assert jobs.facts_compaction_task.call(job="facts_compaction", slot=slot, now=slot) == 1
    run = JobRun.objects.get(name="facts_compaction")
    assert (run.last_status, run.last_result) == ("succeeded", {"compacted": {"touchpoints": 1},
                                                                "purged": 0})
    assert len(store.files("touchpoints")) == 1
