"""Fixtures of the SOP engine tests.

The engine reads items through an adapter (marketdesk.sop.items); these tests run it on
``strategy.Product`` records with an adapter whose dates, flags, priority, owner and
fields come from a dict the test controls — no test-only model, no migration.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from marketdesk.sop import items
from marketdesk.sop.definitions import DEFINITIONS_DIR

SHANGHAI = "Asia/Shanghai"


class ProductAdapter(items.ItemAdapter):
    def __init__(self):
        self.state: dict[int, dict] = {}

    def of(self, item) -> dict:
        return self.state.setdefault(item.pk, {
            "dates": {}, "flags": {}, "priority": None, "owner": None, "author": None, "fields": {},
        })

    def set(self, item, **values):
        self.of(item).update(values)

    def dates(self, item):
        return dict(self.of(item)["dates"])

    def flags(self, item):
        return dict(self.of(item)["flags"])

    def priority(self, item):
        return self.of(item)["priority"]

    def owner(self, item):
        return self.of(item)["owner"]

    def author(self, item):
        return self.of(item)["author"] or self.owner(item)

    def field(self, item, name):
        return self.of(item)["fields"].get(name)


@pytest.fixture
def adapter():
    from marketdesk.strategy.models import Product

    registered = ProductAdapter()
    items.register(Product, registered)
    yield registered
    items.unregister(Product)


def shipped_text(key: str, *, as_key: str | None = None) -> str:
    """A shipped definition re-targeted at strategy.Product (under another key)."""
    text = (Path(DEFINITIONS_DIR) / f"{key}.yaml").read_text(encoding="utf-8")
    text = text.replace("item: events.Event", "item: strategy.Product")
    return re.sub(r"^key: .*$", f"key: {as_key or 'test-' + key}", text, count=1, flags=re.M)


@pytest.fixture
def install():
    from marketdesk.sop.services import definition_install

    def make(text: str, team=None):
        definition, _created = definition_install(text, team=team)
        return definition

    return make


@pytest.fixture
def make_product(team_a):
    from marketdesk.strategy.models import Product

    counter = iter(range(1, 10_000))

    def make(team=None, name=None):
        return Product.objects.create(team=team or team_a, name=name or f"Item {next(counter)}")

    return make


def local(tz: str, *args) -> dt.datetime:
    import zoneinfo

    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo(tz))


ALL_FIELDS = {"score": 82, "priority": "P1", "plan": "The plan", "execution_plan": "Tasks and owners",
              "contract": "Contract 2030-17", "retrospective": "What we learnt"}


def pass_stage(run, actor, reviewers: dict, *, now=None):
    """Tick every standard of the current stage, have each review step approved by the
    user given for its role, and leave the stage."""
    from marketdesk.sop import services

    state = services.run_state(run, actor)
    for row in state.checklist:
        if not row.checked:
            run = services.run_tick(run, item_key=row.key, checked=True, by=actor,
                                    expected_version=run.version, now=now)
    for step in state.reviews:
        if step.decision == "approved":
            continue
        services.run_review(run, decision="approved", by=reviewers[step.role],
                            expected_version=run.version, now=now)
        run.refresh_from_db()
    return services.run_advance(run, by=actor, expected_version=run.version, now=now)


@pytest.fixture
def salon(adapter, install, make_product, users):
    """A salon (re-targeted at strategy.Product) owned by the marketer, every field filled,
    starting on 1 June 2030; returns (item, run)."""
    from marketdesk.sop import services

    install(shipped_text("event-salon"))
    item = make_product()
    adapter.set(item, dates={"start": dt.date(2030, 6, 1), "end": dt.date(2030, 6, 1)}, priority="P1",
                owner=users["marketer"], fields=dict(ALL_FIELDS))
    run = services.run_start(item, definition_key="test-event-salon", by=users["marketer"])
    return item, run
