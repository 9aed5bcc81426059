"""The notice each affected patron receives (CR-6e), as e-mail or as a printed letter.

Plain language: what happened, when, what kinds of records may have been seen, what the
library is doing, whom to contact.  It names record *types* (loans, searches ...) from the
audit events, never a title, a search or any other record content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext

from bookwarden.core.language import for_patron
from bookwarden.core.when import when
from bookwarden.patrons.records import RECORD_TYPES

from .models import AffectedPatron, Breach, Source


@dataclass(frozen=True)
class Notice:
    greeting: str
    subject: str
    paragraphs: list[str]
    #: The language it is written in (the patron's, issue 15): the letter's ``lang``.
    language: str = "en"

    @property
    def body(self) -> str:
        return "\n\n".join([self.greeting, *self.paragraphs]) + "\n"


def record_type_labels(keys: list[str]) -> list[str]:
    """The kinds of records, in the language in force."""
    return [gettext(RECORD_TYPES[k].label).lower() for k in RECORD_TYPES if k in keys]


def _records_sentence(affected: AffectedPatron) -> str:
    labels = record_type_labels(list(affected.record_types or []))
    if affected.source == Source.BY_HAND and not labels:
        return gettext(
            "We cannot tell from our records exactly which of your library records were "
            "involved, so we are telling you to be safe."
        )
    if not labels:
        labels = [gettext("your library account")]
    listed = (
        labels[0]
        if len(labels) == 1
        else gettext("%(first)s and %(last)s")
        % {"first": ", ".join(labels[:-1]), "last": labels[-1]}
    )
    return gettext(
        "The kinds of records that may have been seen: %(kinds)s. This notice does not "
        "repeat what those records contain."
    ) % {"kinds": listed}


def build_notice(breach: Breach, affected: AffectedPatron) -> Notice:
    """The notice in the patron's language (the one they chose in the portal); what staff
    wrote about the breach is quoted as they wrote it."""
    with translation.override(for_patron(affected.patron)):
        return _written(breach, affected)


def _written(breach: Breach, affected: AffectedPatron) -> Notice:
    patron = affected.patron
    library = breach.library
    name = str(patron) or gettext("library patron")
    # A child's notice is for the parent or guardian who looks after their account.
    greeting = (
        gettext("To the parent or guardian of %(name)s,") % {"name": name}
        if patron.is_minor
        else gettext("Dear %(name)s,") % {"name": name}
    )
    words = {"library": library.name}
    return Notice(
        greeting=greeting,
        subject=gettext("%(library)s: a notice about your library records") % words,
        paragraphs=[
            gettext(
                "We are writing to tell you about a security problem at %(library)s that "
                "involved information about you. Your library records are confidential, and "
                "we want you to know what happened."
            )
            % words,
            gettext("What happened: %(summary)s") % {"summary": breach.summary.strip()},
            gettext("When: between %(start)s and %(end)s.")
            % {
                "start": when(breach.window_start, library=library),
                "end": when(breach.window_end, library=library),
            },
            _records_sentence(affected),
            gettext("What we are doing: %(response)s")
            % {"response": breach.library_response.strip()},
            gettext("Questions: %(contact)s") % {"contact": breach.contact.strip()},
            gettext("You do not need to reply to this notice."),
            f"{library.name}",
        ],
        language=translation.get_language() or "en",
    )
