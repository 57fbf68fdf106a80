"""Calendar items as an RFC 5545 iCalendar document (the ``icalendar`` package escapes
text — commas, semicolons, backslashes, newlines — and folds lines at 75 octets without
splitting a UTF-8 character)."""

from __future__ import annotations

import datetime as dt

import icalendar

from marketdesk.schedule.sources import STATE_LABELS, CalendarItem

PRODID = "-//MarketDesk//MarketDesk calendar//EN"


def _as_utc(value: dt.datetime) -> dt.datetime:
    # RFC 5545 DATE-TIME has whole seconds: an end-of-day deadline (23:59:59.999999)
    # becomes 23:59:59, still inside its day.
    return value.astimezone(dt.UTC).replace(microsecond=0)


def vevent(item: CalendarItem, *, stamp: dt.datetime, labels: dict[str, str]) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", item.uid)
    event.add("dtstamp", _as_utc(stamp))
    if item.all_day:
        event.add("dtstart", item.start)
        # DTEND of a DATE event is exclusive: the day after the last day.
        event.add("dtend", item.end + dt.timedelta(days=1))
    else:
        event.add("dtstart", _as_utc(item.start))
        if item.end > item.start:
            event.add("dtend", _as_utc(item.end))
        # A deadline is an instant: no DTEND (RFC 5545 3.6.1, it ends when it starts).
    event.add("summary", item.title)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", item.url)
    event.add("categories", [labels.get(item.kind, item.kind), str(STATE_LABELS[item.state])])
    event.add("status", "CONFIRMED")
    return event


def render(items: list[CalendarItem], *, name: str, time_zone: str, stamp: dt.datetime,
           labels: dict[str, str]) -> bytes:
    """The feed document. ``labels`` names the kinds (CATEGORIES) in the feed's language."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", icalendar.vText(name))
    calendar.add("x-wr-timezone", time_zone)
    # Ask subscribing clients to refresh hourly (RFC 7986 and the older Outlook name).
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", icalendar.vDuration(dt.timedelta(hours=1)))
    for item in items:
        calendar.add_component(vevent(item, stamp=stamp, labels=labels))
    return calendar.to_ical()
