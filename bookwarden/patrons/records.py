"""How each kind of library record (:class:`RecordKind`) is stored and shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

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
                ("Title", "title"),
                ("Barcode", "item_barcode"),
                ("Checked out", "checked_out_at"),
                ("Due", "due_at"),
                ("Returned", "returned_at"),
                ("Owed", "amount_owed"),
            ),
        ),
        RecordType(
            RecordKind.HOLDS,
            Hold,
            "placed_at",
            (("Title", "title"), ("Placed", "placed_at"), ("Status", "get_status_display")),
        ),
        RecordType(
            RecordKind.SEARCHES,
            CatalogSearch,
            "searched_at",
            (("Search terms", "terms"), ("Searched", "searched_at")),
        ),
        RecordType(
            RecordKind.REFERENCE,
            ReferenceQuestion,
            "asked_at",
            (("Question", "question"), ("Asked", "asked_at"), ("Answered", "answered_at")),
        ),
        RecordType(
            RecordKind.COMPUTER_SESSIONS,
            ComputerSession,
            "started_at",
            (("Workstation", "workstation"), ("Started", "started_at"), ("Ended", "ended_at")),
        ),
        RecordType(
            RecordKind.ROOM_BOOKINGS,
            RoomBooking,
            "starts_at",
            (
                ("Room", "room"),
                ("Starts", "starts_at"),
                ("Ends", "ends_at"),
                ("Contact name", "contact_name"),
                ("Contact phone", "contact_phone"),
            ),
        ),
        RecordType(
            RecordKind.PROGRAM_REGISTRATIONS,
            ProgramRegistration,
            "registered_at",
            (("Program", "program"), ("Registered", "registered_at")),
        ),
    )
}
