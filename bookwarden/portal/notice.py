"""The plain-language privacy notice (NM-7, CR-6b, CR-6c), built from the library's own
data: the law that protects its records (the classification file of its jurisdiction) and
how long it keeps each kind of record (its retention rules).  The notice therefore changes
when the rules change, and never promises what the system does not do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    "loans": "after you return an item and owe nothing on it (unless you asked us to keep "
    "your reading history)",
    "holds": "after the hold is picked up or cancelled",
    "searches": "after the search",
    "reference": "after your question is answered",
    "computer_sessions": "after the session ends",
    "room_bookings": "after the booking ends",
    "program_registrations": "after you register",
}


@dataclass(frozen=True)
class KeptFor:
    label: str
    confidential: bool
    citation: str
    what_happens: str


def _duration(seconds: int) -> str:
    if seconds == 0:
        return "at once"
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    hours = seconds // 3600
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _phrase(action: str, after_seconds: int, clock: str) -> str:
    verb = "deleted" if action == "delete" else "no longer linked to you"
    return f"{verb} {_duration(after_seconds)} {clock}"


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
            what = "kept only as long as the library's retention rules allow"
        else:
            rule = rules[key]
            what = _phrase(rule.action, int(rule.after.total_seconds()), CLOCK[key])
        kept.append(
            KeptFor(
                label=rt.label,
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
        "staff_purposes": [str(p.label) for p in Purpose if p not in CUSTODIAN_PURPOSES],
        "custodian_purposes": [str(p.label) for p in Purpose if p in CUSTODIAN_PURPOSES],
    }
