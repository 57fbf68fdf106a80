"""Writes of the calendar app (feeds) and the reads that assemble a feed document."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketdesk.core import audit
from marketdesk.core import permissions as gate
from marketdesk.schedule import ical, sources
from marketdesk.schedule.models import CalendarFeed

#: What a subscribed calendar holds: the recent past and the year ahead.
FEED_PAST = dt.timedelta(days=90)
FEED_FUTURE = dt.timedelta(days=365)


@dataclass(frozen=True)
class IssuedFeed:
    feed: CalendarFeed
    secret: str  # shown to the user once, never stored

    @property
    def path(self) -> str:
        return CalendarFeed.url_for(self.secret)


def _language(value: str | None, user) -> str:
    codes = {code for code, _label in settings.LANGUAGES}
    for candidate in (value, getattr(user, "language", ""), translation.get_language()):
        if candidate in codes:
            return candidate
    return settings.LANGUAGE_CODE


def feed_create(*, by, scope: str, name: str, team=None, language: str | None = None) -> IssuedFeed:
    """Issue a feed for ``by`` (personal) or for ``team`` (``by`` must see the team)."""
    if scope == CalendarFeed.Scope.TEAM:
        if team is None:
            raise ValidationError({"team": _("A team calendar needs a team.")})
        gate.check_team(by, "add", CalendarFeed, team.pk)
    elif not gate.can(by, "add", CalendarFeed):
        raise PermissionDenied
    secret = CalendarFeed.SECRET_PREFIX + secrets.token_urlsafe(32)
    start = len(CalendarFeed.SECRET_PREFIX)
    with transaction.atomic():
        feed = CalendarFeed(
            scope=scope, user=by, team=team if scope == CalendarFeed.Scope.TEAM else None,
            name=name, language=_language(language, by),
            prefix=secret[start:start + CalendarFeed.PREFIX_LENGTH], digest=CalendarFeed.hash(secret),
        )
        feed.full_clean()
        feed.save()
        audit.record("security", feed, actor=by, message=f"calendar feed issued: {name}")
    return IssuedFeed(feed=feed, secret=secret)


def may_revoke(user, feed: CalendarFeed) -> bool:
    if feed.user_id == user.pk:
        return True
    return (feed.team_id is not None and gate.in_scope(user, feed.team_id)
            and gate.can(user, "delete", feed))


def feed_revoke(feed: CalendarFeed, *, by) -> CalendarFeed:
    if not may_revoke(by, feed):
        raise PermissionDenied
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        feed.refresh_from_db()
        audit.record("security", feed, actor=by, message=f"calendar feed revoked: {feed.name}")
    return feed


def feeds_for(user):
    """The feeds a user manages: their own, and their teams' (through the gate)."""
    own = CalendarFeed.objects.filter(user=user)
    teams = gate.scope(CalendarFeed.objects.filter(scope=CalendarFeed.Scope.TEAM), user)
    return (own | teams).select_related("team", "user").distinct()


def feed_for_secret(secret: str, *, now: dt.datetime | None = None) -> CalendarFeed | None:
    """The live feed a secret opens, or None (unknown, revoked, or its creator may no
    longer see what it shows)."""
    if not secret.startswith(CalendarFeed.SECRET_PREFIX):
        return None
    feed = (CalendarFeed.objects.select_related("user", "team")
            .filter(digest=CalendarFeed.hash(secret), revoked_at__isnull=True).first())
    if feed is None or not feed.user.is_active:
        return None
    if feed.team_id is not None and not gate.in_scope(feed.user, feed.team_id):
        return None
    now = now or timezone.now()
    # Calendar clients poll often: record use at most once a minute.
    if feed.last_used_at is None or now - feed.last_used_at > dt.timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now
    return feed


def feed_time_zone(feed: CalendarFeed) -> str:
    if feed.team_id is not None:
        return feed.team.time_zone
    return feed.user.display_time_zone() or settings.DEFAULT_TEAM_TIME_ZONE


def feed_items(feed: CalendarFeed, *, now: dt.datetime | None = None) -> list[sources.CalendarItem]:
    """What the feed holds: the creator's view through the gate, limited to their own
    items and reviews (personal) or to the team (team feed), 90 days back to 365 ahead."""
    now = now or timezone.now()
    if feed.scope == CalendarFeed.Scope.TEAM:
        filters = sources.Filters(team_ids=frozenset({feed.team_id}), now=now)
    else:
        filters = sources.Filters(personal=True, now=now)
    tz = zoneinfo.ZoneInfo(feed_time_zone(feed))
    with translation.override(feed.language):
        return sources.collect(feed.user, now - FEED_PAST, now + FEED_FUTURE, filters, tz=tz)


def feed_document(feed: CalendarFeed, *, absolute: Callable[[str], str],
                  now: dt.datetime | None = None) -> bytes:
    """The iCalendar text of a feed; ``absolute`` turns an item's path into a full URL."""
    now = now or timezone.now()
    items = [dataclasses.replace(item, url=absolute(item.url)) if item.url else item
             for item in feed_items(feed, now=now)]
    with translation.override(feed.language):
        name = (gettext("MarketDesk · %(team)s") % {"team": feed.team.name}
                if feed.team_id is not None
                else gettext("MarketDesk · %(user)s") % {"user": feed.user})
        labels = {kind: str(label) for kind, label in sources.kind_choices()}
        return ical.render(items, name=name, time_zone=feed_time_zone(feed), stamp=now,
                           labels=labels)


# --- cadence reminders (O4, O15) -------------------------------------------------------

#: A recurring meeting with a clock time is announced this long before it; one without a
#: time at CADENCE_DAY_NOTICE on its day (team time).
CADENCE_NOTICE_LEAD = dt.timedelta(hours=1)
CADENCE_DAY_NOTICE = dt.time(9, 0)


def cadence_notice_at(occurrence, tz: dt.tzinfo) -> dt.datetime:
    if occurrence.at is not None:
        return occurrence.at - CADENCE_NOTICE_LEAD
    return dt.datetime.combine(occurrence.day, CADENCE_DAY_NOTICE, tzinfo=tz).astimezone(dt.UTC)


def cadence_reminders_send(*, since: dt.datetime, now: dt.datetime) -> list[str]:
    """Tell every team's members of each recurring meeting whose notice time falls in
    ``(since, now]`` — once (de-duplicated per team, cadence and day), and never for one
    already over (a scheduler back from downtime does not announce yesterday's meeting).
    Returns the de-duplication keys of the meetings announced."""
    from django.apps import apps

    from marketdesk.accounts.models import Team, User
    from marketdesk.schedule.builtin_sources import cadence_url
    from marketdesk.sop.services import cadence_occurrences

    if not apps.is_installed("marketdesk.notify"):
        return []
    from marketdesk.notify.services import notify

    sent = []
    for team in Team.objects.order_by("pk"):
        tz = zoneinfo.ZoneInfo(team.time_zone)
        first = timezone.localtime(since, tz).date()
        last = timezone.localtime(now + CADENCE_NOTICE_LEAD, tz).date()
        today = timezone.localtime(now, tz).date()
        for occurrence in cadence_occurrences(first, last + dt.timedelta(days=1), team):
            notice = cadence_notice_at(occurrence, tz)
            if not since < notice <= now:
                continue
            if (occurrence.at is not None and occurrence.at < now) or occurrence.day < today:
                continue
            members = list(User.objects.filter(memberships__team=team, is_active=True)
                           .order_by("pk").distinct())
            key = f"schedule-cadence-{team.pk}-{occurrence.key}-{occurrence.day:%Y%m%d}"
            for language, group in _by_language(members).items():
                with translation.override(language):
                    if occurrence.at is not None:
                        title = gettext("%(meeting)s at %(time)s") % {
                            "meeting": occurrence.label,
                            "time": timezone.localtime(occurrence.at, tz).strftime("%H:%M")}
                    else:
                        title = gettext("%(meeting)s today") % {"meeting": occurrence.label}
                    body = gettext("Recurring for %(team)s (%(rule)s); the calendar shows "
                                   "the week's items.") % {"team": team.name,
                                                           "rule": occurrence.rule}
                    notify(group, kind="schedule.cadence", title=title, body=body,
                           url=cadence_url(team, occurrence.day), team=team,
                           dedupe_key=key)
            sent.append(key)
    return sent


def _by_language(users) -> dict[str, list]:
    groups: dict[str, list] = {}
    for user in users:
        groups.setdefault(user.language or settings.LANGUAGE_CODE, []).append(user)
    return groups
