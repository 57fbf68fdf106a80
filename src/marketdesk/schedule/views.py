"""The calendar page (month, week, list), the feed pages and the iCal feed itself.

The calendar reads every dated thing through schedule.sources (each source asks the
permission gate); the HTMX navigation swaps the ``calendar`` partial and pushes the URL,
so every view, period and filter has an address of its own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from marketdesk.accounts.models import Team, User
from marketdesk.schedule import services, sources
from marketdesk.schedule.forms import CalendarFilterForm, FeedForm
from marketdesk.schedule.periods import LIST, MONTH, VIEWS, WEEK, Period


def _partial(request) -> bool:
    """An HTMX swap gets the partial; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@dataclass(frozen=True)
class Entry:
    """One item as a cell shows it."""

    item: sources.CalendarItem
    kind_label: str
    state_label: str
    team: str
    owner: str

    @property
    def time(self) -> dt.datetime | None:
        return None if self.item.all_day else self.item.start


@dataclass(frozen=True)
class Day:
    date: dt.date
    entries: list[Entry]
    is_today: bool
    in_period: bool


def _entries(items: list[sources.CalendarItem]) -> list[Entry]:
    kinds = dict(sources.kind_choices())
    teams = dict(Team.objects.filter(pk__in={i.team_id for i in items}).values_list("pk", "name"))
    owners = {u.pk: str(u) for u in User.objects.filter(pk__in={i.owner_id for i in items})}
    return [Entry(item, str(kinds.get(item.kind, item.kind)), str(sources.STATE_LABELS[item.state]),
                  teams.get(item.team_id, ""), owners.get(item.owner_id, ""))
            for item in items]


def _days(period: Period, entries: list[Entry], tz, today: dt.date) -> dict[dt.date, Day]:
    by_day: dict[dt.date, list[Entry]] = defaultdict(list)
    for entry in entries:
        day = max(entry.item.first_day(tz), period.first)
        last = min(entry.item.last_day(tz), period.last)
        while day <= last:
            by_day[day].append(entry)
            day += dt.timedelta(days=1)
    return {day: Day(day, by_day.get(day, []), day == today,
                     period.in_month(day) if period.view == MONTH else True)
            for day in period.days()}


def _query(base, **changes) -> str:
    query = base.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@login_required
@require_GET
def calendar(request):
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now, tz)
    period = Period.parse(request.GET.get("view"), request.GET.get("date"), today)
    form = CalendarFilterForm(request.user, request.GET)
    filters = form.filters(now=now) if form.is_valid() else sources.Filters(now=now)
    start, end = period.window(tz)
    entries = _entries(sources.collect(request.user, start, end, filters, tz=tz))
    days = _days(period, entries, tz, today)

    base = request.GET.copy()
    for key in ("view", "date"):
        base.pop(key, None)
    current = {"view": period.view, "date": period.anchor.isoformat()}
    context = {
        "period": period,
        "form": form,
        "entries": entries,
        "weeks": [[days[d] for d in week] for week in period.weeks()],
        "days": list(days.values()),
        "list_days": [day for day in days.values() if day.entries],
        "today": today,
        "views": [(name, label, _query(base, view=name, date=period.anchor.isoformat()),
                   name == period.view) for name, label in VIEWS.items()],
        "prev_query": _query(base, view=period.view, date=period.shifted(-1).anchor.isoformat()),
        "next_query": _query(base, view=period.view, date=period.shifted(1).anchor.isoformat()),
        "today_query": _query(base, view=period.view, date=today.isoformat()),
        "current": current,
        "MONTH": MONTH, "WEEK": WEEK, "LIST": LIST,
        "time_zone": timezone.get_current_timezone_name(),
        "calendar_url": reverse("schedule:calendar"),
    }
    template = "schedule/calendar.html#calendar" if _partial(request) else "schedule/calendar.html"
    return render(request, template, context)


def _feeds_page(request, form, issued=None, status=200):
    feeds = [(feed, services.may_revoke(request.user, feed))
             for feed in services.feeds_for(request.user)]
    context = {"form": form, "feeds": feeds, "issued": issued}
    if issued is not None:
        url = request.build_absolute_uri(issued.path)
        context["feed_url"] = url
        context["webcal_url"] = "webcal://" + url.split("://", 1)[1]
    return render(request, "schedule/feeds.html", context, status=status)


@login_required
def feeds(request):
    """List the user's feeds; POST creates one and shows its secret address once."""
    if request.method != "POST":
        return _feeds_page(request, FeedForm(request.user))
    form = FeedForm(request.user, request.POST)
    if not form.is_valid():
        return _feeds_page(request, form, status=422)
    issued = services.feed_create(by=request.user, scope=form.cleaned_data["scope"],
                                  team=form.team_object(), name=form.cleaned_data["name"])
    return _feeds_page(request, FeedForm(request.user), issued=issued)


@login_required
@require_POST
def feed_revoke(request, pk: int):
    feed = services.feeds_for(request.user).filter(pk=pk).first()
    if feed is None:
        raise Http404
    services.feed_revoke(feed, by=request.user)
    messages.success(request, _("The calendar feed “%(name)s” has been revoked; its address "
                                "no longer works.") % {"name": feed.name})
    return redirect("schedule:feeds")


@require_safe
def feed(request, secret: str):
    """The iCal document. No sign-in: the secret in the address is the credential, so an
    unknown or revoked secret is a plain 404 (nothing tells the two apart)."""
    found = services.feed_for_secret(secret)
    if found is None:
        raise Http404
    body = services.feed_document(found, absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="marketdesk.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response

