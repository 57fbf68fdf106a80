"""Generic, audited writes that every domain service builds on (STYLE 2, 6, 7).

Each function runs in a transaction, validates with ``full_clean`` (so a bad value
raises ``ValidationError`` naming the field and nothing is written), and records the
change in the audit log. Domain services add their own rules around these.
"""

from __future__ import annotations

from collections import defaultdict
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
        # ``_meta.model``, not ``type(obj)``: obj may be a lazy proxy such as request.user.
        locked = obj._meta.model._default_manager.select_for_update().get(pk=obj.pk)
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


def _pks(objs) -> list:
    if hasattr(objs, "values_list"):
        return list(objs.values_list("pk", flat=True))
    return [o.pk for o in objs]


def _full_rows(model: type[models.Model], pks) -> list[models.Model]:
    # The collector's instances may be deferred (``.only(pk)``) or not loaded at all
    # (fast deletes): read each affected model once, with every field, for the log.
    return list(model._base_manager.filter(pk__in=list(pks)).order_by("pk"))


def delete(obj: models.Model, *, by) -> None:
    """Delete ``obj`` and record it, every row its deletion cascades to (fast-deleted rows
    included) and every row whose reference is set to null or a default by it."""
    with transaction.atomic():
        collector = Collector(using=obj._state.db or "default")
        collector.collect([obj])
        deleted: dict[type[models.Model], list] = defaultdict(list)
        for model, instances in collector.data.items():
            deleted[model].extend(o.pk for o in instances)
        for qs in collector.fast_deletes:
            deleted[qs.model].extend(_pks(qs))
        audit.record("delete", obj, actor=by, changes={"before": audit.snapshot(obj)})
        cascade = f"cascade from {obj}"
        for model, pks in deleted.items():
            if model._meta.auto_created:  # m2m link rows: part of the parent's record
                continue
            if model is obj._meta.concrete_model:
                pks = set(pks) - {obj.pk}
            for row in _full_rows(model, pks):
                audit.record("delete", row, actor=by,
                             changes={"before": audit.snapshot(row)}, message=cascade)
        for (field, value), batches in collector.field_updates.items():
            model = field.model
            gone = set(deleted.get(model, ()))
            pks = {pk for objs in batches for pk in _pks(objs)} - gone
            new = value.pk if isinstance(value, models.Model) else value
            for row in _full_rows(model, pks):
                audit.record("update", row, actor=by, message=cascade, changes={
                    "before": {field.attname: audit.snapshot_value(getattr(row, field.attname))},
                    "after": {field.attname: audit.snapshot_value(new)},
                })
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


def cascade_counts(obj: models.Model) -> list[tuple[str, int]]:
    """What else deleting ``obj`` takes with it, per kind of record (for confirmation pages)."""
    collector = Collector(using=obj._state.db or "default")
    collector.collect([obj])
    counts: dict = {}
    for model, instances in collector.data.items():
        n = sum(1 for i in instances if not (type(i) is type(obj) and i.pk == obj.pk))
        if n:
            counts[model] = counts.get(model, 0) + n
    for qs in collector.fast_deletes:
        n = qs.count()
        if n:
            counts[qs.model] = counts.get(qs.model, 0) + n
    # m2m link rows are part of the records they link, not records of their own
    return [(str(model._meta.verbose_name_plural), n) for model, n in counts.items()
            if not model._meta.auto_created]
