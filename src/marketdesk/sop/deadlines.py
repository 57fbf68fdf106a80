"""Pure date arithmetic of the SOP (DOMAIN Conventions). No database, no Django models.

Dates are counted on the team's local calendar: "one month ahead" = 30 days, "two weeks"
= 14 days, "one day before" = the previous local day. A date-only deadline falls due at
the end of that local day (23:59:59.999999 local); a deadline with a clock time at that
local time. Results are aware datetimes in UTC. No weekend or holiday shift unless an
offset is written in business days (``bd``), which skip Saturdays and Sundays.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

UTC = dt.UTC
END_OF_DAY = dt.time(23, 59, 59, 999999)

_OFFSET = re.compile(r"^(?P<sign>[+-]?)(?P<n>\d{1,4})(?P<unit>d|bd)$")
_TIME = re.compile(r"^(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)$")

#: Spellings of "the anchor day itself" (O11: "same day 12:00").
SAME_DAY = frozenset({"0d", "+0d", "-0d", "same-day", "same day"})


@dataclass(frozen=True)
class Offset:
    """A signed count of calendar days (or business days when ``business``)."""

    days: int
    business: bool = False

    def __str__(self) -> str:
        if self.days == 0 and not self.business:
            return "0d"
        return f"{self.days:+d}{'bd' if self.business else 'd'}"


def parse_offset(text) -> Offset:
    """``-30d``, ``+5d``, ``0d``, ``same-day``, ``-2bd`` → Offset; ValueError otherwise."""
    if isinstance(text, bool) or not isinstance(text, str):
        raise ValueError(_("an offset is text such as “-30d”, not %(value)s") % {"value": repr(text)})
    value = text.strip()
    if value in SAME_DAY:
        return Offset(0)
    match = _OFFSET.match(value)
    if not match:
        raise ValueError(_("unknown offset “%(value)s” (write e.g. -30d, +5d, 0d, same-day or -2bd)")
                         % {"value": text})
    days = int(match["n"]) * (-1 if match["sign"] == "-" else 1)
    return Offset(days, business=match["unit"] == "bd")


def parse_time(text) -> dt.time:
    """``"12:00"`` → time(12, 0); ValueError otherwise."""
    if not isinstance(text, str) or not _TIME.match(text.strip()):
        raise ValueError(_("a time is “HH:MM” (24-hour clock), not %(value)s") % {"value": repr(text)})
    hours, minutes = text.strip().split(":")
    return dt.time(int(hours), int(minutes))


def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def local_date(value: dt.date | dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The local calendar day of a key date: a date is itself; an aware datetime is read
    in the team's zone (a naive datetime is refused — times are never guessed)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("a key date with a time must be timezone-aware")  # programming error
        return value.astimezone(tz).date()
    return value


def shift(day: dt.date, offset: Offset) -> dt.date:
    """Move a local day by an offset; business days skip Saturday and Sunday."""
    if not offset.business:
        return day + dt.timedelta(days=offset.days)
    step = 1 if offset.days > 0 else -1
    remaining = abs(offset.days)
    current = day
    while remaining:
        current += dt.timedelta(days=step)
        if current.weekday() < 5:
            remaining -= 1
    return current


def due_instant(day: dt.date, tz: dt.tzinfo, at: dt.time | None = None) -> dt.datetime:
    """The UTC instant a deadline on local ``day`` falls due: ``at`` local time, or the end
    of the local day when no time is given."""
    local = dt.datetime.combine(day, at if at is not None else END_OF_DAY, tzinfo=tz)
    return local.astimezone(UTC)


def compute_due(
    anchor: dt.date | dt.datetime, offset: Offset, tz: dt.tzinfo, at: dt.time | None = None
) -> dt.datetime:
    """Anchor (a key date or the moment a stage was completed) + offset, in the zone."""
    return due_instant(shift(local_date(anchor, tz), offset), tz, at)


# --- Showing a deadline's basis ----------------------------------------------------------

_BASIS_OFFSET = re.compile(r"(?P<sign>[+−-]?)(?P<n>\d{1,4})(?P<unit>bd|d)\b")


def basis_label(basis: str) -> str:
    """A stored basis (``start −30d``, ``end +5d (P0–P1) / +2d (P2–P3)``, ``publish 0d
    12:00``, ``stage:planning +3d``) in the active language: ``start −30 days`` /
    ``开始日期 −30 天`` (O7, O10). Unknown anchors are shown as written."""
    if not basis:
        return ""
    anchor, _sep, rest = basis.partition(" ")
    anchors = {"start": _("start"), "end": _("end"), "publish": _("publication")}
    if anchor.startswith("stage:"):
        shown = _("completion of stage “%(stage)s”") % {"stage": anchor[len("stage:"):]}
    else:
        shown = anchors.get(anchor, anchor)

    def offset(match) -> str:
        n = int(match["n"])
        sign = "" if n == 0 else ("+" if match["sign"] in ("", "+") else "−")
        if match["unit"] == "bd":
            return sign + ngettext("%(n)s business day", "%(n)s business days", n) % {"n": n}
        if n == 0:
            return _("same day")
        return sign + ngettext("%(n)s day", "%(n)s days", n) % {"n": n}

    return f"{shown} {_BASIS_OFFSET.sub(offset, rest)}".strip()
