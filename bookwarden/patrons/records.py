"""How each kind of library record (:class:`RecordKind`) is stored and shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_noop

from .models import (
    CatalogSearch,
    ComputerSession,
    Hold,
    Loan,
    ProgramRegistration,
    ReferenceQuestion,
    RoomBooking,
)
from .record_kinds import RecordKind


@dataclass(frozen=True)
class RecordType:
    key: RecordKind
    model: type[models.Model]
    time_field: str
    #: What an opened record shows, on the staff page, in the portal and in the patron's
    #: own download: (heading, attribute or method name).
    columns: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return str(self.key.label)

    def values(self, row: models.Model) -> list[Any]:
        out = []
        for _, attr in self.columns:
            value = getattr(row, attr)
            out.append(value() if callable(value) else value)
        return out


RECORD_TYPES: dict[str, RecordType] = {
    rt.key.value: rt
    for rt in (
        RecordType(
            RecordKind.LOANS,
            Loan,
            "checked_out_at",
            (
                (gettext_noop("Title"), "title"),
                (gettext_noop("Barcode"), "item_barcode"),
                (gettext_noop("Checked out"), "checked_out_at"),
                (gettext_noop("Due"), "due_at"),
                (gettext_noop("Returned"), "returned_at"),
                (gettext_noop("Owed"), "amount_owed"),
            ),
        ),
        RecordType(
            RecordKind.HOLDS,
            Hold,
            "placed_at",
            (
                (gettext_noop("Title"), "title"),
                (gettext_noop("Placed"), "placed_at"),
                (gettext_noop("Status"), "get_status_display"),
            ),
        ),
        RecordType(
            RecordKind.SEARCHES,
            CatalogSearch,
            "searched_at",
            ((gettext_noop("Search terms"), "terms"), (gettext_noop("Searched"), "searched_at")),
        ),
        RecordType(
            RecordKind.REFERENCE,
            ReferenceQuestion,
            "asked_at",
            (
                (gettext_noop("Question"), "question"),
                (gettext_noop("Asked"), "asked_at"),
                (gettext_noop("Answered"), "answered_at"),
            ),
        ),
        RecordType(
            RecordKind.COMPUTER_SESSIONS,
            ComputerSession,
            "started_at",
            (
                (gettext_noop("Workstation"), "workstation"),
                (gettext_noop("Started"), "started_at"),
                (gettext_noop("Ended"), "ended_at"),
            ),
        ),
        RecordType(
            RecordKind.ROOM_BOOKINGS,
            RoomBooking,
            "starts_at",
            (
                (gettext_noop("Room"), "room"),
                (gettext_noop("Starts"), "starts_at"),
                (gettext_noop("Ends"), "ends_at"),
                (gettext_noop("Contact name"), "contact_name"),
                (gettext_noop("Contact phone"), "contact_phone"),
            ),
        ),
        RecordType(
            RecordKind.PROGRAM_REGISTRATIONS,
            ProgramRegistration,
            "registered_at",
            ((gettext_noop("Program"), "program"), (gettext_noop("Registered"), "registered_at")),
        ),
    )
}
