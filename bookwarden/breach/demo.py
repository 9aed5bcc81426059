"""The demo's breach (CR-6e): Ben Johnson's staff account was used by someone else to open
patrons' records.  Everything goes through the real paths: the openings are real
``open_records`` calls (so the audit log holds them), the affected patrons are listed from
that log, notices go to the outbox or to a printed letter, and the review is recorded."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library
from bookwarden.operations.actions import create_entry
from bookwarden.operations.models import EntryKind, EntryStatus, LogEntry, Severity
from bookwarden.patrons.models import Patron
from bookwarden.patrons.record_access import Purpose, open_records

from . import actions
from .models import Breach

ENTRY_TITLE = "Breach: a staff login used from an unknown computer"


def build_breach_demo(people: dict[str, Any], patrons: dict[str, Patron]) -> Breach:
    """One breach at New Madrid with notified patrons.  ``people`` and ``patrons`` are what
    :func:`bookwarden.core.demo.build_demo` and
    :func:`bookwarden.patrons.demo.build_patron_demo` return.  Safe to call twice."""
    library = Library.objects.get(slug="new-madrid")
    director, coordinator, account = (
        people["director"],
        people["tech_coordinator"],
        people["staff"],
    )
    existing = Breach.objects.filter(library=library, entry__title__startswith="Breach:").first()
    if existing is not None:
        return existing
    entry = LogEntry.objects.filter(library=library, title__startswith="Breach:").first()
    start = timezone.now() - datetime.timedelta(hours=1)
    if entry is not None:
        start = min(start, entry.occurred_at)
    # The openings made with the stolen login: real openings, so that the audit log holds
    # them.  Another person's opening (not compromised) is not part of the breach.
    for key in ("parent", "reader", "minor"):
        open_records(
            actor=account,
            patron=patrons[key],
            purpose=Purpose.PATRON_REQUEST,
            note="asked by phone",
        )
    open_records(
        actor=people["assistant_director"],
        patron=patrons["lost_card"],
        purpose=Purpose.OVERDUE_RECOVERY,
    )
    if entry is None:
        entry = create_entry(
            actor=coordinator,
            library=library,
            kind=EntryKind.INAPPROPRIATE_ACCESS,
            severity=Severity.HIGH,
            status=EntryStatus.IN_PROGRESS,
            title=ENTRY_TITLE,
            narrative=(
                "The sign-in log shows Ben Johnson's account signed in from a computer outside "
                "the library while he was on leave. Someone had his password from a phishing "
                "e-mail. The account was locked and the password changed."
            ),
            occurred_at=start,
            patron_data_involved=True,
        )
    breach = actions.declare_breach(
        actor=coordinator,
        entry=entry,
        window_start=start,
        window_end=timezone.now(),
        accounts=[account],
        summary=(
            "Someone outside the library used a staff member's sign-in to look at some "
            "patrons' library records."
        ),
        library_response=(
            "We disabled the account and changed its passwords, checked every other staff "
            "account, and are adding a second sign-in step for all staff."
        ),
        contact=(
            "Maria Reyes, Director, New Madrid County Library, 573-555-0100, "
            "mreyes@new-madrid.example.org"
        ),
    )
    actions.list_affected(actor=coordinator, breach=breach)
    actions.add_patron_by_hand(
        actor=coordinator,
        breach=breach,
        patron=patrons["lost_card"],
        reason="Her card number was on a list the intruder could see.",
    )
    actions.notify(actor=coordinator, breach=breach)
    letters = actions.print_letters(actor=coordinator, breach=breach)
    actions.mark_letter_sent(actor=coordinator, affected=letters[0].affected)
    return actions.record_review(
        actor=director,
        breach=breach,
        practice_evaluated=(
            "Staff sign-ins relied on a password alone, and staff devices stayed signed in "
            "when left unattended."
        ),
        procedures_changed=(
            "Two-factor login for every staff role; staff devices lock after 15 idle minutes "
            "and laptop disks are encrypted; phishing awareness added to the yearly training."
        ),
    )


@demo_part(order=40)
def _breach_part(world: DemoWorld) -> None:
    build_breach_demo(world.people, world.patrons)
