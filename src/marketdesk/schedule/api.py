"""The calendar over REST (/api/v1/calendar): the items of a date range and the caller's
iCal feeds."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from marketdesk.accounts.models import Team
from marketdesk.core import permissions as gate
from marketdesk.core.api import READ_ERRORS, WRITE_ERRORS
from marketdesk.schedule import services, sources
from marketdesk.schedule.models import CalendarFeed

router = Router(tags=["calendar"])

#: The longest range one request may ask for.
MAX_DAYS = 400


class ItemsQuery(Schema):
    start: dt.date = Field(description="First local day (team time zone of the caller).")
    end: dt.date = Field(description="Last local day, inclusive.")
    team: int | None = None
    kind: str | None = Field(None, description="deadline, review, event or cadence.")
    event_type: str | None = None
    owner: int | None = None
    mine: bool = Field(False, description="Only what the caller owns or reviews.")


class ItemOut(Schema):
    uid: str
    title: str
    start: dt.datetime | dt.date
    end: dt.datetime | dt.date
    all_day: bool
    kind: str
    team_id: int | None
    owner_id: int | None
    url: str
    state: str
    rule: str
    event_type: str


class FeedIn(Schema):
    scope: CalendarFeed.Scope
    name: str = Field(max_length=100)
    team: int | None = None
    language: str | None = None


class FeedOut(Schema):
    id: int
    scope: str
    name: str
    team: int | None = Field(None, alias="team_id")
    language: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class IssuedFeedOut(Schema):
    feed: FeedOut
    url: str = Field(description="The secret address; shown once, never again.")


def _zone(user) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(user.display_time_zone() or settings.DEFAULT_TEAM_TIME_ZONE)


@router.get("/items", response={200: list[ItemOut], **READ_ERRORS})
def items(request, query: Query[ItemsQuery]):
    """Every calendar item the caller may see overlapping the local days start…end."""
    if query.end < query.start:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    if (query.end - query.start).days >= MAX_DAYS:
        raise ValidationError({"end": _("Ask for at most %(n)d days at a time.") % {"n": MAX_DAYS}})
    if query.team is not None and not gate.in_scope(request.user, query.team):
        raise ValidationError({"team": _("No such team among yours.")})
    tz = _zone(request.user)
    start = dt.datetime.combine(query.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(query.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    filters = sources.Filters(
        team_ids=frozenset({query.team}) if query.team else frozenset(),
        kinds=frozenset({query.kind}) if query.kind else frozenset(),
        event_types=frozenset({query.event_type}) if query.event_type else frozenset(),
        owner_id=query.owner, personal=query.mine, now=timezone.now())
    return sources.collect(request.user, start, end, filters, tz=tz)


@router.get("/feeds", response={200: list[FeedOut], **READ_ERRORS})
def feed_list(request):
    """The caller's feeds and their teams' feeds (never the secrets)."""
    return list(services.feeds_for(request.user))


@router.post("/feeds", response={201: IssuedFeedOut, **WRITE_ERRORS})
def feed_create(request, payload: FeedIn):
    team = None
    if payload.team is not None:
        team = Team.objects.filter(pk=payload.team).first()
        if team is None or not gate.in_scope(request.user, team.pk):
            raise ValidationError({"team": _("No such team among yours.")})
    issued = services.feed_create(by=request.user, scope=payload.scope, team=team,
                                  name=payload.name, language=payload.language)
    return Status(201, {"feed": issued.feed, "url": request.build_absolute_uri(issued.path)})


@router.post("/feeds/{feed_id}/revoke", response={200: FeedOut, **WRITE_ERRORS})
def feed_revoke(request, feed_id: int):
    feed = get_object_or_404(services.feeds_for(request.user), pk=feed_id)
    return services.feed_revoke(feed, by=request.user)

