"""The record types, by the names used in URLs, purposes, classification and retention."""

from __future__ import annotations

from dataclasses import dataclass

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


RECORD_TYPES: dict[str, RecordType] = {
    rt.key: rt
    for rt in (
        RecordType("loans", "Loans", Loan, "checked_out_at"),
        RecordType("holds", "Holds", Hold, "placed_at"),
        RecordType("searches", "Catalog searches", CatalogSearch, "searched_at"),
        RecordType("reference", "Reference questions", ReferenceQuestion, "asked_at"),
        RecordType("computer_sessions", "Public computer sessions", ComputerSession, "started_at"),
        RecordType("room_bookings", "Room bookings", RoomBooking, "starts_at"),
        RecordType(
            "program_registrations", "Program registrations", ProgramRegistration, "registered_at"
        ),
    )
}
