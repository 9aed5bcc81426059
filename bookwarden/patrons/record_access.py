"""The one way to read a patron's library records (DESIGN mechanism 2; CR-5, CR-5b, CR-5d,
CR-5i, NM-1, NM-4).

:func:`open_records` checks the person's role, requires a stated purpose, checks what the
purpose needs (a card that still counts as consent, a note, a custodian), writes the audit
event naming the patron, the purpose and the record types, and only then reads.  A refusal is
an audit event too.  Pages, the portal, exports and later the disclosure packet all call it;
the record models' default manager refuses every other read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.permissions import has_perm
from bookwarden.core.roles import Perm

from .models import Card, Loan, Patron, RecordOpening, SealedOpening
from .records import RECORD_TYPES


class Purpose(models.TextChoices):
    DESK = "desk", gettext_noop("Serving the patron at the desk, who presents their card")
    PATRON_REQUEST = "patron_request", gettext_noop("The patron's own request")
    OVERDUE_RECOVERY = "overdue_recovery", gettext_noop("Recovery of overdue material")
    LAST_BORROWER = (
        "last_borrower",
        gettext_noop(
            "Finding the most recent borrower of an item with something left inside or harmful "
            "content (custodian only)"
        ),
    )
    INVESTIGATION = (
        "investigation",
        gettext_noop(
            "Investigating a suspected violation of law or of a policy that protects facilities, "
            "network or equipment (custodian only)"
        ),
    )


#: Purposes only the custodian of library records (director or designee) may use.
CUSTODIAN_PURPOSES = frozenset({Purpose.LAST_BORROWER, Purpose.INVESTIGATION})
#: Purposes that need a written note (what was asked, what is suspected, how identity was
#: checked).
NOTE_REQUIRED = frozenset({Purpose.PATRON_REQUEST, Purpose.LAST_BORROWER, Purpose.INVESTIGATION})
#: What each purpose may show: overdue recovery sees only the overdue loans.
PURPOSE_TYPES: dict[str, tuple[str, ...]] = {
    Purpose.OVERDUE_RECOVERY: ("loans",),
    Purpose.LAST_BORROWER: ("loans",),
}


class CardRefused(PermissionDenied):
    """The card presented at the desk does not count as the patron's consent (CR-5b); the
    refusal is on record.  The message says why, for the card number field."""


@dataclass
class OpenedRecords:
    patron: Patron
    purpose: str
    record_types: list[str]
    records: dict[str, list[Any]] = field(default_factory=dict)
    #: When only a window of the records was read (:class:`RecordWindow`): how many of
    #: each type match its dates, of which ``records`` holds one page.
    totals: dict[str, int] = field(default_factory=dict)
    event: AuditEvent | None = None
    #: The staff opening (:func:`open_records`), whose page shows these records again.
    opening: RecordOpening | None = None

    def counts(self) -> dict[str, int]:
        return {key: len(rows) for key, rows in self.records.items()}

    def sections(self, classifications: dict[str, Any]) -> list[dict[str, Any]]:
        """What the staff page and the portal show: per record type, its classification,
        the column headings and the rows as values."""
        out = []
        for key, rows in self.records.items():
            rt = RECORD_TYPES[key]
            out.append(
                {
                    "key": key,
                    "label": rt.label,
                    "classification": classifications[key],
                    "headings": [heading for heading, _ in rt.columns],
                    "rows": [rt.values(row) for row in rows],
                }
            )
        return out


@dataclass(frozen=True)
class RecordWindow:
    """The part of an opening's records one page shows, so that a patron with thousands of
    loans gets pages a person can read: newest first, ``per_page`` rows of each type (or of
    ``only`` that type), between two days (inclusive, in the library's time zone).  A window
    narrows what is read; it never reaches a type the opening did not name."""

    only: str | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    page: int = 1
    per_page: int = 50

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.per_page


def record_refusal(actor: Any, patron: Patron, purpose: str, reason: str) -> None:
    # Committed even though the caller's request fails: refusals must be on record.
    record(
        AuditAction.RECORDS_REFUSED,
        actor=actor,
        target=patron,
        library=patron.library_id,
        patron=patron,
        purpose=purpose,
        after={"reason": reason},
    )


def perm_for_purpose(purpose: str) -> Perm:
    """The permission opening records for ``purpose`` needs: the custodian's for the
    custodian's purposes (CR-5i, CR-5d), the front line's otherwise."""
    return Perm.OPEN_RECORDS_AS_CUSTODIAN if purpose in CUSTODIAN_PURPOSES else Perm.OPEN_RECORDS


def check_card_consent(patron: Patron, card_number: str | None) -> str | None:
    """Why the presented card does not count as consent (CR-5b), or None if it does."""
    number = (card_number or "").strip()
    if not number:
        return "No card number was given."
    card = Card.objects.filter(library_id=patron.library_id, number=number).first()
    if card is None or card.patron_id != patron.pk:
        return "That card is not this patron's."
    if not card.counts_as_consent:
        return f"That card is {card.get_status_display().lower()}: it no longer counts as consent."
    return None


def open_records(
    *,
    actor: Any,
    patron: Patron,
    purpose: str,
    record_types: list[str] | None = None,
    card_number: str | None = None,
    note: str = "",
    read_now: bool = True,
) -> OpenedRecords:
    """Check, record, then read.  Raises PermissionDenied (recorded) or ValidationError
    (nothing was opened, nothing to record: the form was incomplete).  With
    ``read_now=False`` nothing is read yet: the staff page goes on to the opening's own page,
    which reads a page of the records at a time (:func:`reread_opening`)."""
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": "Choose a purpose."})
    note = note.strip()
    if purpose in NOTE_REQUIRED and not note:
        raise ValidationError({"note": "Say what was asked or what is suspected."})
    allowed = PURPOSE_TYPES.get(purpose, tuple(RECORD_TYPES))
    types = [t for t in (record_types or allowed) if t in allowed]
    unknown = set(record_types or ()) - set(RECORD_TYPES)
    if unknown:
        raise ValidationError({"record_types": f"Unknown record types: {sorted(unknown)}"})
    if not types:
        raise ValidationError({"record_types": "Choose at least one kind of record."})

    needed = perm_for_purpose(purpose)
    stated = f"{purpose}: {note}" if note else purpose
    if not has_perm(actor, needed, patron.library_id):
        with transaction.atomic():
            record_refusal(actor, patron, stated, f"role lacks {needed}")
        raise PermissionDenied("Your role may not open these records for that purpose.")
    if purpose == Purpose.DESK:
        problem = check_card_consent(patron, card_number)
        if problem:
            with transaction.atomic():
                record_refusal(actor, patron, stated, problem)
            raise CardRefused(problem)

    with transaction.atomic():
        opened = OpenedRecords(patron=patron, purpose=purpose, record_types=types)
        opened.event = record(
            AuditAction.RECORDS_OPENED,
            actor=actor,
            target=patron,
            library=patron.library_id,
            patron=patron,
            purpose=stated,
            after={"record_types": types},
        )
        opened.opening = RecordOpening.objects.create(
            patron=patron,
            opened_by=actor,
            purpose=purpose,
            record_types=types,
            opened_at=opened.event.created_at,
            event=opened.event,
        )
        for key in types if read_now else ():
            opened.records[key] = _read(key, patron, purpose)
    return opened


class OpeningExpired(Exception):
    """The opening's time is over: state the purpose again (a new opening)."""


def reread_opening(
    *, actor: Any, opening: RecordOpening, window: RecordWindow | None = None
) -> OpenedRecords:
    """The records of an opening made by :func:`open_records`, read again for the page that
    shows them (a reload, the back button), without a new audit event: one opening is one
    event (CR-5).  Only for the person who opened them, while the opening lasts
    (``BOOKWARDEN_RECORD_OPENING_MINUTES``), and while they still hold the role the purpose
    needs.  Raises PermissionDenied (someone else, or the role is gone) or OpeningExpired."""
    if actor is None or opening.opened_by_id != actor.pk:
        raise PermissionDenied("Only the person who opened these records may see them here.")
    if opening.expired():
        raise OpeningExpired("This opening has expired.")
    patron = opening.patron
    purpose = opening.purpose
    needed = perm_for_purpose(purpose)
    if not has_perm(actor, needed, patron.library_id):
        raise PermissionDenied("Your role may no longer open these records.")
    opened = OpenedRecords(
        patron=patron,
        purpose=purpose,
        record_types=list(opening.record_types),
        event=opening.event,
        opening=opening,
    )
    for key in opened.record_types:
        if key not in RECORD_TYPES:
            continue
        if window is None:
            opened.records[key] = _read(key, patron, purpose)
        elif window.only in (None, key):
            rows = _query(key, patron, purpose, since=window.since, until=window.until)
            opened.totals[key] = rows.count()
            opened.records[key] = list(rows[window.offset : window.offset + window.per_page])
    return opened


def _query(
    key: str,
    patron: Patron,
    purpose: str,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> models.QuerySet[Any]:
    """One type's records of the patron that ``purpose`` may see, newest first."""
    rt = RECORD_TYPES[key]
    qs = _between(rt.model._unguarded.filter(patron=patron), rt, since, until)  # type: ignore[attr-defined]
    if purpose == Purpose.OVERDUE_RECOVERY:
        qs = qs.filter(returned_at__isnull=True, due_at__lt=timezone.now())
    return qs.order_by(f"-{rt.time_field}", "-pk")


def _between(qs: models.QuerySet[Any], rt: Any, since: Any, until: Any) -> models.QuerySet[Any]:
    """Rows whose time falls between two days, inclusive (days of the time zone in force)."""
    if since is not None:
        qs = qs.filter(**{f"{rt.time_field}__date__gte": since})
    if until is not None:
        qs = qs.filter(**{f"{rt.time_field}__date__lte": until})
    return qs


def _read(key: str, patron: Patron, purpose: str) -> list[Any]:
    return list(_query(key, patron, purpose))


def last_borrower(*, actor: Any, library: Any, item_barcode: str, note: str) -> Loan | None:
    """CR-5i: the most recent loan of an item that had something left inside or harmful
    content, for the custodian only; the search itself is recorded with its reason."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say what was found in or about the item."})
    if not has_perm(actor, Perm.OPEN_RECORDS_AS_CUSTODIAN, library):
        raise PermissionDenied("Only the custodian of library records may do this.")
    with transaction.atomic():
        loan = (
            Loan._unguarded.filter(library=library, item_barcode=item_barcode.strip())
            .exclude(patron=None)
            .select_related("patron")
            .order_by("-checked_out_at")
            .first()
        )
        record(
            AuditAction.RECORDS_OPENED,
            actor=actor,
            target=loan.patron if loan else None,
            library=library,
            patron=loan.patron if loan else None,
            purpose=f"{Purpose.LAST_BORROWER}: {note}",
            after={"record_types": ["loans"], "item": "by barcode", "found": bool(loan)},
        )
    return loan


# --------------------------------------------------------------------------- the portal

#: The purpose recorded when patrons open their own records in the portal (NM-7).
SELF_SERVICE = "portal"


def open_own_records(*, patron: Patron, why: str) -> OpenedRecords:
    """The patron's own records, for the portal: every record type, recorded like any other
    opening (actor: none, purpose ``portal: <why>``) so that the log shows it too.  The
    caller (the portal) has already checked the patron's card and PIN."""
    with transaction.atomic():
        types = list(RECORD_TYPES)
        opened = OpenedRecords(patron=patron, purpose=SELF_SERVICE, record_types=types)
        opened.event = record(
            AuditAction.RECORDS_OPENED,
            actor=None,
            target=patron,
            library=patron.library_id,
            patron=patron,
            purpose=f"{SELF_SERVICE}: {why}",
            after={"record_types": types},
        )
        for key in types:
            opened.records[key] = _read(key, patron, SELF_SERVICE)
    return opened


@dataclass(frozen=True)
class Opening:
    """One time staff opened a patron's records, as the patron sees it."""

    when: Any
    who: str
    purpose: str
    record_types: list[str]


def purpose_label(stated: str) -> str:
    """The label of a recorded purpose, without the staff member's note (which may name
    what is suspected) and without a disclosure's details."""
    code = stated.split(":", 1)[0].strip()
    if code in Purpose.values:
        return str(Purpose(code).label)
    if code == "disclosure":
        return gettext_noop(
            "A request under the law, decided by the library's custodian of records"
        )
    return gettext_noop("Other")


def openings_shown_to_patron(patron: Patron, limit: int = 500) -> list[Opening]:
    """Who on staff opened the patron's records, when and why (NM-7): every recorded opening
    by a staff member, newest first, except the ones a court order keeps sealed while it is
    in force (see :class:`~bookwarden.patrons.models.SealedOpening`).  The patron's own
    openings in the portal are not listed: they know about those."""
    today = timezone.localdate()
    sealed = SealedOpening.objects.filter(
        library_id=patron.library_id,
    ).filter(models.Q(sealed_until__isnull=True) | models.Q(sealed_until__gte=today))
    events = (
        AuditEvent.objects.filter(
            patron_id=patron.pk,
            library_id=patron.library_id,
            action=AuditAction.RECORDS_OPENED,
            actor__isnull=False,
        )
        .exclude(pk__in=sealed.values("event_id"))
        .select_related("actor")
        .order_by("-seq")[:limit]
    )
    labels = {key: rt.label for key, rt in RECORD_TYPES.items()}
    return [
        Opening(
            when=event.created_at,
            who=_staff_name(event.actor),
            purpose=purpose_label(event.purpose or ""),
            record_types=[labels.get(t, t) for t in (event.after or {}).get("record_types", [])],
        )
        for event in events
    ]


def _staff_name(user: Any) -> str:
    if user is None:
        return gettext_noop("A staff member")
    return str(user.get_full_name() or user.get_username())


# --------------------------------------------------------------------------- disclosures

#: The purpose recorded when the custodian reads records to fulfil a request for records.
DISCLOSURE = "disclosure"


def open_records_for_disclosure(
    *,
    actor: Any,
    patron: Patron,
    request_id: int,
    record_types: list[str],
    date_from: Any = None,
    date_to: Any = None,
    overdue_only: bool = False,
) -> OpenedRecords:
    """The records a decided request for records releases (CR-5a, CC-5): only the custodian
    of library records, recorded with purpose ``disclosure:<id>`` and the record types, then
    only the scoped rows are read: ``date_from``/``date_to`` (dates, inclusive) on each
    type's time field; ``overdue_only``: the unreturned loans past due, with the amount."""
    unknown = set(record_types) - set(RECORD_TYPES)
    if unknown:
        raise ValidationError({"record_types": f"Unknown record types: {sorted(unknown)}"})
    types = [t for t in RECORD_TYPES if t in record_types]
    if overdue_only:
        types = [t for t in types if t == "loans"]
    if not types:
        raise ValidationError({"record_types": "Choose at least one kind of record."})
    stated = f"{DISCLOSURE}:{int(request_id)}"
    if actor is None or not has_perm(actor, Perm.OPEN_RECORDS_AS_CUSTODIAN, patron.library_id):
        with transaction.atomic():
            record_refusal(actor, patron, stated, f"role lacks {Perm.OPEN_RECORDS_AS_CUSTODIAN}")
        raise PermissionDenied("Only the custodian of library records may do this.")
    with transaction.atomic():
        opened = OpenedRecords(patron=patron, purpose=stated, record_types=types)
        opened.event = record(
            AuditAction.RECORDS_OPENED,
            actor=actor,
            target=patron,
            library=patron.library_id,
            patron=patron,
            purpose=stated,
            after={
                "record_types": types,
                "date_from": str(date_from or ""),
                "date_to": str(date_to or ""),
                "overdue_only": overdue_only,
            },
        )
        for key in types:
            rt = RECORD_TYPES[key]
            qs = _between(rt.model._unguarded.filter(patron=patron), rt, date_from, date_to)  # type: ignore[attr-defined]
            if overdue_only:
                qs = qs.filter(returned_at__isnull=True, due_at__lt=timezone.now())
            opened.records[key] = list(qs.order_by(rt.time_field, "pk"))
    return opened


# --------------------------------------------------------------------------- open records

#: The purpose recorded when public room-booking contacts are read for an open-records
#: request (Iowa Code chapter 22; CR-1, CR-5e).
OPEN_RECORDS = "open_records"


@dataclass(frozen=True)
class PublicRoomBooking:
    """One room booking as a public record: the room, the times and the contact the user
    gave for the reservation; never the patron link."""

    room: str
    starts_at: Any
    ends_at: Any
    contact_name: str
    contact_phone: str


def public_room_booking_contacts(
    *, actor: Any, library: Any, date_from: Any, date_to: Any, request_id: int
) -> list[PublicRoomBooking]:
    """Room-booking contact information for an open-records request (CR-5e): only where
    room bookings are open records at the library (``classification.open_record_types``:
    Cresco's policy 5e over Iowa's chapter 22), only for a person who
    records requests at the library, recorded (purpose ``open_records:<id>``, no patron)
    before anything is read.  Returns the room, times and contact, never the patron."""
    from .classification import open_record_types
    from .models import RoomBooking

    if actor is not None and not has_perm(actor, Perm.RECORD_REQUESTS, library):
        raise PermissionDenied("Your role may not answer open-records requests here.")
    if "room_bookings" not in open_record_types(library):
        raise PermissionDenied(
            "Room bookings are not open records at this library: record a request for "
            "records instead, for the custodian to decide."
        )
    stated = f"{OPEN_RECORDS}:{int(request_id)}"
    with transaction.atomic():
        record(
            AuditAction.DISCLOSURE_PUBLIC_RECORDS_READ,
            actor=actor,
            library=library,
            purpose=stated,
            after={
                "record_types": ["room_bookings"],
                "fields": ["room", "starts_at", "ends_at", "contact_name", "contact_phone"],
                "date_from": str(date_from or ""),
                "date_to": str(date_to or ""),
            },
        )
        qs = RoomBooking._unguarded.filter(library=library)
        if date_from is not None:
            qs = qs.filter(starts_at__date__gte=date_from)
        if date_to is not None:
            qs = qs.filter(starts_at__date__lte=date_to)
        rows = qs.order_by("starts_at", "pk").values_list(
            "room", "starts_at", "ends_at", "contact_name", "contact_phone"
        )
        return [PublicRoomBooking(*row) for row in rows]
