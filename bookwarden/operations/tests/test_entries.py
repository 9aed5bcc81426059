"""IT-10: entries with their narrative, ordered timeline, attachments (SHA-256, served only
to those who may read the entry), closing, and corrections after closing."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.operations import actions
from bookwarden.operations.models import Attachment, EntryStatus, LogEntry, StepKind


def test_the_manager_records_an_entry_with_everything_it_holds(
    people, client_as, new_madrid
) -> None:
    branch = new_madrid.branches.get(slug="portageville")
    response = client_as("tech_coordinator").post(
        "/operations/new/",
        {
            "library": "new-madrid",
            "kind": "firewall_change",
            "severity": "high",
            "status": "open",
            "title": "Blocked SMB",
            "narrative": "Outbound 445 blocked.",
            "occurred_at": "2026-02-01T10:00",
            "branch": str(branch.pk),
            "affected_branches": [str(branch.pk)],
            "devices": "fw01\nfw02",
            "accounts": [str(people["staff"].pk)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = LogEntry.objects.get()
    assert entry.device_list == ["fw01", "fw02"]
    assert list(entry.accounts.all()) == [people["staff"]]
    assert list(entry.affected_branches.all()) == [branch]
    assert entry.recorded_at > entry.occurred_at
    page = client_as("auditor").get(f"/operations/{entry.pk}/").content.decode()
    for text in ("Outbound 445 blocked.", "fw01", "Portageville", "Ben Johnson"):
        assert text in page


def test_an_account_of_another_library_cannot_be_named(people, make_entry) -> None:
    with pytest.raises(ValidationError):
        make_entry(accounts=[people["outsider_staff"]])


def test_the_timeline_is_in_order_with_who_and_when(people, make_entry, client_as) -> None:
    entry = make_entry()
    start = timezone.now()
    for minutes, text in ((0, "first"), (5, "second"), (9, "third")):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes)):
            actions.add_step(actor=people["it_staff"], entry=entry, text=text)
    steps = list(entry.steps.all())
    assert [s.text for s in steps] == ["first", "second", "third"]
    assert all(s.actor == people["it_staff"] for s in steps)
    assert steps[0].at < steps[1].at < steps[2].at
    page = client_as("director").get(f"/operations/{entry.pk}/").content.decode()
    assert page.index("first") < page.index("second") < page.index("third")
    assert AuditEvent.objects.filter(action=AuditAction.OPS_STEP_ADDED).count() == 3


def test_a_closed_entry_cannot_be_edited_but_takes_corrections(
    people, make_entry, client_as
) -> None:
    entry = make_entry()
    client = client_as("it_staff")
    assert client.post(f"/operations/{entry.pk}/close/", {"summary": "Done"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.CLOSED and entry.closed_at is not None

    # The edit page refuses, on GET and on POST, and nothing changes.
    response = client.get(f"/operations/{entry.pk}/edit/")
    assert response.status_code == 302
    client.post(
        f"/operations/{entry.pk}/edit/",
        {
            "kind": "backup",
            "severity": "low",
            "status": "open",
            "title": "Rewritten",
            "narrative": "Rewritten",
            "occurred_at": "2026-01-01T00:00",
        },
    )
    entry.refresh_from_db()
    assert entry.title == "Nightly backup"
    with pytest.raises(ValidationError):
        actions.update_entry(actor=people["director"], entry=entry, title="Rewritten")
    # A step is refused; a correction note is accepted.
    with pytest.raises(ValidationError):
        actions.add_step(actor=people["it_staff"], entry=entry, text="more work")
    client.post(
        f"/operations/{entry.pk}/steps/",
        {"text": "The backup ran at 2:00, not 1:00.", "kind": "correction"},
    )
    last = entry.steps.order_by("-at", "-pk").first()
    assert last is not None
    assert (last.kind, last.text) == (StepKind.CORRECTION, "The backup ran at 2:00, not 1:00.")


def test_add_step_is_the_api_of_other_apps(people, make_entry) -> None:
    """IT-9: enforcement (human resources' decision) and breach handling add steps."""
    entry = make_entry(kind="staff_violation", title="Staff violation: shared login")
    step = actions.add_step(actor=people["human_resources"], entry=entry, text="No discipline.")
    assert step.kind == StepKind.STEP
    with pytest.raises(PermissionDenied):
        actions.add_step(actor=people["auditor"], entry=entry, text="x")
    with pytest.raises(PermissionDenied):
        actions.add_step(actor=people["outsider"], entry=entry, text="x")
    with pytest.raises(ValidationError):
        actions.add_step(actor=people["it_staff"], entry=entry, text="x", kind="system")


def test_an_incident_closes_only_with_preventive_measures(people, make_entry) -> None:
    """CC-9: investigated, documented, with preventive measures recommended."""
    entry = make_entry(kind="malware", title="Malware")
    with pytest.raises(ValidationError):
        actions.close_entry(actor=people["it_staff"], entry=entry)
    actions.update_entry(
        actor=people["it_staff"], entry=entry, preventive_measures="Block USB sticks."
    )
    actions.close_entry(actor=people["it_staff"], entry=entry)
    assert LogEntry.objects.get(pk=entry.pk).status == EntryStatus.CLOSED


def test_an_attachment_is_stored_with_its_hash_and_served_only_to_readers(
    people, make_entry, client_as
) -> None:
    entry = make_entry()
    content = b"firewall log line 1\nline 2\n"
    response = client_as("it_staff").post(
        f"/operations/{entry.pk}/attachments/",
        {"file": SimpleUploadedFile("../../fw log.txt", content, "text/plain")},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    assert attachment.filename == "fw_log.txt"
    assert ".." not in attachment.file.name
    event = AuditEvent.objects.get(action=AuditAction.OPS_ATTACHMENT_ADDED)
    assert event.after["sha256"] == attachment.sha256
    assert "fw_log" not in str(event.after)

    url = f"/operations/{entry.pk}/attachments/{attachment.pk}/"
    got = client_as("auditor").get(url)
    assert got.status_code == 200
    assert got.content == content
    assert got["Content-Disposition"].startswith("attachment;")
    assert client_as("volunteer").get(url).status_code == 403
    assert client_as("outsider").get(url).status_code == 404
    # A file changed on disk no longer matches its hash: refused.
    with open(attachment.file.path, "wb") as handle:
        handle.write(b"tampered")
    assert client_as("auditor").get(url).status_code == 409


def test_an_attachment_larger_than_10_mb_is_refused(people, make_entry) -> None:
    entry = make_entry()
    big = SimpleUploadedFile("big.bin", b"x" * (actions.MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(ValidationError):
        actions.add_attachment(actor=people["it_staff"], entry=entry, upload=big)
    assert not Attachment.objects.exists()


def test_changing_the_kind_is_on_the_timeline_and_in_the_audit_log(people, make_entry) -> None:
    entry = make_entry(kind="concern", title="Something odd")
    actions.update_entry(
        actor=people["it_staff"], entry=entry, kind="software_change", narrative="Secret words"
    )
    assert entry.steps.filter(kind=StepKind.SYSTEM, text__contains="Kind changed").exists()
    event = AuditEvent.objects.filter(action=AuditAction.OPS_ENTRY_UPDATED).get()
    assert event.after["kind"] == "software_change"
    assert event.after["changed_text"] == ["narrative"]
    assert "Secret" not in str(event.after) + str(event.before)
