"""Open-records requests for public records (Iowa Code chapter 22; CR-1, CR-5e, CR-5g).

Where the library's rule pack classifies a kind of record as **public** (in Iowa: the
contact information given for a room booking, security-camera recordings), anyone may ask
for it and need not say why.  These requests take a simpler path than a request for a
patron's confidential records: any staff member who records requests (``record_requests``)
writes down, in one step, who asked, what they asked for and what was given.  That step is
one audit event.  Room-booking contacts are read only through
:func:`bookwarden.patrons.record_access.public_room_booking_contacts`, and what was read is stored
as the file given, with its SHA-256.  A confidential kind of record is refused with a
pointer to the full disclosure workflow.
"""

from __future__ import annotations

import datetime
import io
import os
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import csv_writer, take_in
from bookwarden.core.models import Library
from bookwarden.core.permissions import has_perm, require
from bookwarden.core.roles import Perm
from bookwarden.core.when import iso_utc
from bookwarden.patrons.classification import for_library
from bookwarden.patrons.record_access import public_room_booking_contacts

from .models import OpenRecordsRequest
from .rules.schema import RECORDS

MAX_FILE_BYTES = 200 * 1024 * 1024
#: The record types whose given data Bookwarden reads itself (through the access module).
READ_BY_BOOKWARDEN = ("room_bookings",)


def public_types(library: Library) -> list[tuple[str, str]]:
    """The record types that may be given on an open-records request, with their labels:
    public under the state's pack or opened by the library's own policy
    (:func:`bookwarden.patrons.classification.open_record_types`)."""
    return [(key, c.label) for key, c in for_library(library).items() if c.is_public]


def confidential_message(library: Library, record_type: str) -> str:
    label = RECORDS.get(record_type, record_type)
    return (
        f"{label} are not open records at this library: neither the state's law nor the "
        "library's policy makes them public. Record it as a request for records "
        "(Requests for records, then Record a request) for the custodian to decide."
    )


def _clean(
    library: Library,
    *,
    requester_name: str,
    requester_contact: str,
    record_type: str,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    given: str,
) -> None:
    errors: dict[str, str] = {}
    if not requester_name.strip():
        errors["requester_name"] = "Name the person who asks."
    if not requester_contact.strip():
        errors["requester_contact"] = "Say how to reach them."
    if record_type not in RECORDS:
        errors["record_type"] = "Choose the kind of record asked for."
    elif record_type not in dict(public_types(library)):
        errors["record_type"] = confidential_message(library, record_type)
    if date_from is None:
        errors["date_from"] = "Give the start of the date range asked for."
    if date_to is None:
        errors["date_to"] = "Give the end of the date range asked for."
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = "The end of the date range is before its start."
    if not given.strip():
        errors["given"] = "Say what was given to the requester."
    if errors:
        raise ValidationError(errors)


def _bookings_csv(rows: list[Any]) -> bytes:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["room", "starts_at", "ends_at", "contact_name", "contact_phone"])
    for row in rows:
        writer.writerow(
            [
                row.room,
                iso_utc(row.starts_at),
                iso_utc(row.ends_at),
                row.contact_name,
                row.contact_phone,
            ]
        )
    return out.getvalue().encode("utf-8")


def _store(obj: OpenRecordsRequest, content: File[Any] | ContentFile[Any], name: str) -> None:
    incoming = take_in(content, max_bytes=MAX_FILE_BYTES, field="file", default_name="given")
    obj.file_sha256 = incoming.sha256
    obj.file_size = incoming.size
    base = os.path.basename(name or "")
    obj.file_name = (get_valid_filename(base)[:200] if base else "") or incoming.name
    obj.file.save(obj.file_name, content, save=False)


@transaction.atomic
def record_open_records_request(
    *,
    actor: Any,
    library: Library,
    requester_name: str,
    requester_contact: str,
    record_type: str,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    given: str,
    requester_organisation: str = "",
    upload: UploadedFile | None = None,
) -> OpenRecordsRequest:
    """Record an open-records request and what was given, in one step (one audit event).

    Room bookings: the contacts of the date range are read through the access module and
    stored as the file given (a CSV of room, times and contact; never the patron)."""
    require(actor, Perm.RECORD_REQUESTS, library)
    _clean(
        library,
        requester_name=requester_name,
        requester_contact=requester_contact,
        record_type=record_type,
        date_from=date_from,
        date_to=date_to,
        given=given,
    )
    assert date_from is not None and date_to is not None  # checked by _clean
    obj = OpenRecordsRequest.objects.create(
        library=library,
        requester_name=requester_name.strip(),
        requester_contact=requester_contact.strip(),
        requester_organisation=requester_organisation.strip(),
        record_type=record_type,
        date_from=date_from,
        date_to=date_to,
        given=given.strip(),
        received_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if record_type == "room_bookings":
        rows = public_room_booking_contacts(
            actor=actor,
            library=library,
            date_from=date_from,
            date_to=date_to,
            request_id=obj.pk,
        )
        obj.rows_given = len(rows)
        if upload is None:
            _store(obj, ContentFile(_bookings_csv(rows)), f"room-bookings-{obj.pk}.csv")
    if upload is not None:
        _store(obj, File(upload), upload.name or "given")
    obj.save()
    record(
        AuditAction.DISCLOSURE_OPEN_RECORDS_REQUEST,
        actor=actor,
        target=obj,
        library=library,
        purpose=obj.purpose,
        after={
            "requester_name": obj.requester_name,
            "requester_organisation": obj.requester_organisation,
            "record_type": record_type,
            "date_from": str(date_from),
            "date_to": str(date_to),
            "given": obj.given,
            "rows_given": obj.rows_given,
            "file_sha256": obj.file_sha256,
            "file_size": obj.file_size,
        },
    )
    return obj


def may_see(actor: Any, obj: OpenRecordsRequest) -> bool:
    return has_perm(actor, Perm.RECORD_REQUESTS, obj.library_id)


def log_file_viewed(*, actor: Any, obj: OpenRecordsRequest) -> None:
    if not may_see(actor, obj):
        raise PermissionDenied
    with transaction.atomic():
        record(
            AuditAction.DISCLOSURE_DOCUMENT_VIEWED,
            actor=actor,
            target=obj,
            library=obj.library_id,
            purpose=obj.purpose,
            after={"file_sha256": obj.file_sha256},
        )
