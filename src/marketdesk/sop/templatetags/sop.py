"""Template tags item pages use to show a run:

    {% load sop %}
    {% sop_timeline run %}       deadlines done / due / overdue in the team's zone, with rule ids
    {% sop_review_panel run %}   the current stage: checklist, review steps, the review form,
                                 the advance button (posting to sop:tick, sop:review, sop:advance)
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import timezone

from marketdesk.sop import deadlines as dl
from marketdesk.sop import services

register = template.Library()


def timeline_context(request, run) -> dict:
    return {
        "run": run,
        "entries": services.timeline(run),
        "tz_name": run.team.time_zone,
        "request": request,
    }


def review_panel_context(request, run) -> dict:
    return {
        "run": run,
        "state": services.run_state(run, request.user),
        "request": request,
        "next": request.get_full_path(),
    }


@register.inclusion_tag("sop/_timeline.html", takes_context=True)
def sop_timeline(context, run):
    """Nothing when ``run`` is None (an item that has not entered its process)."""
    if run is None:
        return {"run": None}
    return timeline_context(context["request"], run)


@register.inclusion_tag("sop/_review_panel.html", takes_context=True)
def sop_review_panel(context, run):
    if run is None:
        return {"state": None}
    return {**review_panel_context(context["request"], run), "csrf_token": context.get("csrf_token")}


@register.filter
def sop_basis(value: str) -> str:
    """A deadline's stored basis (``start −30d``) in the active language."""
    return dl.basis_label(value)


@register.filter
def sop_due(value: dt.datetime | None, tz_name: str) -> str:
    """A deadline in the team's zone: the date alone when it falls due at the end of the
    local day (a date-only deadline), else the date and the local time."""
    if value is None:
        return ""
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        tz = timezone.get_current_timezone()
    local = timezone.localtime(value, tz)
    if local.time() == dl.END_OF_DAY:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")
