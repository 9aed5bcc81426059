"""Open-records requests for public records (Iowa Code chapter 22; CR-1, CR-5e, CR-5g): a
simpler path that still records who asked and what was given; refused where the record type
is confidential (Missouri), with a pointer to the full workflow."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.disclosures.models import OpenRecordsRequest, PolicyRule
from bookwarden.disclosures.tests.factories import cresco_public_records_policy
from bookwarden.patrons.record_access import PublicRoomBooking, public_room_booking_contacts

VIDEO = b"\x00\x00\x00\x18ftypmp42 front entrance 14:00-15:00"


@pytest.fixture(autouse=True)
def _cresco_policy(request, people) -> None:
    """Cresco's own policy says its meeting-room contacts and camera recordings are public
    (5e, 5g); Iowa's statute alone does not (see the last test).  Written after the demo
    patrons are put back, whose rows come with their own audit events."""
    if "patrons" in request.fixturenames:
        request.getfixturevalue("patrons")
    cresco_public_records_policy(people)


def _today() -> datetime.date:
    return timezone.localdate()


def _form(library: str, record_type: str, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "library": library,
        "requester_name": "Dana Reporter",
        "requester_contact": "dana@example.org",
        "requester_organisation": "Cresco Times Plain Dealer",
        "record_type": record_type,
        "date_from": str(_today() - datetime.timedelta(days=7)),
        "date_to": str(_today() + datetime.timedelta(days=7)),
        "given": "What the law makes public, as asked.",
    }
    data.update(extra)
    return data


def _events(obj: OpenRecordsRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_type="disclosures.openrecordsrequest", target_id=str(obj.pk)
        ).order_by("seq")
    )


def test_iowa_camera_recording_records_who_asked_and_what_was_given(
    client_as, people, media
) -> None:
    client = client_as("outsider_staff")  # Cresco staff
    page = client.get("/disclosures/open-records/new/").content.decode()
    assert "Security-camera recordings" in page or "camera" in page.lower()
    response = client.post(
        "/disclosures/open-records/new/",
        _form(
            "cresco",
            "camera_recordings",
            given="A copy of the front entrance recording, 2 to 3 p.m., on a USB stick.",
            upload=SimpleUploadedFile("entrance.mp4", VIDEO, "video/mp4"),
        ),
        follow=True,
    )
    assert response.status_code == 200
    obj = OpenRecordsRequest.objects.get()
    assert obj.library.slug == "cresco"
    assert obj.received_by == people["outsider_staff"]
    assert (obj.requester_name, obj.requester_contact) == ("Dana Reporter", "dana@example.org")
    assert obj.requester_organisation == "Cresco Times Plain Dealer"
    assert obj.file_sha256 == hashlib.sha256(VIDEO).hexdigest()
    assert obj.file.read() == VIDEO
    assert str(media) in obj.file.path  # under MEDIA_ROOT, served only by the checked view
    [event] = _events(obj)
    assert event.action == AuditAction.DISCLOSURE_OPEN_RECORDS_REQUEST
    assert event.actor == people["outsider_staff"]
    assert event.after["requester_name"] == "Dana Reporter"
    assert event.after["given"].startswith("A copy of the front entrance")
    assert event.after["file_sha256"] == obj.file_sha256
    assert event.patron_id is None
    detail = response.content.decode()
    assert "Dana Reporter" in detail and obj.file_sha256 in detail
    # The copy is streamed to staff of the library, and that is on record too.
    download = client.get(f"/disclosures/open-records/{obj.pk}/file/")
    assert download.status_code == 200 and download.content == VIDEO
    assert _events(obj)[-1].action == AuditAction.DISCLOSURE_DOCUMENT_VIEWED
    # The list shows it to Cresco's director; New Madrid's people cannot learn of it.
    assert f"#{obj.pk}" in client_as("outsider").get("/disclosures/open-records/").content.decode()
    assert client_as("director").get(f"/disclosures/open-records/{obj.pk}/").status_code == 404
    assert (
        f"#{obj.pk}" not in client_as("director").get("/disclosures/open-records/").content.decode()
    )


def test_iowa_room_bookings_are_read_through_the_access_function(
    client_as, people, patrons, media
) -> None:
    client = client_as("outsider_staff")
    response = client.post(
        "/disclosures/open-records/new/",
        _form("cresco", "room_bookings", given="The room bookings of the fortnight, as CSV."),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    obj = OpenRecordsRequest.objects.get()
    assert obj.rows_given == 1
    given = obj.file.read().decode()
    assert "Meeting room A" in given and "Anna Svoboda" in given and "563-555-0110" in given
    assert given.splitlines()[0] == "room,starts_at,ends_at,contact_name,contact_phone"
    assert obj.file_sha256 == hashlib.sha256(given.encode()).hexdigest()
    assert str(patrons["cresco_patron"].pk) not in given.split("\n", 1)[1].split(",")[0]
    read = AuditEvent.objects.get(action=AuditAction.DISCLOSURE_PUBLIC_RECORDS_READ)
    assert read.purpose == f"open_records:{obj.pk}"
    assert read.patron_id is None and read.actor == people["outsider_staff"]
    assert read.after["record_types"] == ["room_bookings"]
    # Read before the request's own event, in the same transaction.
    [recorded] = _events(obj)
    assert read.seq < recorded.seq and recorded.after["rows_given"] == 1


def test_access_function_returns_no_patron_link(people, patrons) -> None:
    cresco = Library.objects.get(slug="cresco")
    rows = public_room_booking_contacts(
        actor=people["outsider_staff"],
        library=cresco,
        date_from=_today(),
        date_to=_today() + datetime.timedelta(days=5),
        request_id=99,
    )
    assert [r.contact_name for r in rows] == ["Anna Svoboda"]
    assert [f.name for f in dataclasses.fields(PublicRoomBooking)] == [
        "room",
        "starts_at",
        "ends_at",
        "contact_name",
        "contact_phone",
    ]
    assert not hasattr(rows[0], "patron") and not hasattr(rows[0], "patron_id")
    # Outside the date range: nothing.
    assert (
        public_room_booking_contacts(
            actor=people["outsider_staff"],
            library=cresco,
            date_from=_today() - datetime.timedelta(days=30),
            date_to=_today() - datetime.timedelta(days=20),
            request_id=99,
        )
        == []
    )
    # Only people who record requests at the library.
    with pytest.raises(PermissionDenied):
        public_room_booking_contacts(
            actor=people["staff"], library=cresco, date_from=None, date_to=None, request_id=99
        )


def test_missouri_room_bookings_are_confidential_and_refused(client_as, people, patrons) -> None:
    client = client_as("staff")
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client.post("/disclosures/open-records/new/", _form("new-madrid", "room_bookings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "not open records" in page and "request for records" in page
    assert "/disclosures/new/" in page  # the pointer to the full workflow
    assert not OpenRecordsRequest.objects.exists()
    assert not AuditEvent.objects.filter(seq__gt=head or 0).exists()
    with pytest.raises(PermissionDenied, match="not open records"):
        public_room_booking_contacts(
            actor=people["director"],
            library=Library.objects.get(slug="new-madrid"),
            date_from=None,
            date_to=None,
            request_id=1,
        )
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE_PUBLIC_RECORDS_READ).exists()


def test_iowa_confidential_types_point_to_the_full_workflow(client_as, media) -> None:
    response = client_as("outsider_staff").post(
        "/disclosures/open-records/new/", _form("cresco", "loans")
    )
    assert response.status_code == 200
    assert "not open records at this library" in response.content.decode()
    assert not OpenRecordsRequest.objects.exists()


def test_who_may_record(client_as, media) -> None:
    # The auditor never writes; a volunteer of New Madrid cannot write for Cresco.
    assert client_as("auditor").get("/disclosures/open-records/new/").status_code == 403
    assert (
        client_as("auditor")
        .post("/disclosures/open-records/new/", _form("new-madrid", "room_bookings"))
        .status_code
        == 403
    )
    assert (
        client_as("volunteer")
        .post("/disclosures/open-records/new/", _form("cresco", "camera_recordings"))
        .status_code
        == 404
    )
    assert not OpenRecordsRequest.objects.exists()
    # Any staff member of an Iowa library records one.
    response = client_as("outsider").post(
        "/disclosures/open-records/new/", _form("cresco", "camera_recordings")
    )
    assert response.status_code == 302
    assert OpenRecordsRequest.objects.count() == 1


def test_without_the_librarys_policy_iowa_camera_recordings_are_not_open_records(
    client_as, media
) -> None:
    """CR-5g: Iowa's library-records law does not cover camera recordings; they fall to
    chapter 22, and only the custodian's own policy (Cresco's 5g) says they are open.
    Without it the register refuses them and points to the full workflow."""
    PolicyRule.objects.filter(library__slug="cresco").delete()
    response = client_as("outsider").post(
        "/disclosures/open-records/new/", _form("cresco", "camera_recordings")
    )
    assert response.status_code == 200
    assert "not open records at this library" in response.content.decode()
    assert not OpenRecordsRequest.objects.exists()
