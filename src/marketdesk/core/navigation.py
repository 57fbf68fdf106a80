"""Navigation is declared by each app (``AppConfig.nav``); an area that is not built
has no entry, so there are no placeholder pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse

from marketdesk.core import permissions as gate


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    icon: str
    model: str | None = None  # "app_label.Model": shown only to roles that may view it
    roles: frozenset | None = None  # or an explicit role set
    order: int = 50
    # A count beside the label, fetched by HTMX after the page loads (so that no page
    # pays for it): the URL name of a view returning the badge's HTML.
    badge_url_name: str | None = None


def items_for(request) -> list[dict]:
    user = request.user
    entries = []
    for config in apps.get_app_configs():
        for item in getattr(config, "nav", ()):
            if item.model and not gate.can(user, "view", apps.get_model(item.model)):
                continue
            if item.roles is not None and getattr(user, "role", None) not in item.roles:
                continue
            url = reverse(item.url_name)
            entries.append((item.order, {
                "url": url, "label": item.label, "icon": item.icon,
                "badge_url": reverse(item.badge_url_name) if item.badge_url_name else "",
                "active": request.path.startswith(url) and url != "/" or request.path == url,
            }))
    return [entry for _, entry in sorted(entries, key=lambda e: e[0])]
