"""Objects for the breach tests and for the project's authorization matrix
(bookwarden/core/tests): incidents, patrons and breaches in a given state, made through the
actions (the incident itself with ``LogEntry.objects.create`` until the operations log's
actions exist)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.breach import actions
from bookwarden.breach.models import AffectedPatron, Breach
from bookwarden.core.models import Library, User
from bookwarden.operations.models import EntryKind, LogEntry, Severity
from bookwarden.patrons.actions import register_patron
from bookwarden.patrons.models import Card, Patron

#: The card of the patron the matrix adds by hand (see :func:`matrix_patron`).
MATRIX_CARD = "29100000000009"


def incident(
    library: Library, *, title: str = "Staff login stolen", patron_data: bool = True
) -> LogEntry:
    return LogEntry.objects.create(
        library=library,
        kind=EntryKind.INAPPROPRIATE_ACCESS,
        severity=Severity.HIGH,
        title=title,
        narrative="A staff password was phished and used from outside.",
        occurred_at=timezone.now() - datetime.timedelta(hours=2),
        patron_data_involved=patron_data,
    )


def patron(
    library: Library, card_number: str, *, email: str = "", last_name: str = "Sample"
) -> Patron:
    card = Card.objects.filter(library=library, number=card_number).first()
    if card is not None:
        return card.patron
    return register_patron(
        actor=None,
        library=library,
        last_name=last_name,
        first_name="Pat",
        card_number=card_number,
        email=email,
        address_line1="1 Main Street",
        city="New Madrid",
    )


def declare(
    library: Library,
    accounts: list[User],
    *,
    actor: Any = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    entry: LogEntry | None = None,
) -> Breach:
    now = timezone.now()
    return actions.declare_breach(
        actor=actor,
        entry=entry or incident(library),
        window_start=start or now - datetime.timedelta(hours=1),
        window_end=end or now,
        accounts=accounts,
        summary="Someone used a staff password to look at patrons' records.",
        library_response="We locked the account and changed the password.",
        contact="The director, 573-555-0100.",
    )


def breach_in_state(people: dict[str, User], library: Library, state: str) -> Breach:
    """A breach of ``library`` (compromised account: the staff persona) in ``state``:
    "declared" (nobody listed), "pending" (one patron with e-mail, added by hand, not yet
    notified), "letter_pending" (one patron without e-mail, letter to print), "printed"."""
    breach = declare(library, [people["staff"]])
    if state == "declared":
        return breach
    with_email = state == "pending"
    someone = patron(
        library,
        "291000000001" + str(len(Breach.objects.all())).zfill(2),
        email="pat@example.org" if with_email else "",
    )
    actions.add_patron_by_hand(actor=None, breach=breach, patron=someone, reason="on a list")
    if state in ("letter_pending", "printed"):
        actions.notify(actor=None, breach=breach)
    if state == "printed":
        actions.print_letters(actor=None, breach=breach)
    return breach


def matrix_patron(library: Library) -> Patron:
    return patron(library, MATRIX_CARD, email="matrix@example.org")


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of every breach page, by URL key (for ``new_madrid_ids``)."""
    breach = breach_in_state(people, library, "printed")
    affected = AffectedPatron.objects.filter(breach=breach).first()
    assert affected is not None
    ids: dict[str, Any] = {
        key: {"breach_id": breach.pk}
        for key in (
            "breach:detail",
            "breach:scope",
            "breach:list_affected",
            "breach:add_patron",
            "breach:notify",
            "breach:letters",
            "breach:review",
        )
    }
    ids["breach:mark_sent"] = {"breach_id": breach.pk, "affected_id": affected.pk}
    ids["breach:declare"] = {"entry_id": incident(library, title="Unclaimed incident").pk}
    return ids


def affected_of(breach: Breach) -> int:
    affected = AffectedPatron.objects.filter(breach=breach).order_by("pk").first()
    assert affected is not None
    return affected.pk


def breach_to_add_to(people: dict[str, User], library: Library) -> Breach:
    """A declared breach, and the patron (card :data:`MATRIX_CARD`) to add to it by hand."""
    matrix_patron(library)
    return breach_in_state(people, library, "declared")
