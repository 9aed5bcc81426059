"""Logging patrons in and out of the portal (issue 3; NM-7, CR-5b).

A patron logs in with a card number and PIN.  The card must be theirs and still usable: a
card reported lost or stolen, or replaced by a new one, no longer opens anything (CR-5b).
Every login, failure and lockout is an audit event naming the patron when the card is
known; the number typed and the PIN are never recorded.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library
from bookwarden.patrons.models import Card, CardStatus
from bookwarden.patrons.pins import pin_matches

from . import lockout

#: Cards that open the portal.  An expired card still does, so that the patron can see
#: their records and is told to renew it; lost, stolen and replaced cards never do.
PORTAL_CARD_STATUSES = (CardStatus.ACTIVE, CardStatus.EXPIRED)

WRONG = gettext_lazy(
    "That card number and PIN do not match. If your card was lost or replaced, use your new card."
)
LOCKED = gettext_lazy(
    "Too many tries. For your safety this card is locked for a while; try again later or "
    "ask at the desk."
)


class PortalLoginError(Exception):
    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


def log_in(*, library: Library, card_number: str, pin: str, ip: str | None) -> Card:
    """The card that logged in, or PortalLoginError (recorded)."""
    number = card_number.strip()
    key = lockout.card_key(library.pk, number)
    card = (
        Card.objects.filter(library=library, number=number).select_related("patron").first()
        if number
        else None
    )
    patron = card.patron if card else None
    # The failure events must be committed even though the login fails: the exception is
    # raised only after the transaction has closed.
    with transaction.atomic():
        if lockout.is_locked(key, ip):
            _failed(library, card, "locked")
            already_locked = True
        else:
            already_locked = False
    if already_locked:
        raise PortalLoginError(str(LOCKED), locked=True)
    with transaction.atomic():
        matches = pin_matches(patron.portal_pin if patron else "", pin)
        if card is not None and matches and card.status in PORTAL_CARD_STATUSES:
            lockout.clear(key)
            record(
                AuditAction.PORTAL_LOGIN,
                target=card,
                library=library,
                patron=card.patron_id,
            )
            return card
        if card is None:
            reason = "unknown card"
        elif not (patron and patron.portal_pin):
            reason = "no PIN set"
        elif not matches:
            reason = "wrong PIN"
        else:
            reason = f"card {card.status}"
        _failed(library, card, reason)
        locked = lockout.note_failure(key, ip)
        if locked:
            record(
                AuditAction.PORTAL_LOCKED_OUT,
                target=card,
                library=library,
                patron=card.patron_id if card else None,
            )
    raise PortalLoginError(str(LOCKED if locked else WRONG), locked=locked)


def _failed(library: Library, card: Card | None, reason: str) -> None:
    record(
        AuditAction.PORTAL_LOGIN_FAILED,
        target=card,
        library=library,
        patron=card.patron_id if card else None,
        after={"reason": reason},
    )


def log_out(*, card: Card) -> None:
    with transaction.atomic():
        record(
            AuditAction.PORTAL_LOGOUT,
            target=card,
            library=card.library_id,
            patron=card.patron_id,
        )
