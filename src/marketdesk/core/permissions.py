"""The permission gate: the one place that answers "may this user do this action on this
object" (STYLE 5, after NetBox's RestrictedQuerySet).

Two questions, asked in this order:
1. Scope — is the object inside the user's teams? Company-wide roles (director, admin)
   see every team. An object outside the scope does not exist for the user: **404**.
2. Right — does the user's role allow the action on this kind of record (the model's
   ``gate_rules``)? If not: **403**.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from marketdesk.core.roles import COMPANY_WIDE


def _role(user) -> str | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def is_company_wide(user) -> bool:
    return _role(user) in COMPANY_WIDE


def team_ids(user) -> set[int]:
    """Ids of the teams a user belongs to (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_gate_team_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("team_id", flat=True))
        user._gate_team_ids = cached
    return cached


def can(user, action: str, model_or_obj) -> bool:
    """Does the user's role allow ``action`` on this kind of record (ignores scope)?"""
    role = _role(user)
    if role is None:
        return False
    rules = getattr(model_or_obj, "gate_rules", None)
    if rules is None:
        raise TypeError(f"{model_or_obj!r} is not mediated by the permission gate")
    return role in rules.get(action, frozenset())


def in_scope(user, team_id: int | None) -> bool:
    if _role(user) is None:
        return False
    return is_company_wide(user) or (team_id is not None and team_id in team_ids(user))


def scope(qs: models.QuerySet, user) -> models.QuerySet:
    """Only the records inside the user's teams."""
    if _role(user) is None:
        return qs.none()
    if is_company_wide(user):
        return qs
    return qs.filter(**{f"{qs.model.gate_team_path}__in": team_ids(user)})


def restrict(qs: models.QuerySet, user, action: str = "view") -> models.QuerySet:
    """A list through the gate: 403 without the right, otherwise the scoped queryset."""
    if not can(user, action, qs.model):
        raise PermissionDenied
    return scope(qs, user)


def get_object(qs: models.QuerySet, user, action: str = "view", **lookup):
    """One record through the gate: 404 outside the scope, 403 without the right."""
    try:
        obj = scope(qs, user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not can(user, action, obj):
        raise PermissionDenied
    return obj


def check(user, action: str, obj) -> None:
    """Gate an object already in hand (e.g. the parent of a new child record)."""
    if not in_scope(user, obj.owning_team_id()):
        raise Http404
    if not can(user, action, obj):
        raise PermissionDenied


def check_team(user, action: str, model, team_id: int | None) -> None:
    """May the user ``action`` a record of ``model`` owned by ``team_id`` (e.g. create)?"""
    if not can(user, action, model):
        raise PermissionDenied
    if not in_scope(user, team_id):
        raise PermissionDenied
