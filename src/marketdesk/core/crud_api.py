"""Uniform REST resources for gated records: list (paginated, filtered), read, create,
partial update and delete — each through the permission gate and a service.

Used by domain apps for their plain records; domain-specific operations are written by
hand beside them in the app's ``api.py``.
"""


from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.orm import create_schema
from pydantic import create_model

from marketdesk.core import permissions as gate
from marketdesk.core.api import READ_ERRORS, WRITE_ERRORS, ErrorOut

MAX_PAGE_SIZE = 200


class PageIn(Schema):
    page: int = Field(1, ge=1, description="1-based page number")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="items per page (≤ 200)")


@dataclass
class Resource:
    """How one model is exposed. ``service`` has create(by=, **f), update(obj, by=, **f),
    delete(obj, by=)."""

    model: type[models.Model]
    path: str
    service: Any
    fields: list[str]
    filters: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)
    ordering: list[str] = field(default_factory=lambda: ["id"])
    select_related: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)


def _check_references(request, model, data: dict) -> None:
    """Every referenced record must be one the caller may see (no linking into another
    team's data); a bad reference is a 422 naming the field."""
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        if value is None:
            continue
        f = model._meta.get_field(name)
        if not f.is_relation:
            continue
        target = f.related_model
        ids = value if f.many_to_many else [value]
        if target._meta.label == "accounts.Team":
            if any(not gate.in_scope(request.user, team_id) for team_id in ids):
                errors[name] = [ValidationError(_("Not one of your teams."), code="scope")]
            continue
        if not hasattr(target, "gate_team_path"):
            continue
        found = gate.scope(target.objects.filter(pk__in=ids), request.user).count()
        if found != len(set(ids)):
            errors[name] = [ValidationError(
                _("No %(record)s with this id in your teams.") % {"record": target._meta.verbose_name},
                code="scope")]
    if errors:
        raise ValidationError(errors)


def _to_fields(model, data: dict) -> tuple[dict, dict]:
    fields, m2m = {}, {}
    nulls = [n for n, v in data.items() if v is None and not model._meta.get_field(n).null]
    if nulls:
        raise ValidationError({n: [ValidationError(_("This field cannot be null."), code="null")]
                               for n in nulls})
    for name, value in data.items():
        f = model._meta.get_field(name)
        if f.many_to_many:
            m2m[name] = value
        elif f.is_relation:
            fields[f.attname] = value
        else:
            fields[name] = value
    return fields, m2m


def _input_schema(model, schema_name: str, field_names: list[str], *, optional: bool):
    """Input schema whose relations are keyed by the field name (``"product": 3``), the
    same key the output uses; ninja's default would expect ``product_id``."""
    plain = [n for n in field_names if not model._meta.get_field(n).is_relation]
    custom = []
    for n in field_names:
        f = model._meta.get_field(n)
        if not f.is_relation:
            continue
        if f.many_to_many:
            custom.append((n, list[int], Field([] if not optional else None, description=str(f.verbose_name))))
        elif f.null or optional:
            custom.append((n, int | None, Field(None, description=str(f.verbose_name))))
        else:
            custom.append((n, int, Field(..., description=str(f.verbose_name))))
    return create_schema(
        model, name=schema_name, fields=plain or None, exclude=None if plain else ["id"],
        optional_fields=plain if optional else None, custom_fields=custom,
    ) if plain else create_model(schema_name, __base__=Schema, **{n: (t, d) for n, t, d in custom})


def _filter_type(model, name: str):
    """The query-parameter type of a filter, so that ``?product=abc`` is a 422 naming the
    parameter instead of a database error."""
    f = model._meta.get_field(name)
    if f.is_relation or isinstance(f, models.IntegerField):
        return int | None
    if isinstance(f, models.BooleanField):
        return bool | None
    return str | None


def register(router: Router, res: Resource, *, tag: str) -> None:
    model = res.model
    name = model.__name__
    out_schema = create_schema(
        model, name=f"{name}Out", fields=["id", *res.fields, *res.read_only, "created_at", "updated_at"]
    )
    in_schema = _input_schema(model, f"{name}In", res.fields, optional=False)
    patch_schema = _input_schema(model, f"{name}Patch", res.fields, optional=True)
    page_schema = create_model(
        f"{name}Page", __base__=Schema, count=(int, ...), page=(int, ...),
        page_size=(int, ...), items=(list[out_schema], ...),
    )
    filter_fields: dict[str, Any] = {"q": (str | None, Field(None, description="search text"))}
    for fname in res.filters:
        filter_fields[fname] = (_filter_type(model, fname), Field(None, description=f"filter by {fname}"))
    filter_schema = create_model(f"{name}Filter", __base__=Schema, **filter_fields)

    def base_qs(request, action):
        qs = model.objects.all()
        if res.select_related:
            qs = qs.select_related(*res.select_related)
        return gate.restrict(qs, request.user, action)

    @router.get(f"/{res.path}", response={200: page_schema, **READ_ERRORS}, tags=[tag],
                operation_id=f"list_{res.path.replace('-', '_')}",
                summary=f"List {model._meta.verbose_name_plural}")
    def list_items(request, filters: Query[filter_schema], paging: Query[PageIn]):
        qs = base_qs(request, "view")
        for fname in res.filters:
            value = getattr(filters, fname)
            if value is not None:
                qs = qs.filter(**{fname: value})
        if filters.q:
            cond = Q()
            for s in res.search:
                cond |= Q(**{f"{s}__icontains": filters.q})
            qs = qs.filter(cond)
        qs = qs.order_by(*res.ordering)
        count = qs.count()
        start = (paging.page - 1) * paging.page_size
        return {"count": count, "page": paging.page, "page_size": paging.page_size,
                "items": list(qs[start : start + paging.page_size])}

    @router.get(f"/{res.path}/{{int:item_id}}", response={200: out_schema, **READ_ERRORS},
                tags=[tag], operation_id=f"get_{res.path.replace('-', '_')}",
                summary=f"Read one {model._meta.verbose_name}")
    def get_item(request, item_id: int):
        return gate.get_object(model.objects.all(), request.user, "view", pk=item_id)

    @router.post(f"/{res.path}", response={201: out_schema, **WRITE_ERRORS}, tags=[tag],
                 operation_id=f"create_{res.path.replace('-', '_')}",
                 summary=f"Create a {model._meta.verbose_name}")
    def create_item(request, payload: in_schema):
        data = payload.model_dump(exclude_unset=True)
        if not gate.can(request.user, "add", model):
            raise PermissionDenied
        _check_references(request, model, data)
        fields, m2m = _to_fields(model, data)
        return Status(201, res.service.create(by=request.user, m2m=m2m, **fields))

    @router.patch(f"/{res.path}/{{int:item_id}}", response={200: out_schema, **WRITE_ERRORS},
                  tags=[tag], operation_id=f"update_{res.path.replace('-', '_')}",
                  summary=f"Change a {model._meta.verbose_name}")
    def update_item(request, item_id: int, payload: patch_schema):
        obj = gate.get_object(model.objects.all(), request.user, "change", pk=item_id)
        data = payload.model_dump(exclude_unset=True)
        _check_references(request, model, data)
        fields, m2m = _to_fields(model, data)
        return res.service.update(obj, by=request.user, m2m=m2m, **fields)

    @router.delete(f"/{res.path}/{{int:item_id}}", response={204: None, **WRITE_ERRORS},
                   tags=[tag], operation_id=f"delete_{res.path.replace('-', '_')}",
                   summary=f"Delete a {model._meta.verbose_name}")
    def delete_item(request, item_id: int):
        obj = gate.get_object(model.objects.all(), request.user, "delete", pk=item_id)
        res.service.delete(obj, by=request.user)
        return Status(204, None)


__all__ = ["ErrorOut", "Resource", "register"]
