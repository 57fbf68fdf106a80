"""The audit log: who changed what, before and after, when (UTC), in which request."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models

from marketdesk.core.context import request_id
from marketdesk.core.models import AuditEntry


def _jsonable(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def snapshot_value(value):
    """One value as it is stored in an entry's ``changes``."""
    return _jsonable(value)


def fingerprint(value) -> str:
    """Stands for a secret in the log: shows that it changed, never what it is."""
    if value in (None, ""):
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256)
    return f"•••• {digest.hexdigest()[:8]}"


def snapshot(obj: models.Model) -> dict:
    """Field values of ``obj`` as JSON-able data (foreign keys as ids, m2m as id lists).
    Fields the model lists in ``audit_secret_fields`` are logged as a fingerprint."""
    data = {}
    secret = set(getattr(obj, "audit_secret_fields", ()))
    for field in obj._meta.concrete_fields:
        if field.name in {"created_at", "updated_at"}:
            continue
        value = getattr(obj, field.attname)
        data[field.attname] = fingerprint(value) if field.name in secret else _jsonable(value)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(getattr(obj, field.name).values_list("pk", flat=True))
    return data


def diff(before: dict, after: dict) -> dict:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after.get(k) for k in keys}}


def record(
    action: str,
    obj: models.Model | None,
    *,
    actor=None,
    changes: dict | None = None,
    message: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        changes=changes or {},
        message=message[:300],
        request_id=request_id.get(),
    )
    if obj is not None:
        entry.content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:300]
        root = getattr(obj, "audit_root", obj)
        entry.root_type = ContentType.objects.get_for_model(root, for_concrete_model=False)
        entry.root_id = str(root.pk)
        if hasattr(obj, "owning_team_id"):
            entry.team_id = obj.owning_team_id()
    entry.save()
    return entry


def history_for(obj: models.Model):
    """Entries about ``obj`` and about every record whose audit root is ``obj``."""
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return (
        AuditEntry.objects.filter(
            models.Q(content_type=ct, object_id=str(obj.pk))
            | models.Q(root_type=ct, root_id=str(obj.pk))
        )
        .select_related("content_type")
        .order_by("-created_at", "-id")
    )
