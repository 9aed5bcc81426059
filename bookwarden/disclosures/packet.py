"""The disclosure packet: a ZIP of the released records (CR-5a, CC-5).

Every record comes from :func:`bookwarden.patrons.record_access.open_records_for_disclosure`, one
recorded opening per patron with purpose ``disclosure:<id>``, reading only the scope of the
decision: the request's patrons, the released record types, the date range (and, for
overdue recovery, only the unreturned loans past due with the amount owed).

Contents: ``records.json``, one CSV per record type, and ``manifest.json`` with each file's
SHA-256 and each record's id and hash, the request id, the decision and when it was made.

A release on a finer outcome (:mod:`.scopes`; NM-4, CR-5c) holds less, and one CSV of its
own instead of one per record type:

- ``release_contact_and_amount_owed``: ``contact.csv``, the patron's name, address, phone,
  e-mail and the amount owed (the sum of the unreturned overdue loans, read through the one
  access function and recorded; the amount billed at intake when loans were not released);
  no item;
- ``release_identity_only``: ``identity.csv``, the patron's name and card numbers (the
  active ones; else every card on record); nothing of the materials or services used, and no
  library record is opened;
- ``release_parent_identity_only``: ``parent.csv``, the name of the minor's parent or
  guardian as the patron's record names them (the guardian's patron record, else the
  guardian's name written on the minor's record; an empty name when neither is recorded);
  nothing of the child: no name, no card, no record.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.core.files import csv_writer
from bookwarden.core.when import iso_utc
from bookwarden.patrons.models import Card, CardStatus, Patron
from bookwarden.patrons.record_access import open_records_for_disclosure
from bookwarden.patrons.records import RECORD_TYPES

from .models import DisclosureRequest
from .rules.schema import RECORDS
from .scopes import (
    PACKET_HOLDS,
    RELEASE_CONTACT_AND_AMOUNT_OWED,
    RELEASE_IDENTITY_ONLY,
    RELEASE_PARENT_IDENTITY_ONLY,
)

#: What an overdue-recovery packet shows of a loan: the item and the amount, nothing else.
OVERDUE_COLUMNS = (
    ("Title", "title"),
    ("Barcode", "item_barcode"),
    ("Due", "due_at"),
    ("Owed", "amount_owed"),
)
#: What a "registration" record releases: the patron's own registration details.
REGISTRATION_COLUMNS = (
    ("First name", "first_name"),
    ("Last name", "last_name"),
    ("Address", "address_line1"),
    ("Address line 2", "address_line2"),
    ("City", "city"),
    ("State", "state"),
    ("Postal code", "postal_code"),
    ("Phone", "phone"),
    ("E-mail", "email"),
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date):  # machine output: ISO 8601, a moment in UTC
        return iso_utc(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _row(columns: tuple[tuple[str, str], ...], obj: Any) -> dict[str, Any]:
    out = {}
    for heading, attr in columns:
        value = getattr(obj, attr)
        out[heading] = _plain(value() if callable(value) else value)
    return out


#: The one file of each finer release, and its columns.
SCOPED_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    RELEASE_CONTACT_AND_AMOUNT_OWED: (
        "contact.csv",
        (
            "First name",
            "Last name",
            "Address",
            "Address line 2",
            "City",
            "State",
            "Postal code",
            "Phone",
            "E-mail",
            "Amount owed",
        ),
    ),
    RELEASE_IDENTITY_ONLY: ("identity.csv", ("First name", "Last name", "Card numbers")),
    RELEASE_PARENT_IDENTITY_ONLY: ("parent.csv", ("Parent or guardian",)),
}


def _amount_owed(actor: Any, request: DisclosureRequest, patron: Patron) -> tuple[str, Any]:
    """What the patron owes: the unreturned overdue loans' amounts, opened through the one
    access function (recorded); without loans released, the amount billed at intake."""
    if "loans" not in request.released_types:
        owed = request.amount_owed
        return ("" if owed is None else str(owed)), None
    opened = open_records_for_disclosure(
        actor=actor,
        patron=patron,
        request_id=request.pk,
        record_types=["loans"],
        date_from=request.date_from,
        date_to=request.date_to,
        overdue_only=True,
    )
    loans = opened.records.get("loans", [])
    total = sum((Decimal(getattr(o, "amount_owed", 0) or 0) for o in loans), Decimal("0"))
    return str(total), opened.event


def _card_numbers(patron: Patron) -> str:
    cards = list(Card.objects.filter(patron=patron).order_by("-issued_on", "number"))
    active = [c.number for c in cards if c.status == CardStatus.ACTIVE]
    return " ".join(active or [c.number for c in cards])


def _guardian_name(patron: Patron) -> str:
    guardian = patron.guardian
    if guardian is not None and guardian.library_id == patron.library_id:
        return str(guardian)
    return patron.guardian_name.strip()


def _scoped_row(
    actor: Any, request: DisclosureRequest, patron: Patron, scope: str
) -> tuple[dict[str, Any], AuditEvent | None]:
    """The one row a finer release gives of ``patron``, and the opening it recorded."""
    if scope == RELEASE_PARENT_IDENTITY_ONLY:
        return {"Parent or guardian": _guardian_name(patron)}, None
    if scope == RELEASE_IDENTITY_ONLY:
        return {
            "First name": patron.first_name,
            "Last name": patron.last_name,
            "Card numbers": _card_numbers(patron),
        }, None
    owed, event = _amount_owed(actor, request, patron)
    row = {heading: _plain(getattr(patron, attr)) for heading, attr in REGISTRATION_COLUMNS}
    row["Amount owed"] = owed
    return row, event


def _scoped_packet(
    *, actor: Any, request: DisclosureRequest, patrons: list[Patron], scope: str
) -> tuple[bytes, list[AuditEvent], dict[str, Any]]:
    """The packet of a finer release: one file with one row per patron, and the manifest."""
    name, headings = SCOPED_FILES[scope]
    events: list[AuditEvent] = []
    rows: list[dict[str, Any]] = []
    for patron in patrons:
        row, event = _scoped_row(actor, request, patron, scope)
        if event is not None:
            events.append(event)
        rows.append({"patron_id": patron.pk, **row})
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["patron_id", *headings])
    for row in rows:
        writer.writerow([row["patron_id"], *(row.get(h, "") for h in headings)])
    body = {
        "request": request.pk,
        "library": request.library.name,
        "holds": PACKET_HOLDS[scope],
        "patrons": rows,
    }
    files = {
        "records.json": json.dumps(body, indent=2, default=str).encode(),
        name: buffer.getvalue().encode(),
    }
    manifest = _manifest(
        request,
        files,
        [
            {"type": scope, "patron_id": row["patron_id"], "sha256": sha256(_canonical(row))}
            for row in rows
        ],
        [],
    )
    return _zip(files, manifest), events, manifest


def _manifest(
    request: DisclosureRequest,
    files: dict[str, bytes],
    records: list[dict[str, Any]],
    types: list[str],
) -> dict[str, Any]:
    return {
        "request": request.pk,
        "decision": {
            "verdict": request.verdict,
            "released_types": list(request.released_types),
            "overdue_only": request.overdue_only,
            "scope": request.scope,
            "holds": PACKET_HOLDS.get(request.scope, PACKET_HOLDS[""]),
            "decided_at": _plain(request.decided_at),
            "rule_outcome": (request.rule_decision or {}).get("outcome"),
            "citations": (request.rule_decision or {}).get("citations", []),
        },
        "generated_at": timezone.now().isoformat(),
        "files": {name: sha256(content) for name, content in files.items()},
        "records": records,
        "not_held": [
            {"type": t, "label": RECORDS[t], "note": "Not kept in Bookwarden; supply separately."}
            for t in types
            if t == "camera_recordings"
        ],
    }


def _zip(files: dict[str, bytes], manifest: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return out.getvalue()


def build_packet(
    *, actor: Any, request: DisclosureRequest, patrons: list[Patron]
) -> tuple[bytes, list[AuditEvent], dict[str, Any]]:
    """Open the scoped records (recorded) and write the ZIP.  Returns its bytes, the opening
    events (one per patron, for the seal of a gag order) and the manifest."""
    if request.scope in SCOPED_FILES:
        return _scoped_packet(actor=actor, request=request, patrons=patrons, scope=request.scope)
    types = list(request.released_types)
    stored = [t for t in types if t in RECORD_TYPES]
    events: list[AuditEvent] = []
    people: list[dict[str, Any]] = []
    rows_by_type: dict[str, list[dict[str, Any]]] = {
        t: [] for t in types if t != "camera_recordings"
    }
    manifest_records: list[dict[str, Any]] = []
    total_owed = Decimal("0")

    for patron in patrons:
        records: dict[str, list[dict[str, Any]]] = {}
        if stored:
            opened = open_records_for_disclosure(
                actor=actor,
                patron=patron,
                request_id=request.pk,
                record_types=stored,
                date_from=request.date_from,
                date_to=request.date_to,
                overdue_only=request.overdue_only,
            )
            if opened.event is not None:
                events.append(opened.event)
            for key, objs in opened.records.items():
                columns = OVERDUE_COLUMNS if request.overdue_only else RECORD_TYPES[key].columns
                records[key] = [{"id": obj.pk, **_row(columns, obj)} for obj in objs]
                if request.overdue_only:
                    total_owed += sum((getattr(o, "amount_owed", 0) for o in objs), Decimal("0"))
        if "registration" in types:
            records["registration"] = [{"id": patron.pk, **_row(REGISTRATION_COLUMNS, patron)}]
        for key, rows in records.items():
            for row in rows:
                rows_by_type[key].append({"patron_id": patron.pk, **row})
                manifest_records.append(
                    {
                        "type": key,
                        "id": row["id"],
                        "patron_id": patron.pk,
                        "sha256": sha256(_canonical({"patron_id": patron.pk, **row})),
                    }
                )
        people.append(
            {
                "patron_id": patron.pk,
                "name": f"{patron.first_name} {patron.last_name}".strip(),
                "records": records,
            }
        )

    body: dict[str, Any] = {
        "request": request.pk,
        "library": request.library.name,
        "record_types": types,
        "date_from": _plain(request.date_from),
        "date_to": _plain(request.date_to),
        "overdue_only": request.overdue_only,
        "patrons": people,
    }
    if request.overdue_only:
        body["amount_owed"] = str(total_owed)
    files: dict[str, bytes] = {
        "records.json": json.dumps(body, indent=2, default=str).encode(),
    }
    for key, rows in rows_by_type.items():
        if key == "registration":
            headings = [h for h, _ in REGISTRATION_COLUMNS]
        elif request.overdue_only:
            headings = [h for h, _ in OVERDUE_COLUMNS]
        else:
            headings = [h for h, _ in RECORD_TYPES[key].columns]
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow(["patron_id", "id", *headings])
        for row in rows:
            writer.writerow([row["patron_id"], row["id"], *(row.get(h, "") for h in headings)])
        files[f"{key}.csv"] = buffer.getvalue().encode()

    manifest = _manifest(request, files, manifest_records, types)
    return _zip(files, manifest), events, manifest
