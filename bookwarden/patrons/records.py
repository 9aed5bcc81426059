"""The record types, by the names used in URLs, purposes, classification and retention."""

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


@dataclass(frozen=True)
class RecordType:
    key: str
    label: str
    model: type[models.Model]
    time_field: str
    #: What an opened record shows, on the staff page, in the portal and in the patron's
    #: own download: (heading, attribute or method name).
    columns: tuple[tuple[str, str], ...]

    def values(self, row: models.Model) -> list[Any]:
        out = []
        for _, attr in self.columns:
            value = getattr(row, attr)
            out.append(value() if callable(value) else value)
        return out


RECORD_TYPES: dict[str, RecordType] = {
    rt.key: rt
    for rt in (
        RecordType(
            "loans",
            "Loans",
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
            "holds",
            "Holds",
            Hold,
            "placed_at",
            (("Title", "title"), ("Placed", "placed_at"), ("Status", "get_status_display")),
        ),
        RecordType(
            "searches",
            "Catalog searches",
            CatalogSearch,
            "searched_at",
            (("Search terms", "terms"), ("Searched", "searched_at")),
        ),
        RecordType(
            "reference",
            "Reference questions",
            ReferenceQuestion,
            "asked_at",
            (("Question", "question"), ("Asked", "asked_at"), ("Answered", "answered_at")),
        ),
        RecordType(
            "computer_sessions",
            "Public computer sessions",
            ComputerSession,
            "started_at",
            (("Workstation", "workstation"), ("Started", "started_at"), ("Ended", "ended_at")),
        ),
        RecordType(
            "room_bookings",
            "Room bookings",
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
            "program_registrations",
            "Program registrations",
            ProgramRegistration,
            "registered_at",
            (("Program", "program"), ("Registered", "registered_at")),
        ),
    )
}
