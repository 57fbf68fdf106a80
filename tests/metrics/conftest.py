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
