"""Calendar months, the x axis of every trend: in the time zone in force (the library's on
its pages, :mod:`bookwarden.core.when`)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, value: datetime.date | datetime.datetime) -> Month:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
        return cls(value.year, value.month)

    @property
    def short(self) -> str:
        return calendar.month_abbr[self.month]

    @property
    def label(self) -> str:
        """As people read it: "Mar 2026"."""
        return f"{self.short} {self.year}"

    @property
    def iso(self) -> str:
        """As machines read it: "2026-03"."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def start(self) -> datetime.datetime:
        """Its first moment, in the time zone in force."""
        return start_of(self.first_day)

    @property
    def end(self) -> datetime.datetime:
        """The first moment of the next month (the month is [start, end))."""
        return self.next().start


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the time zone in force."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_current_timezone())


def last_months(count: int = 12, today: datetime.date | None = None) -> tuple[Month, ...]:
    """The ``count`` months ending with this one, oldest first."""
    month = Month.of(today or timezone.localdate())
    months = [month]
    while len(months) < count:
        months.append(months[-1].previous())
    return tuple(reversed(months))


def months_between(first: datetime.date, last: datetime.date) -> tuple[Month, ...]:
    """Every month from the one holding ``first`` to the one holding ``last``."""
    months = [Month.of(first)]
    while months[-1] < Month.of(last):
        months.append(months[-1].next())
    return tuple(months)


def cut_off(month: Month, today: datetime.date) -> datetime.datetime:
    """When a month's state is read: its end, or now for the month in progress."""
    return timezone.now() if month == Month.of(today) else month.end
