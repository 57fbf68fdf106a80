"""Who hears about SOP work, and the hand-over to the notify app.

The engine decides *who* is told (``responsible_for``, ``escalation_recipients`` in
services) and *what* (a title and body rendered in each recipient's language); delivery
belongs to ``marketdesk.notify.services.notify`` (inbox rows in the caller's transaction,
mail and chat after the commit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.utils import translation

from marketdesk.accounts.models import User
from marketdesk.core.roles import COMPANY_WIDE, Role

logger = logging.getLogger(__name__)


def role_holders(role: str, team_id: int | None) -> list[User]:
    """Active users holding ``role`` who may act on the team's items: company-wide roles
    everywhere, team roles only as members of the team."""
    users = User.objects.filter(is_active=True, role=role)
    if role not in COMPANY_WIDE:
        users = users.filter(memberships__team_id=team_id)
    return list(users.order_by("username").distinct())


def team_leaders(team_id: int) -> list[User]:
    return role_holders(Role.TEAM_LEADER, team_id)


def directors() -> list[User]:
    return role_holders(Role.DIRECTOR, None)


def _unique(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def send(
    recipients: Iterable[User | None],
    *,
    kind: str,
    render: Callable[[], tuple[str, str]],
    url: str,
    team,
    by=None,
    dedupe_key: str,
) -> list[User]:
    """Tell ``recipients``: ``render()`` runs once per language among them and returns
    (title, body). Delivery is queued for after the commit. Returns who is told."""
    users = _unique(recipients)
    if not users:
        return []
    by_language: dict[str, list[User]] = {}
    for user in users:
        by_language.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user)
    for language, group in by_language.items():
        with translation.override(language):
            title, body = render()
        _deliver(group, kind=kind, title=str(title), body=str(body), url=url, team=team, by=by,
                 dedupe_key=dedupe_key)
    return users


def _deliver(users, *, kind, title, body, url, team, by, dedupe_key) -> None:
    if not apps.is_installed("marketdesk.notify"):
        logger.info("sop notice %s to %s: %s", kind, [u.username for u in users], title)
        return
    from marketdesk.notify.services import notify

    # The inbox rows are written in the engine's transaction (they roll back with it);
    # notify sends mail and chat messages itself only after the commit.
    notify(users, kind=kind, title=title, body=body, url=url, team=team, by=by,
           dedupe_key=dedupe_key)
