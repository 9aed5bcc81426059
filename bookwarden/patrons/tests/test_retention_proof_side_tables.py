"""Koha kept patron links in side tables after anonymizing (LAW.md).  A stale link planted in
each kind of side table Bookwarden has is found by the retention proof (CR-6a) and removed by
the retention run, each chunk with its audit event (LV-3); the proof is clean afterwards."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.jobs.models import JobRun, JobStatus
from bookwarden.mail.models import MailStatus, OutboxMessage
from bookwarden.patrons.models import Loan, RecordOpening
from bookwarden.patrons.retention import run_retention
from bookwarden.patrons.retention_proof import prove

DAY = datetime.timedelta(days=1)


def _plant(people: dict[str, Any], patrons: dict[str, Any]) -> dict[str, Any]:
    """One stale link in every kind of side table, and in a record type, at New Madrid."""
    now = timezone.now()
    parent = patrons["parent"]
    library = parent.library
    planted: dict[str, Any] = {}
    planted["loan"] = Loan._unguarded.create(
        library_id=library.pk,
        patron=parent,
        item_barcode="3000009",
        title="Private title",
        checked_out_at=now - 20 * DAY,
        returned_at=now - 2 * DAY,
        amount_owed=Decimal(0),
    )
    planted["breach_mail"] = OutboxMessage.objects.create(
        library=library,
        reason="breach.patron_notice",
        to=["parent@example.org"],
        subject="Your library records",
        body=f"Dear {parent.first_name} {parent.last_name}, ...",
        status=MailStatus.SENT,
        created_at=now - 41 * DAY,
        sent_at=now - 40 * DAY,
    )
    planted["disclosure_mail"] = OutboxMessage.objects.create(
        library=library,
        reason="disclosure_notice",
        to=["parent@example.org"],
        subject="Your records were released",
        body="Dear patron, ...",
        status=MailStatus.FAILED,
        last_error="550 <parent@example.org>: no such user",
        created_at=now - 35 * DAY,
    )
    session = SessionStore()
    session["portal"] = {"library": library.pk, "patron": parent.pk, "card": 1, "seen": 0}
    session.create()
    Session.objects.filter(pk=session.session_key).update(expire_date=now - DAY)
    planted["session_key"] = session.session_key
    old_run = JobRun.objects.create(
        name="mail",
        status=JobStatus.FAILED,
        scheduled_for=now - 40 * DAY,
        finished_at=now - 40 * DAY,
        error=f"IntegrityError: Key (patron_id)=({parent.pk})",
    )
    JobRun.objects.create(
        name="mail", status=JobStatus.SUCCEEDED, scheduled_for=now, finished_at=now
    )
    planted["job_run"] = old_run
    event = record(AuditAction.RECORDS_OPENED, library=library, patron=parent, purpose="desk")
    planted["opening"] = RecordOpening.objects.create(
        patron=parent,
        opened_by=people["staff"],
        purpose="desk",
        record_types=["loans"],
        opened_at=now - 2 * DAY,
        event=event,
    )
    request = DisclosureRequest.objects.create(
        library=library,
        requester_name="County sheriff",
        requester_type="law_enforcement",
        instrument="subpoena",
        closed_at=now - 400 * DAY,
    )
    request.patrons.add(parent)
    request.packet.save(f"{library.pk}/request-{request.pk}.zip", ContentFile(b"titles"))
    planted["packet"] = request
    planted["packet_name"] = request.packet.name
    return planted


def _found(proof: Any) -> dict[str, int]:
    return {f.link: f.count for f in proof.findings if f.library in ("new-madrid", None)}


@pytest.mark.django_db(transaction=False)
def test_the_proof_finds_a_stale_link_in_each_side_table_and_a_run_removes_it(people, demo_patrons):
    assert prove().ok
    planted = _plant(people, demo_patrons)

    proof = prove()

    assert not proof.ok
    found = _found(proof)
    assert found["loans"] >= 1
    assert found["mail.outboxmessage.body"] == 2
    assert found["sessions.session.session_data"] == 1
    assert found["jobs.jobrun.error"] == 1
    assert found["patrons.recordopening.patron"] == 1
    assert found["disclosures.disclosurerequest.packet"] == 1
    tables = {(f.table, f.column) for f in proof.findings}
    assert ("mail_outboxmessage", "to, subject, body, last_error") in tables
    assert ("django_session", "session_data") in tables
    assert ("disclosures_disclosurerequest", "packet") in tables

    # A dry run changes nothing.
    dry = run_retention(dry_run=True)
    assert dry.counts["patron_mail"] == 2 and dry.counts["disclosure_packets"] == 1
    assert not prove().ok

    done = run_retention()

    assert done.status == "completed"
    assert done.counts["patron_mail"] == 2
    assert done.counts["record_openings"] == 1
    assert done.counts["disclosure_packets"] == 1
    assert done.counts["job_runs"] == 1
    assert done.counts["expired_sessions"] == 1
    after = prove()
    assert after.ok, after.findings

    mail = OutboxMessage.objects.get(pk=planted["breach_mail"].pk)
    assert (mail.to, mail.body, mail.last_error) == ([], "", "")
    assert OutboxMessage.objects.get(pk=planted["disclosure_mail"].pk).last_error == ""
    assert not Session.objects.filter(pk=planted["session_key"]).exists()
    assert not JobRun.objects.filter(pk=planted["job_run"].pk).exists()
    assert JobRun.objects.filter(name="mail").count() == 1  # the job's last run stays
    assert not RecordOpening.objects.filter(pk=planted["opening"].pk).exists()
    request = DisclosureRequest.objects.get(pk=planted["packet"].pk)
    assert request.packet.name == "" and not default_storage.exists(planted["packet_name"])
    assert request.patrons.count() == 1  # the request's scope is kept by its rule

    # Every change is in the audit log, chunk by chunk, counts only.
    chunks = AuditEvent.objects.filter(action=AuditAction.RETENTION_CHUNK)
    rows: dict[str, int] = {}
    for event in chunks:
        rows[event.after["record_type"]] = (
            rows.get(event.after["record_type"], 0) + event.after["rows"]
        )
    assert {k: rows[k] for k in ("patron_mail", "record_openings", "disclosure_packets")} == {
        "patron_mail": 2,
        "record_openings": 1,
        "disclosure_packets": 1,
    }
    assert rows["job_runs"] == 1 and rows["expired_sessions"] == 1
    assert not any("parent@example.org" in str(e.after) for e in chunks)

    # A second run finds nothing to do.
    again = run_retention()
    assert sum(again.counts.values()) == 0


def test_a_recent_side_link_is_allowed_by_its_rule(people, demo_patrons):
    now = timezone.now()
    parent = demo_patrons["parent"]
    OutboxMessage.objects.create(
        library=parent.library,
        reason="breach.patron_notice",
        to=["parent@example.org"],
        subject="Your library records",
        body="Dear patron",
        status=MailStatus.SENT,
        sent_at=now - 10 * DAY,
    )
    OutboxMessage.objects.create(
        library=parent.library,
        reason="disclosure_notice",
        to=["parent@example.org"],
        subject="Waiting",
        body="Dear patron",
        created_at=now - 90 * DAY,  # still queued: still needed
    )
    assert prove().ok


def test_an_audit_event_naming_a_record_is_never_allowed(people, demo_patrons):
    """The audit log keeps patron ids for its whole life, but never with the id of a loan,
    search or question: that would say what the patron used after the loan is unlinked.
    Such an event cannot be removed (the log is append-only): the proof keeps failing, so
    the code that wrote it is found and fixed."""
    parent = demo_patrons["parent"]
    loan = Loan._unguarded.filter(patron=parent).first()
    record(AuditAction.RECORDS_OPENED, target=loan, library=parent.library, patron=parent)

    findings = prove().findings
    assert len(findings) == 1, findings
    [finding] = findings
    assert (finding.table, finding.column, finding.link) == (
        "audit_auditevent",
        "patron_id",
        "audit.auditevent.patron_id",
    )
    run_retention()
    assert not prove().ok


def test_a_library_proof_reports_only_that_library(people, demo_patrons):
    _plant(people, demo_patrons)
    from bookwarden.core.models import Library

    cresco = prove(library=Library.objects.get(slug="cresco"))
    assert cresco.ok, cresco.findings
    madrid = prove(library=demo_patrons["parent"].library)
    assert {f.library for f in madrid.findings} == {"new-madrid"}
    assert "jobs.jobrun.error" not in {f.link for f in madrid.findings}


def test_a_backup_kept_past_its_days_is_a_finding(people, settings):
    """CR-6a: a backup holds records that retention has since removed, so one still on the
    server after BOOKWARDEN_BACKUP_KEEP_DAYS is a finding until the backup-retention job
    deletes it."""
    from bookwarden.backups.models import BackupRecord

    settings.BOOKWARDEN_BACKUP_KEEP_DAYS = 30
    now = timezone.now()

    def backup(days_old: int, name: str) -> BackupRecord:
        return BackupRecord.objects.create(
            file_name=name,
            folder="/srv/backups",
            size=1,
            sha256=name.ljust(64, "0")[:64],
            created_at=now - days_old * DAY,
            origin="job",
            engine="sqlite",
            audit_seq=1,
        )

    backup(20, "young")
    assert prove().ok
    old = backup(40, "old")
    [finding] = prove().findings
    assert (finding.table, finding.count) == ("backups_backuprecord", 1)
    old.deleted_at = now
    old.save(update_fields=["deleted_at"])
    assert prove().ok
