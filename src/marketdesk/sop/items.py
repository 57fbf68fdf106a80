"""How the engine reads the records that run a process (events, content, launches …).

An app that runs SOP processes registers one adapter per item model, usually in its
``AppConfig.ready()``::

    from marketdesk.sop import items

    class EventAdapter(items.ItemAdapter):
        def dates(self, event):
            return {"start": event.starts_at, "end": event.ends_at}
        def flags(self, event):
            return {"paid": not event.is_free, "important": event.is_important}
        def priority(self, event):
            return event.priority          # "P0" … "P3"
        def owner(self, event):
            return event.owner

    items.register(Event, EventAdapter())

The engine never reads an item's fields directly; it asks the adapter. Defaults cover the
common case (``item.team_id``, ``item.owner``, ``getattr(item, field)``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models


class ItemAdapter:
    """The protocol the engine reads an item through. Override what differs."""

    def team_id(self, item) -> int:
        return item.team_id

    def owner(self, item):
        """The user responsible for the item: deadlines and escalations start here."""
        return getattr(item, "owner", None)

    def author(self, item):
        """The user who wrote the item. Neither author nor owner may review it."""
        return getattr(item, "author", None) or self.owner(item)

    def dates(self, item) -> dict[str, dt.date | dt.datetime | None]:
        """The key dates the definition's deadlines anchor to (its ``dates``)."""
        return {}

    def flags(self, item) -> dict[str, bool]:
        """Booleans that switch conditional stages and reviews (``when: paid``). A flag the
        adapter does not return takes the definition's default."""
        return {}

    def priority(self, item) -> str | None:
        """``"P0"`` … ``"P3"`` (O10 picks the retrospective offset by it)."""
        return getattr(item, "priority", None)

    def field(self, item, name: str) -> Any:
        """The value of a required field (``required_fields``); empty means missing."""
        return getattr(item, name, None)

    def url(self, item) -> str:
        return item.get_absolute_url() if hasattr(item, "get_absolute_url") else ""

    def label(self, item) -> str:
        return str(item)

    def on_transition(self, item, run, *, before: str | None, after: str, completed: bool, by) -> None:
        """Called inside the transaction after every stage move (and once when the run
        starts, with ``before=None``), e.g. to keep a status column of the item in step."""


_registry: dict[type[models.Model], ItemAdapter] = {}


def register(model: type[models.Model], adapter: ItemAdapter) -> None:
    _registry[model._meta.concrete_model] = adapter


def unregister(model: type[models.Model]) -> None:
    _registry.pop(model._meta.concrete_model, None)


def adapter_for(item_or_model) -> ItemAdapter:
    model = item_or_model if isinstance(item_or_model, type) else type(item_or_model)
    model = model._meta.concrete_model
    try:
        return _registry[model]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} runs no SOP process: register an adapter with "
            "marketdesk.sop.items.register(model, adapter)"
        ) from None


def registered_models() -> list[type[models.Model]]:
    return list(_registry)
