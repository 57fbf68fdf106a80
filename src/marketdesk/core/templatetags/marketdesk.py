from django import template
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from marketdesk.core import permissions as gate
from marketdesk.core.text import render_markdown

register = template.Library()


@register.filter
def markdown(value):
    return render_markdown(value or "")


@register.simple_tag
def history_url(obj):
    ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return reverse("core:history", args=[ct.pk, obj.pk])


@register.simple_tag(takes_context=True)
def can(context, action, obj):
    """``{% can "change" product as may_change %}`` — the gate's answer for templates."""
    return gate.can(context["request"].user, action, obj)


@register.filter
def change_rows(changes):
    """Rows of (field, before, after) for an audit entry's changes."""
    before = changes.get("before") or {}
    after = changes.get("after") or {}
    keys = list(dict.fromkeys([*after.keys(), *before.keys()]))
    return [(k, before.get(k, ""), after.get(k, "")) for k in keys]
