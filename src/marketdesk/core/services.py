"""Generic, audited writes that every domain service builds on (STYLE 2, 6, 7).

Each function runs in a transaction, validates with ``full_clean`` (so a bad value
raises ``ValidationError`` naming the field and nothing is written), and records the
change in the audit log. Domain services add their own rules around these.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import models, transaction
from django.db.models.deletion import Collector

from marketdesk.core import audit


def _set_m2m(obj: models.Model, m2m: dict[str, Iterable] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


def create(model: type[models.Model], *, by, m2m: dict | None = None, **fields) -> models.Model:
    with transaction.atomic():
        obj = model(**fields)
        obj.full_clean()
        obj.save()
        _set_m2m(obj, m2m)
        audit.record("create", obj, actor=by, changes={"after": audit.snapshot(obj)})
    return obj


def update(
    obj: models.Model,
    *,
    by,
    m2m: dict | None = None,
    validate: Callable[[models.Model], None] | None = None,
    **fields,
) -> models.Model:
    """Read-modify-write under a row lock so two editors never interleave."""
    with transaction.atomic():
        locked = type(obj).objects.select_for_update().get(pk=obj.pk)
        before = audit.snapshot(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        if validate is not None:
            validate(locked)
        locked.save()
        _set_m2m(locked, m2m)
        changes = audit.diff(before, audit.snapshot(locked))
        if changes["after"]:
            audit.record("update", locked, actor=by, changes=changes)
    return locked


def delete(obj: models.Model, *, by) -> None:
    """Delete ``obj`` and record it and every row its deletion cascades to."""
    with transaction.atomic():
        collector = Collector(using=obj._state.db or "default")
        collector.collect([obj])
        for instances in collector.data.values():
            for instance in instances:
                message = "" if instance == obj else f"cascade from {obj}"
                audit.record(
                    "delete",
                    instance,
                    actor=by,
                    changes={"before": audit.snapshot(instance)},
                    message=message,
                )
        obj.delete()


class RecordService:
    """The plain create/update/delete of one model, for the uniform API and pages.

    A domain service subclasses it to add its rules (derived fields, side records)."""

    def __init__(self, model: type[models.Model]):
        self.model = model

    def create(self, *, by, m2m: dict | None = None, **fields) -> models.Model:
        return create(self.model, by=by, m2m=m2m, **fields)

    def update(self, obj: models.Model, *, by, m2m: dict | None = None, **fields) -> models.Model:
        return update(obj, by=by, m2m=m2m, **fields)

    def delete(self, obj: models.Model, *, by) -> None:
        delete(obj, by=by)
