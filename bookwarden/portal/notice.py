"""The plain-language privacy notice (NM-7, CR-6b, CR-6c), built from the library's own
data: the law that protects its records (the classification file of its jurisdiction) and
how long it keeps each kind of record (its retention rules).  The notice therefore changes
when the rules change, and never promises what the system does not do.  It is written in the
language in force (the patron's, on the portal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext

from bookwarden.core.models import Library
from bookwarden.patrons.classification import for_library
from bookwarden.patrons.record_access import CUSTODIAN_PURPOSES, Purpose
from bookwarden.patrons.records import RECORD_TYPES
from bookwarden.patrons.retention_rules import (
    RetentionConfigError,
    effective_rules,
    load_defaults,
)

#: When each kind of record's retention clock starts, in the patron's words.
CLOCK = {
    "loans": gettext_noop(
        "after you return an item and owe nothing on it (unless you asked us to keep "
        "your reading history)"
    ),
    "holds": gettext_noop("after the hold is picked up or cancelled"),
    "searches": gettext_noop("after the search"),
    "reference": gettext_noop("after your question is answered"),
    "computer_sessions": gettext_noop("after the session ends"),
    "room_bookings": gettext_noop("after the booking ends"),
    "program_registrations": gettext_noop("after you register"),
}


@dataclass(frozen=True)
class KeptFor:
    label: str
    confidential: bool
    citation: str
    what_happens: str


def _duration(seconds: int) -> str:
    if seconds == 0:
        return gettext("at once")
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = seconds // 3600
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def _phrase(action: str, after_seconds: int, clock: str) -> str:
    """What happens to a kind of record, in the language in force: "deleted 30 days after
    the search"."""
    what = {"what": _duration(after_seconds), "clock": gettext(clock)}
    if action == "delete":
        return gettext("deleted %(what)s %(clock)s") % what
    return gettext("no longer linked to you %(what)s %(clock)s") % what


def notice(library: Library) -> dict[str, Any]:
    classifications = for_library(library)
    try:
        rules: dict[str, Any] | None = effective_rules(library, load_defaults())
    except RetentionConfigError:
        rules = None
    kept = []
    for key, rt in RECORD_TYPES.items():
        c = classifications[key]
        if rules is None:
            what = gettext("kept only as long as the library's retention rules allow")
        else:
            rule = rules[key]
            what = _phrase(rule.action, int(rule.after.total_seconds()), CLOCK[key])
        kept.append(
            KeptFor(
                label=gettext(rt.label),
                confidential=not c.is_public,
                citation=c.citation,
                what_happens=what,
            )
        )
    citations = sorted({k.citation for k in kept if k.confidential and k.citation})
    return {
        "library": library,
        "law": "; ".join(citations),
        "kept": kept,
        "staff_purposes": [gettext(p.label) for p in Purpose if p not in CUSTODIAN_PURPOSES],
        "custodian_purposes": [gettext(p.label) for p in Purpose if p in CUSTODIAN_PURPOSES],
    }
