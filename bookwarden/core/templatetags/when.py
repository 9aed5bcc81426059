"""``{% load when %}``: the one way templates write dates and times (see core/when.py).

``{{ x|when }}`` "Dec 2, 2026, 4:19 PM"; ``{{ x|when:"seconds" }}`` with seconds;
``{{ d|day }}`` "Dec 2, 2026"; ``{{ x|clock }}`` "4:19 PM"; ``{{ x|ago }}`` "3 days ago"
(pass when the thing happened); ``{{ x|iso }}`` ISO 8601 UTC for ``<time datetime>``.
All in the time zone in force (the library's).  A missing value gives "", so
``|when|default:"Not yet"`` works.
"""

from __future__ import annotations

from typing import Any

from django import template

from bookwarden.core import when as formats

register = template.Library()


@register.filter(name="when")
def when_filter(value: Any, arg: str = "") -> str:
    return formats.when(value, seconds=arg == "seconds")


@register.filter(name="day")
def day_filter(value: Any) -> str:
    return formats.day(value)


@register.filter(name="clock")
def clock_filter(value: Any) -> str:
    return formats.clock(value)


@register.filter(name="ago")
def ago_filter(value: Any) -> str:
    return formats.ago(value)


@register.filter(name="iso")
def iso_filter(value: Any) -> str:
    return formats.iso_utc(value)
