"""More checks on real data (CC-8): the policies' signatures, adoption and publication, the
disclosures, the log's reports, the installation's audit chain and backups, the retention
proof, the idle lock, the software."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.backups.models import BackupCheck, BackupRecord, CheckKind
from bookwarden.compliance.checks import Status, get
from bookwarden.core.models import Library
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.tests.factories import decided
from bookwarden.operations.actions import create_entry
from bookwarden.operations.models import EntryKind, EntryStatus, LogEntry
from bookwarden.patrons.retention_proof import take_proof
from bookwarden.policies import actions as policy_actions
from bookwarden.policies.models import PolicyKind, PolicyVersion
from bookwarden.software.models import Installation, RequestStatus, SoftwareRequest
from bookwarden.software.tests.factories import device, software

from .test_checks import DAY, check


def test_policies_signed_names_who_is_late(people, new_madrid) -> None:
    """IT-1, IT-11: everyone of a policy's audience signs its version in force; a person
    past the days to sign is named."""
    policy = policy_actions.add_policy(actor=None, library=new_madrid, title="Security agreement")
    policy_actions.add_version(
        actor=None,
        policy=policy,
        text="Keep passwords secret.",
        effective_on=timezone.localdate() - 60 * DAY,
        adopted_on=timezone.localdate() - 61 * DAY,
    )
    new_madrid.memberships.update(granted_at=timezone.now() - 100 * DAY)
    result = check("policies-signed", new_madrid)
    assert result.status == Status.FAILING
    assert result.failures[0].startswith("Security agreement: ")
    assert str(people["staff"]) in result.failures[0]
    adopted = check("policies-adopted-by-board", new_madrid)
    assert adopted.status == Status.OPERATING


def test_a_version_without_its_board_adoption_fails(people, new_madrid) -> None:
    """CC-12: the version in force of each policy carries the board's adoption date."""
    policy = policy_actions.add_policy(actor=None, library=new_madrid, title="Computer use")
    policy_actions.add_version(
        actor=None, policy=policy, text="Text.", effective_on=timezone.localdate() - DAY
    )
    result = check("policies-adopted-by-board", new_madrid)
    assert result.status == Status.FAILING
    assert "Computer use" in result.failures[0]


def test_the_privacy_policy_is_published(people, new_madrid) -> None:
    """CR-6b, NM-7: a patrons' privacy policy in force is published; without its board
    adoption it fails."""
    policy = policy_actions.add_policy(
        actor=None,
        library=new_madrid,
        title="Privacy Policy",
        kind=PolicyKind.PATRON_PRIVACY,
        must_sign=False,
    )
    policy_actions.add_version(
        actor=None,
        policy=policy,
        text="We keep your records private.",
        effective_on=timezone.localdate() - DAY,
        adopted_on=timezone.localdate() - 2 * DAY,
    )
    assert check("privacy-policy-published", new_madrid).status == Status.OPERATING
    PolicyVersion.objects.filter(policy=policy).update(adopted_on=None)
    assert check("privacy-policy-published", new_madrid).status == Status.FAILING


def test_disclosures_decided_by_the_custodian(people, new_madrid) -> None:
    """CC-5: a decision by the custodian operates; one by someone else fails."""
    request = decided(people, new_madrid, "refuse")
    assert check("disclosures-by-custodian", new_madrid).status == Status.OPERATING
    DisclosureRequest.objects.filter(pk=request.pk).update(decided_by=people["staff"])
    result = check("disclosures-by-custodian", new_madrid)
    assert result.status == Status.FAILING
    assert f"#{request.pk}" in result.failures[0]


def test_a_closed_report_without_steps_fails(people, new_madrid) -> None:
    """IT-10: a closed report needs its step-by-step actions."""
    entry = create_entry(
        actor=None,
        library=new_madrid,
        kind=EntryKind.FIREWALL_CHANGE,
        title="Firewall rule added",
        narrative="Blocked outbound SMB.",
        occurred_at=timezone.now(),
    )
    assert check("log-entries-complete", new_madrid).status == Status.OPERATING
    LogEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.CLOSED, closed_at=timezone.now())
    result = check("log-entries-complete", new_madrid)
    assert result.status == Status.FAILING
    assert "Firewall rule added" in result.failures[0]


def test_the_reports_are_counted_per_library_however_many(people, new_madrid, cresco) -> None:
    """IT-10, IT-7: the counts come from the database, one row per library whatever the
    entries' times, and only the open or lacking entries are read."""
    for n in range(3):
        create_entry(
            actor=None,
            library=new_madrid,
            kind=EntryKind.FIREWALL_CHANGE,
            title=f"Change {n}",
            narrative="Rule added.",
            occurred_at=timezone.now() - (n + 1) * DAY,
        )
    LogEntry.objects.filter(title="Change 0").update(
        status=EntryStatus.CLOSED, closed_at=timezone.now()
    )
    result = check("log-entries-complete", new_madrid)
    assert result.summary.startswith("3 reports in the last year; 0 of 1 closed")
    assert result.failures == ("\u201cChange 0\u201d was closed with no step recorded.",)
    in_time = check("entries-closed-in-time", new_madrid)
    assert in_time.summary.startswith("2 entries are open")
    assert check("log-entries-complete", cresco).status == Status.NO_EVIDENCE


def test_the_audit_chain_anchored_recently(people, new_madrid, cresco) -> None:
    """CC-8: the installation's audit log checked and anchored within its age serves every
    library; an old anchor fails."""
    assert check("audit-chain-anchored", new_madrid).status == Status.NO_EVIDENCE
    record(AuditAction.AUDIT_ANCHORED, after={"seq": 1})
    assert check("audit-chain-anchored", cresco).status == Status.OPERATING
    later = timezone.now() + 5 * DAY
    late = get("audit-chain-anchored").run([new_madrid], later)[new_madrid.pk]
    assert late.status == Status.FAILING


def test_backups_made_and_restored(people, new_madrid) -> None:
    """IT-10, CC-8: a recent backup and a recent restore check that passed."""
    backup = BackupRecord.objects.create(
        file_name="b.bwbackup",
        folder="backups",
        size=1,
        sha256="a" * 64,
        origin="job",
        engine="sqlite",
        audit_seq=1,
    )
    result = check("backups-verified", new_madrid)
    assert result.status == Status.FAILING
    assert result.failures == ("No backup was restored in a check in the last 35 days.",)
    BackupCheck.objects.create(backup=backup, kind=CheckKind.DRILL, file_name="b", ok=True)
    assert check("backups-verified", new_madrid).status == Status.OPERATING


def test_the_retention_proof(people, new_madrid) -> None:
    """CR-6a: the newest proof covering the library, clean, operates."""
    take_proof()
    result = check("retention-proof", new_madrid)
    assert result.status == Status.OPERATING, result.failures


def test_the_idle_lock(people, new_madrid) -> None:
    """CC-4: sessions lock after at most 15 idle minutes."""
    assert check("sessions-lock-when-idle", new_madrid).status == Status.OPERATING
    Library.objects.filter(pk=new_madrid.pk).update(idle_timeout_minutes=60)
    new_madrid.refresh_from_db()
    assert check("sessions-lock-when-idle", new_madrid).status == Status.FAILING


def test_software_installed_before_its_approval_fails(people, new_madrid) -> None:
    """CC-4, LV-6: an installation whose request was approved only after it was installed."""
    program = software(new_madrid)
    pc = device(new_madrid, "SW-PC-01")
    request = SoftwareRequest.objects.create(
        library=new_madrid,
        kind="install",
        software=program,
        device=pc,
        reason="Needed.",
        requested_by=people["staff"],
        status=RequestStatus.APPROVED,
        decided_by=people["tech_coordinator"],
        decided_at=timezone.now(),
    )
    Installation.objects.create(
        library=new_madrid,
        software=program,
        device=pc,
        installed_on=timezone.localdate() - datetime.timedelta(days=3),
        request=request,
    )
    result = check("software-approved", new_madrid)
    assert result.status == Status.FAILING
    assert "installed without an approval first" in result.failures[0]
    Installation.objects.update(installed_on=timezone.localdate())
    assert check("software-approved", new_madrid).status == Status.OPERATING
