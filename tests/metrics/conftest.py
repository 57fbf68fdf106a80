"""Fixtures of the metrics query tests: facts written into the (per-test, empty) store."""

import pyarrow as pa
import pytest

from marketdesk.metrics import store
from marketdesk.metrics.schema import TABLES


def _arrow(name, rows):
    schema = TABLES[name].schema
    columns = {field.name: [row.get(field.name) for row in rows] for field in schema}
    return pa.Table.from_pydict(columns, schema=schema)


@pytest.fixture
def facts_con():
    """``facts_con({"touchpoints": [row, …], "deals": […]})`` writes the rows (dicts of
    fact columns, missing ones NULL) with ``store.write`` and returns ``store.connect()``."""

    def make(facts):
        unknown = set(facts) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown fact tables: {sorted(unknown)}")
        for name, rows in facts.items():
            if rows:
                store.write(name, _arrow(name, rows), sync=False)
        return store.connect()

    return make


#: The owner of the April meeting in ``activities``: a cell a spreadsheet would run.
FORMULA_OWNER = "=cmd|'/c calc'!A1"


@pytest.fixture
def activities():
    """Three sales activities: rep1's two calls in March, a meeting in April whose owner
    looks like a spreadsheet formula (the exports must keep it text)."""
    import datetime as dt  # noqa: PLC0415

    utc = dt.UTC
    rows = [
        {"event_id": "a1", "ts": dt.datetime(2026, 3, 2, 3, tzinfo=utc), "owner": "rep1", "kind": "call"},
        {"event_id": "a2", "ts": dt.datetime(2026, 3, 3, 3, tzinfo=utc), "owner": "rep1", "kind": "call"},
        {"event_id": "a3", "ts": dt.datetime(2026, 4, 2, 3, tzinfo=utc), "owner": FORMULA_OWNER,
         "kind": "meeting"},
    ]
    store.write("sales_activities", pa.Table.from_pylist(rows), sync=False)
