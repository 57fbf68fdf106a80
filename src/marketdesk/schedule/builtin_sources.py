"""The calendar sources of the SOP engine and the events app, registered by
``ScheduleConfig.ready()`` when those apps are installed.

They read through the apps' published interfaces only: ``sop.services.calendar_deadlines``
(gate-scoped deadlines), ``sop.services.cadence_occurrences``, the item adapters of
``sop.items`` (owner, link, label of any item that runs a process) and the events model
through the permission gate.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketdesk.core import permissions as gate
from marketdesk.schedule import sources
from marketdesk.schedule.sources import CalendarItem, Filters
from marketdesk.sop.deadlines import basis_label

UID_DOMAIN = "marketdesk"
END_OF_DAY = dt.time(23, 59, 59, 999999)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def _sep() -> str:
    # "活动策划方案（提前≥一个月）：上海开发者沙龙" — Chinese takes the full-width colon.
    return "：" if (translation.get_language() or "").lower().startswith("zh") else ": "


def _load_items(runs) -> dict[tuple[int, int], models.Model]:
    """The items of ``runs``, one query per item model (with the owner joined)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for run in runs:
        wanted[run.content_type_id].add(run.object_id)
    found = {}
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        qs = model._default_manager.filter(pk__in=ids)
        try:
            if isinstance(model._meta.get_field("owner"), models.ForeignKey):
                qs = qs.select_related("owner")
        except FieldDoesNotExist:
            pass
        found.update({(ct_id, obj.pk): obj for obj in qs})
    return found


# --- SOP deadlines ---------------------------------------------------------------------

def deadline_items(user, start: dt.datetime, end: dt.datetime, filters: Filters) -> list[CalendarItem]:
    from marketdesk.sop import items as item_registry
    from marketdesk.sop import services as sop
    from marketdesk.sop.models import Deadline, ProcessRun

    if not gate.can(user, "view", Deadline):
        return []
    now = filters.at()
    # A day's margin each side: an end-of-day deadline sits on its team's local date, which
    # may lie inside the window while its instant, seen from another zone, does not.
    qs = sop.calendar_deadlines(user, start - dt.timedelta(days=1), end + dt.timedelta(days=1))
    if filters.team_ids:
        qs = qs.filter(run__team_id__in=filters.team_ids)
    if filters.kinds:
        wanted = set()
        if sources.DEADLINE in filters.kinds:
            wanted |= {Deadline.Kind.STAGE, Deadline.Kind.TASK}
        if sources.REVIEW in filters.kinds:
            wanted.add(Deadline.Kind.REVIEW)
        qs = qs.filter(kind__in=wanted)
    deadlines = list(qs.order_by("due_at", "id"))
    found = _load_items(d.run for d in deadlines)
    definitions = {}
    out = []
    for deadline in deadlines:
        run = deadline.run
        item = found.get((run.content_type_id, run.object_id))
        if item is None:
            continue
        try:
            adapter = item_registry.adapter_for(item)
        except LookupError:
            continue
        owner = adapter.owner(item)
        owner_id = getattr(owner, "pk", None)
        is_review = deadline.kind == Deadline.Kind.REVIEW
        # One parse per definition version, not per deadline.
        parsed = definitions.get(run.definition_id)
        if parsed is None:
            parsed = definitions[run.definition_id] = run.definition.parsed
        if filters.personal and owner_id != user.pk:
            if not is_review or not _reviews_for(user, deadline, parsed, adapter, item, owner):
                continue
        tz = _zone(run.team.time_zone)
        local_due = timezone.localtime(deadline.due_at, tz)
        all_day = local_due.time() == END_OF_DAY
        start_value = local_due.date() if all_day else deadline.due_at
        out.append(CalendarItem(
            uid=f"deadline-{deadline.pk}@{UID_DOMAIN}",
            title=f"{deadline.label}{_sep()}{adapter.label(item)}",
            start=start_value, end=start_value, all_day=all_day,
            kind=sources.REVIEW if is_review else sources.DEADLINE,
            team_id=run.team_id, owner_id=owner_id, url=adapter.url(item),
            state=_deadline_state(deadline, run, now, ProcessRun.Status.ACTIVE),
            rule=deadline.rule,
            description=_deadline_description(deadline, run, parsed, local_due, all_day),
            event_type=getattr(item, "event_type", "") or "",
        ))
    return out


def _deadline_state(deadline, run, now: dt.datetime, active: str) -> str:
    # The same rule as the item's timeline (sop.services.timeline): due while its stage is
    # the run's current one.
    if deadline.done_at is not None:
        return sources.DONE
    if deadline.due_at < now:
        return sources.OVERDUE
    if deadline.stage == run.stage and run.status == active:
        return sources.DUE
    return sources.UPCOMING


def _reviews_for(user, deadline, parsed, adapter, item, owner) -> bool:
    """Is ``user`` one of the people a review deadline waits for: the step's role, in the
    run's team, neither the item's author nor its owner (sop.services.responsible_for)?"""
    if not parsed.has_stage(deadline.stage) or not gate.in_scope(user, deadline.run.team_id):
        return False
    step_key = deadline.key.rsplit(".", 1)[-1]
    step = next((s for s in parsed.stage(deadline.stage).reviews if s.key == step_key), None)
    if step is None or step.role != user.role:
        return False
    author = adapter.author(item)
    return user.pk not in {getattr(author, "pk", None), getattr(owner, "pk", None)}


def _deadline_description(deadline, run, parsed, local_due: dt.datetime, all_day: bool) -> str:
    stage = parsed.stage(run.stage).label if parsed.has_stage(run.stage) else run.stage
    lines = [
        _("Process: %(process)s") % {"process": run.definition.label},
        _("Current stage: %(stage)s") % {"stage": stage},
        (_("Due: %(day)s (end of day, %(tz)s)") if all_day else _("Due: %(day)s (%(tz)s)")) % {
            "day": local_due.strftime("%Y-%m-%d" if all_day else "%Y-%m-%d %H:%M"),
            "tz": run.team.time_zone},
    ]
    if deadline.basis:
        lines.append(_("Counted from: %(basis)s") % {"basis": basis_label(deadline.basis)})
    if deadline.rule:
        lines.append(_("Rule: %(rule)s") % {"rule": deadline.rule})
    if deadline.done_at is not None:
        lines.append(_("Done: %(when)s") % {
            "when": timezone.localtime(deadline.done_at, local_due.tzinfo).strftime("%Y-%m-%d %H:%M")})
    return "\n".join(lines)


# --- events ----------------------------------------------------------------------------

def event_items(user, start: dt.datetime, end: dt.datetime, filters: Filters) -> list[CalendarItem]:
    from marketdesk.events.models import Event

    if not gate.can(user, "view", Event):
        return []
    if filters.kinds and sources.EVENT not in filters.kinds:
        return []
    now = filters.at()
    # Events are whole local days of their team: read a day's margin, collect() trims.
    first = (start - dt.timedelta(days=1)).date()
    last = (end + dt.timedelta(days=1)).date()
    qs = (gate.scope(Event.objects.all(), user)
          .filter(start_date__lte=last, end_date__gte=first)
          .exclude(screening=Event.Screening.REJECTED)
          .exclude(decision=Event.Decision.NO_GO)
          .select_related("team"))
    if filters.team_ids:
        qs = qs.filter(team_id__in=filters.team_ids)
    if filters.event_types:
        qs = qs.filter(event_type__in=filters.event_types)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.personal:
        qs = qs.filter(owner_id=user.pk)
    out = []
    for event in qs.order_by("start_date", "id"):
        today = timezone.localtime(now, _zone(event.team.time_zone)).date()
        details = [event.get_event_type_display() if event.event_type else "",
                   " · ".join(p for p in (event.city, event.venue) if p),
                   event.get_decision_display()]
        out.append(CalendarItem(
            uid=f"event-{event.pk}@{UID_DOMAIN}", title=event.name,
            start=event.start_date, end=event.end_date, all_day=True, kind=sources.EVENT,
            team_id=event.team_id, owner_id=event.owner_id, url=event.get_absolute_url(),
            state=sources.span_state(event.start_date, event.end_date, today),
            description="\n".join(str(d) for d in details if d),
            event_type=event.event_type,
        ))
    return out


# --- cadences --------------------------------------------------------------------------

def cadence_items(user, start: dt.datetime, end: dt.datetime, filters: Filters) -> list[CalendarItem]:
    from marketdesk.accounts.models import Team
    from marketdesk.sop import services as sop

    if filters.kinds and sources.CADENCE not in filters.kinds:
        return []
    if filters.owner_id is not None or filters.event_types:
        return []  # a team's meeting has no owner and no event type
    if filters.personal:
        # A personal feed carries the meetings of the user's own teams.
        teams = Team.objects.filter(pk__in=gate.team_ids(user))
    elif gate.is_company_wide(user):
        teams = Team.objects.all()
    else:
        teams = Team.objects.filter(pk__in=gate.team_ids(user))
    if filters.team_ids:
        teams = teams.filter(pk__in=filters.team_ids)
    now = filters.at()
    out = []
    for team in teams.order_by("name"):
        tz = _zone(team.time_zone)
        first = timezone.localtime(start, tz).date() - dt.timedelta(days=1)
        last = timezone.localtime(end, tz).date() + dt.timedelta(days=1)
        today = timezone.localtime(now, tz).date()
        for occurrence in sop.cadence_occurrences(first, last, team):
            out.append(cadence_item(team, occurrence, now=now, today=today))
    return out


def cadence_item(team, occurrence, *, now: dt.datetime, today: dt.date) -> CalendarItem:
    if occurrence.at is not None:
        start_value = occurrence.at
        state = (sources.DONE if occurrence.at < now
                 else sources.DUE if occurrence.day == today else sources.UPCOMING)
    else:
        start_value = occurrence.day
        state = sources.span_state(occurrence.day, occurrence.day, today)
    return CalendarItem(
        uid=f"cadence-{team.pk}-{occurrence.key}-{occurrence.day:%Y%m%d}@{UID_DOMAIN}",
        title=str(occurrence.label), start=start_value, end=start_value,
        all_day=occurrence.at is None, kind=sources.CADENCE, team_id=team.pk, owner_id=None,
        url=cadence_url(team, occurrence.day), state=state, rule=occurrence.rule,
        description=_("Recurring for %(team)s (%(rule)s)") % {"team": team.name,
                                                              "rule": occurrence.rule},
    )


def cadence_url(team, day: dt.date) -> str:
    query = urlencode({"view": "week", "date": day.isoformat(), "team": team.pk})
    return f"{reverse('schedule:calendar')}?{query}"


KINDS_SOP = {sources.DEADLINE: gettext_lazy("Deadline"), sources.REVIEW: gettext_lazy("Review"),
             sources.CADENCE: gettext_lazy("Recurring")}
KINDS_EVENTS = {sources.EVENT: gettext_lazy("Event")}


def register_all(is_installed) -> list[str]:
    """Register the sources whose apps are installed; returns their names."""
    names = []
    if is_installed("marketdesk.sop"):
        sources.register("sop.deadlines", deadline_items,
                         kinds={k: KINDS_SOP[k] for k in (sources.DEADLINE, sources.REVIEW)})
        sources.register("sop.cadences", cadence_items, kinds={sources.CADENCE: KINDS_SOP[sources.CADENCE]})
        names += ["sop.deadlines", "sop.cadences"]
    if is_installed("marketdesk.events"):
        sources.register("events.events", event_items, kinds=KINDS_EVENTS)
        names.append("events.events")
    return names
