"""The stretch of days a calendar view shows: a month grid, a week, or a month as a list.
Weeks start on Monday (the convention in China and ISO 8601)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

MONTH, WEEK, LIST = "month", "week", "list"
VIEWS = {MONTH: _("Month"), WEEK: _("Week"), LIST: _("List")}
FIRST_YEAR, LAST_YEAR = 1900, 2999


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    view: str
    anchor: dt.date

    @classmethod
    def parse(cls, view: str | None, date: str | None, today: dt.date) -> Period:
        """From query parameters; anything unreadable falls back to this month / today."""
        view = view if view in VIEWS else MONTH
        try:
            anchor = dt.date.fromisoformat(date) if date else today
        except ValueError:
            anchor = today
        if not FIRST_YEAR <= anchor.year <= LAST_YEAR:
            anchor = today  # far from any record, and near the limits of date arithmetic
        return cls(view, anchor)

    @property
    def first(self) -> dt.date:
        """The first day shown (a month grid starts on the Monday of its first week)."""
        if self.view == WEEK:
            return _monday(self.anchor)
        if self.view == MONTH:
            return _monday(_month_start(self.anchor))
        return _month_start(self.anchor)

    @property
    def last(self) -> dt.date:
        """The last day shown, inclusive."""
        if self.view == WEEK:
            return self.first + dt.timedelta(days=6)
        month_last = _add_months(self.anchor, 1) - dt.timedelta(days=1)
        if self.view == MONTH:
            return month_last + dt.timedelta(days=6 - month_last.weekday())
        return month_last

    def window(self, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The aware instants [start, end) of the days shown, on the viewer's clock."""
        start = dt.datetime.combine(self.first, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def weeks(self) -> list[list[dt.date]]:
        days = self.days()
        return [days[i:i + 7] for i in range(0, len(days), 7)]

    def shifted(self, step: int) -> Period:
        if self.view == WEEK:
            return Period(self.view, self.anchor + dt.timedelta(days=7 * step))
        return Period(self.view, _add_months(self.anchor, step))

    def in_month(self, day: dt.date) -> bool:
        return (day.year, day.month) == (self.anchor.year, self.anchor.month)
