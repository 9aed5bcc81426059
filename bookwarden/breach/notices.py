"""The notice each affected patron receives (CR-6e), as e-mail or as a printed letter.

Plain language: what happened, when, what kinds of records may have been seen, what the
library is doing, whom to contact.  It names record *types* (loans, searches ...) from the
audit events, never a title, a search or any other record content.
"""

from __future__ import annotations

from dataclasses import dataclass

from bookwarden.core.when import when
from bookwarden.patrons.records import RECORD_TYPES

from .models import AffectedPatron, Breach, Source


@dataclass(frozen=True)
class Notice:
    greeting: str
    subject: str
    paragraphs: list[str]

    @property
    def body(self) -> str:
        return "\n\n".join([self.greeting, *self.paragraphs]) + "\n"


def record_type_labels(keys: list[str]) -> list[str]:
    return [RECORD_TYPES[k].label.lower() for k in RECORD_TYPES if k in keys]


def _records_sentence(affected: AffectedPatron) -> str:
    labels = record_type_labels(list(affected.record_types or []))
    if affected.source == Source.BY_HAND and not labels:
        return (
            "We cannot tell from our records exactly which of your library records were "
            "involved, so we are telling you to be safe."
        )
    if not labels:
        labels = ["your library account"]
    listed = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return (
        f"The kinds of records that may have been seen: {listed}. This notice does not "
        "repeat what those records contain."
    )


def build_notice(breach: Breach, affected: AffectedPatron) -> Notice:
    patron = affected.patron
    library = breach.library
    name = str(patron) or "library patron"
    # A child's notice is for the parent or guardian who looks after their account.
    greeting = f"To the parent or guardian of {name}," if patron.is_minor else f"Dear {name},"
    return Notice(
        greeting=greeting,
        subject=f"{library.name}: a notice about your library records",
        paragraphs=[
            f"We are writing to tell you about a security problem at {library.name} that "
            "involved information about you. Your library records are confidential, and we "
            "want you to know what happened.",
            f"What happened: {breach.summary.strip()}",
            f"When: between {when(breach.window_start, library=library)} and "
            f"{when(breach.window_end, library=library)}.",
            _records_sentence(affected),
            f"What we are doing: {breach.library_response.strip()}",
            f"Questions: {breach.contact.strip()}",
            "You do not need to reply to this notice.",
            f"{library.name}",
        ],
    )
