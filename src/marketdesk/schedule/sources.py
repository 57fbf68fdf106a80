"""The calendar's published interface: every app that knows dated things registers a
source here, and the calendar page, the iCal feeds and the API read only through it.

A source is ``fn(user, start, end, filters) -> list[CalendarItem]``: the items the user may
see (the source asks the permission gate) that overlap ``[start, end)``. Sources apply the
filters they can answer cheaply in their query; ``collect`` applies the generic ones (team,
kind, owner) again, so a source that ignores a filter is still correct.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Kinds of item. A source may add its own kinds (``register(..., kinds=...)``).
DEADLINE = "deadline"
REVIEW = "review"
EVENT = "event"
CADENCE = "cadence"

#: Within a day: the event first, then what is due for it, then the team's meetings.
KIND_ORDER = {EVENT: 0, DEADLINE: 1, REVIEW: 2, CADENCE: 3}

# States, for every kind.
DONE = "done"
DUE = "due"  # open and its turn now (a deadline of the current stage, an event under way)
OVERDUE = "overdue"
UPCOMING = "upcoming"

STATE_LABELS = {
    DONE: _("Done"),
    DUE: _("Due now"),
    OVERDUE: _("Overdue"),
    UPCOMING: _("Upcoming"),
}

@dataclass(frozen=True)
class CalendarItem:
    """One dated thing on the calendar.

    ``start``/``end`` are aware datetimes, or dates when ``all_day`` (then ``end`` is the
    last day, inclusive). ``uid`` must be stable across runs and edits of the item: it is
    the iCal UID that calendar clients match updates by.
    """

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
    rule: str = ""
    description: str = ""
    event_type: str = ""

    def __post_init__(self):
        if self.all_day:
            if isinstance(self.start, dt.datetime) or isinstance(self.end, dt.datetime):
                raise ValueError(f"{self.uid}: an all-day item has dates, not datetimes")
        elif not (isinstance(self.start, dt.datetime) and timezone.is_aware(self.start)
                  and isinstance(self.end, dt.datetime) and timezone.is_aware(self.end)):
            raise ValueError(f"{self.uid}: a timed item needs aware datetimes")
        if self.end < self.start:
            raise ValueError(f"{self.uid}: ends before it starts")

    def first_day(self, tz: dt.tzinfo) -> dt.date:
        return self.start if self.all_day else timezone.localtime(self.start, tz).date()

    def last_day(self, tz: dt.tzinfo) -> dt.date:
        return self.end if self.all_day else timezone.localtime(self.end, tz).date()

    def sort_key(self, tz: dt.tzinfo):
        if self.all_day:
            start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        else:
            start = self.start
        return (start, not self.all_day, KIND_ORDER.get(self.kind, len(KIND_ORDER)), self.title,
                self.uid)

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE


@dataclass(frozen=True)
class Filters:
    """What the reader asked for. Empty means "no restriction"."""

    team_ids: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()
    event_types: frozenset[str] = frozenset()
    owner_id: int | None = None
    #: Only the user's own items (owner) and the reviews waiting for their role: the
    #: personal iCal feed.
    personal: bool = False
    #: The clock the states are computed against (tests freeze it).
    now: dt.datetime | None = None

    def at(self) -> dt.datetime:
        return self.now or timezone.now()

    def allows(self, item: CalendarItem) -> bool:
        if self.team_ids and item.team_id not in self.team_ids:
            return False
        if self.kinds and item.kind not in self.kinds:
            return False
        if self.event_types and item.event_type not in self.event_types:
            return False
        return self.owner_id is None or item.owner_id == self.owner_id


Source = Callable[[object, dt.datetime, dt.datetime, Filters], list[CalendarItem]]


@dataclass(frozen=True)
class Registration:
    name: str
    fn: Source
    kinds: dict[str, str] = field(default_factory=dict)


_sources: dict[str, Registration] = {}


def register(name: str, fn: Source, *, kinds: dict | None = None) -> None:
    """Add (or replace) a source; ``kinds`` maps the kinds it yields to their labels."""
    _sources[name] = Registration(name, fn, dict(kinds or {}))


def unregister(name: str) -> None:
    _sources.pop(name, None)


def registered() -> dict[str, Registration]:
    return dict(_sources)


def kind_choices() -> list[tuple[str, str]]:
    """Every kind the registered sources yield, for the calendar's filter."""
    choices: dict[str, str] = {}
    for registration in _sources.values():
        choices.update(registration.kinds)
    return list(choices.items())


def collect(user, start: dt.datetime, end: dt.datetime, filters: Filters | None = None,
            *, tz: dt.tzinfo | None = None) -> list[CalendarItem]:
    """Every item of every source overlapping ``[start, end)``, in calendar order."""
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValueError("the calendar window must be aware datetimes")
    filters = filters or Filters()
    tz = tz or timezone.get_current_timezone()
    # The local days the window covers (its end instant is excluded).
    first = timezone.localtime(start, tz).date()
    last = timezone.localtime(end - dt.timedelta(microseconds=1), tz).date()
    items = []
    for registration in _sources.values():
        for item in registration.fn(user, start, end, filters):
            if not filters.allows(item):
                continue
            if item.all_day:
                if item.end < first or item.start > last:
                    continue
            elif item.end < start or item.start >= end:
                continue
            items.append(item)
    items.sort(key=lambda i: i.sort_key(tz))
    return items


def span_state(first: dt.date, last: dt.date, today: dt.date) -> str:
    """The state of a dated span (an event): done once over, due while on, else upcoming."""
    if last < today:
        return DONE
    if first <= today:
        return DUE
    return UPCOMING
