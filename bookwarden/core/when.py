"""Dates and times as people read them: one format, in the library's time zone.

Pages, mails and letters show a date as "Dec 2, 2026" and a moment as
"Dec 2, 2026, 4:19 PM" (``settings.DATE_FORMAT`` and ``DATETIME_FORMAT``), in the time zone
of the library the page or message is about (``Library.time_zone``).  Exports (CSV, JSON)
and other machine output carry ISO 8601 in UTC (:func:`iso_utc`).

Templates use the filters of ``{% load when %}`` (``|when``, ``|day``, ``|ago``, ``|iso``);
Python code that writes page text or messages uses the functions below.  The time zone in
force for a request is chosen by :class:`bookwarden.core.middleware.TimeZoneMiddleware`;
code that acts for one library outside a request (mail, a job) wraps its work in
:func:`library_time`.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import dateformat, formats, timezone, translation
from django.utils.timesince import timesince
from django.utils.translation import gettext

DAY = "M j, Y"
MOMENT = "M j, Y, g:i A"
MOMENT_SECONDS = "M j, Y, g:i:s A"
CLOCK = "g:i A"

#: The format settings that stand for each of the above in another language's formats
#: module (bookwarden/formats/<language>/formats.py), e.g. "2 de diciembre de 2026".
_LOCAL_NAMES = {
    DAY: "DATE_FORMAT",
    MOMENT: "DATETIME_FORMAT",
    MOMENT_SECONDS: "DATETIME_SECONDS_FORMAT",
    CLOCK: "TIME_FORMAT",
}


def _in_language(fmt: str) -> str:
    """``fmt`` (one of the English formats above) as the active language writes it: the
    English one for English (staff pages, and mail to a patron who chose no other), the
    language's own from its formats module for the others (the portal, a patron's mail)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language.split("-")[0] == "en":
        return fmt
    name = _LOCAL_NAMES[fmt]
    for module in formats.get_format_modules(language):
        if hasattr(module, name):
            return str(getattr(module, name))
    return fmt


def validate_time_zone(name: str) -> None:
    """A time zone is an IANA name that this installation knows ("America/Chicago")."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"{name!r} is not a time zone name this installation knows; use a name such "
            "as America/Chicago."
        ) from exc


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called ``name``, or the installation's (``settings.TIME_ZONE``)."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def zone_of(library: Any | None) -> zoneinfo.ZoneInfo:
    """The time zone of ``library`` (the installation's when there is none)."""
    return zone_named(getattr(library, "time_zone", None))


def common_zone(libraries: Iterable[Any]) -> zoneinfo.ZoneInfo:
    """The zone all of ``libraries`` share, else the installation's."""
    names = {getattr(library, "time_zone", None) for library in libraries}
    return zone_named(names.pop() if len(names) == 1 else None)


def show_times_for(library: Any | None) -> None:
    """From now until the end of the request, show times in ``library``'s zone (views
    call it when they know which library the page is about)."""
    if library is not None:
        timezone.activate(zone_of(library))


@contextmanager
def library_time(library: Any | None) -> Iterator[zoneinfo.ZoneInfo]:
    """Within the block, times are shown in ``library``'s zone (mail, letters, jobs)."""
    zone = zone_of(library)
    with timezone.override(zone):
        yield zone


def _local(value: datetime.datetime, library: Any | None = None) -> datetime.datetime:
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value, zone_of(library) if library is not None else None)


def when(
    value: datetime.datetime | datetime.date | None,
    *,
    seconds: bool = False,
    library: Any | None = None,
) -> str:
    """A moment as "Dec 2, 2026, 4:19 PM" in the zone in force, or in ``library``'s zone
    when one is given (mail and letters); a date alone as a day."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return day(value)
    return dateformat.format(
        _local(value, library), _in_language(MOMENT_SECONDS if seconds else MOMENT)
    )


def day(value: datetime.datetime | datetime.date | None, *, library: Any | None = None) -> str:
    """A day as "Dec 2, 2026" (a moment is first put in the zone in force, or in
    ``library``'s)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value, library)
    return dateformat.format(value, _in_language(DAY))


def clock(value: datetime.datetime | None) -> str:
    """The time of day alone, "4:19 PM", for a moment later today."""
    if value is None:
        return ""
    return dateformat.time_format(_local(value), _in_language(CLOCK))


def ago(
    value: datetime.datetime | datetime.date | None, now: datetime.datetime | None = None
) -> str:
    """How long ago ``value`` happened: "3 days ago", "just now" (counted from ``value``
    itself, so pass the time the thing happened, not when its row was written)."""
    if value is None or value == "":
        return ""
    now = now or timezone.now()
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(
            value, datetime.time(), tzinfo=timezone.get_current_timezone()
        )
    if value > now:
        return gettext("in %(time)s") % {"time": timesince(now, value, depth=1)}
    if (now - value).total_seconds() < 60:
        return gettext("just now")
    return gettext("%(time)s ago") % {"time": timesince(value, now, depth=1)}


def iso_utc(value: datetime.datetime | datetime.date | None) -> str:
    """Machine output: ISO 8601 in UTC ("2026-12-02T22:19:00Z"); a date as "2026-12-02"."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
