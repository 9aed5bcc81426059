"""Checks of what the whole installation keeps for every library (CC-8, IT-10, CC-4, CC-6,
IT-3): the audit log's chain checked and anchored recently, backups made and verified, the
idle lock of staff sessions, the consortium's rules, the shared logins held by IT staff and
kept in a password manager.  A few queries for any number of libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.urls import reverse

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.verify import max_anchor_age
from bookwarden.backups.models import BackupCheck, BackupRecord
from bookwarden.core.models import Library, Membership
from bookwarden.core.when import ago
from bookwarden.credentials.duties import IT_ROLES
from bookwarden.credentials.models import Credential
from bookwarden.jobs.models import JobRun, JobStatus
from bookwarden.policies.models import Policy

from . import CheckResult, Evidence, check, failing, listed, operating, plural

#: A backup older than this, or a restore check older than BACKUP_CHECK_AGE, fails (CC-8).
BACKUP_AGE = datetime.timedelta(days=2)
BACKUP_CHECK_AGE = datetime.timedelta(days=35)
#: The longest idle time before a staff session locks that the control accepts (CC-4).
IDLE_LOCK_MINUTES = 15


def _same_for_all(libraries: Sequence[Library], result: CheckResult) -> dict[int, CheckResult]:
    return {lib.pk: result for lib in libraries}


@check(
    "audit-chain-anchored",
    title="The audit log's chain checked and anchored recently",
    hint="Let the nightly audit log check run (bookwarden jobs): it checks the whole chain "
    "and writes its newest event to the anchor folder.",
)
def audit_chain_anchored(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-8, LV-3: the newest anchor (written only after the whole chain verified) is
    younger than the allowed age, and the last run of the check did not fail."""
    anchored = (
        AuditEvent.objects.filter(action=AuditAction.AUDIT_ANCHORED, created_at__lte=now)
        .order_by("-seq")
        .only("created_at", "seq")
        .first()
    )
    last_run = (
        JobRun.objects.filter(name="audit-anchor", finished_at__isnull=False)
        .order_by("-finished_at")
        .only("status", "finished_at")
        .first()
    )
    if anchored is None and last_run is None:
        return {}
    failures = []
    if last_run is not None and last_run.status == JobStatus.FAILED:
        failures.append(
            "The last check of the audit log failed: the chain or an anchor does not match."
        )
    if anchored is None or anchored.created_at < now - max_anchor_age():
        failures.append(
            "The audit log has not been checked and anchored for "
            + (ago(anchored.created_at) if anchored else "ever")
            + "."
        )
    evidence = (
        Evidence(
            "Last checked and anchored",
            url=reverse("audit:list"),
            when=anchored.created_at if anchored else None,
        ),
        Evidence("Events in the log at that check", anchored.seq if anchored else 0),
    )
    summary = (
        f"The audit log's chain was checked and anchored {ago(anchored.created_at)}."
        if anchored
        else "The audit log was never anchored."
    )
    return _same_for_all(
        libraries,
        failing(summary, failures, evidence, measure=1)
        if failures
        else operating(summary, evidence, measure=0),
    )


@check(
    "backups-verified",
    title="Backups made every night and restored in a check",
    hint="Let the nightly backup run (or run bookwarden backup create) and check one by "
    "restoring it (bookwarden backup verify).",
)
def backups_verified(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-10, CC-8: a backup younger than two days, and a restore check that passed within
    35 days (the monthly drill)."""
    backup = BackupRecord.objects.filter(deleted_at__isnull=True).order_by("-created_at").first()
    checked = BackupCheck.objects.order_by("-checked_at").first()
    if backup is None and checked is None:
        return {}
    failures = []
    if backup is None or backup.created_at < now - BACKUP_AGE:
        failures.append("No backup was made in the last two days.")
    if checked is None or checked.checked_at < now - BACKUP_CHECK_AGE:
        failures.append("No backup was restored in a check in the last 35 days.")
    elif not checked.ok:
        failures.append(
            f"The last restore check failed: {checked.failure or 'see the backups page'}"
        )
    evidence = (
        Evidence(
            "Last backup", url=reverse("backups:list"), when=backup.created_at if backup else None
        ),
        Evidence(
            "Last restore check" + ("" if checked is None or checked.ok else " (failed)"),
            when=checked.checked_at if checked else None,
        ),
    )
    summary = (
        f"The last backup was made {ago(backup.created_at)}" if backup else "No backup yet"
    ) + (f"; the last restore check {ago(checked.checked_at)}." if checked else ".")
    return _same_for_all(
        libraries,
        failing(summary, failures, evidence, measure=len(failures))
        if failures
        else operating(summary, evidence, measure=0),
    )


@check(
    "sessions-lock-when-idle",
    title="Staff sessions lock when a workstation is left",
    hint="Set the idle lock on the library's settings page.",
)
def sessions_lock(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """CC-4: the library's staff sessions lock after at most 15 idle minutes (the people
    themselves lock or log off; Bookwarden locks for them when they forget)."""
    results: dict[int, CheckResult] = {}
    for lib in libraries:
        minutes = lib.idle_timeout_minutes
        evidence = (
            Evidence(
                f"Sessions lock after {plural(minutes, 'idle minute')}",
                url=reverse("library_settings", args=[lib.slug]),
            ),
        )
        summary = f"Staff sessions lock after {plural(minutes, 'idle minute')}."
        results[lib.pk] = (
            operating(summary, evidence, measure=minutes)
            if minutes <= IDLE_LOCK_MINUTES
            else failing(
                summary,
                [f"The idle lock is {minutes} minutes, more than {IDLE_LOCK_MINUTES}."],
                evidence,
                measure=minutes,
            )
        )
    return results


@check(
    "consortium-rules-followed",
    title="The consortium's rules on patron information are in force",
    hint="A library of a consortium keeps the consortium's policies in the policy library; "
    "a library in no consortium may mark this control not applicable.",
)
def consortium_rules(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-6: a library of a consortium has the consortium's policies in force beside its own."""
    members = [lib for lib in libraries if lib.consortium_id]
    if not members:
        return {}
    policies: dict[int, list[str]] = {}
    for consortium_id, title in Policy.objects.filter(
        consortium__in={lib.consortium_id for lib in members}, retired_at__isnull=True
    ).values_list("consortium_id", "title"):
        policies.setdefault(consortium_id, []).append(title)
    results: dict[int, CheckResult] = {}
    for lib in members:
        titles = sorted(policies.get(lib.consortium_id or 0, []))
        evidence = (
            Evidence("Consortium policies in force", len(titles), reverse("policies:list")),
        )
        results[lib.pk] = (
            operating(
                f"The consortium's {listed(titles)} "
                f"{'is' if len(titles) == 1 else 'are'} in force.",
                evidence,
                measure=len(titles),
            )
            if titles
            else failing(
                "No policy of the consortium is in force.",
                ["The consortium has no policy in the policy library."],
                evidence,
                measure=0,
            )
        )
    return results


@check(
    "shared-logins-held-by-it",
    title="Shared logins held only by IT staff and kept in a password manager",
    hint="Record the library's shared logins under IT, with the IT staff who hold each and "
    "where the password manager keeps it.",
)
def shared_logins_held(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-3: every login in use has holders, all of them IT staff of the library, and names
    the item of the password manager that keeps it (never on paper)."""
    logins = list(
        Credential.objects.in_use()
        .filter(library__in=libraries)
        .prefetch_related("holders")
        .order_by("system")
    )
    it = set(
        Membership.objects.active()
        .filter(library__in=libraries, role__in=IT_ROLES)
        .values_list("library_id", "user_id")
    )
    results: dict[int, CheckResult] = {}
    for lib in libraries:
        mine = [c for c in logins if c.library_id == lib.pk]
        if not mine:
            continue
        failures = []
        for c in mine:
            holders = list(c.holders.all())
            outside = [str(u) for u in holders if (lib.pk, u.pk) not in it]
            if not holders:
                failures.append(f"{c}: no IT staff member holds it.")
            if outside:
                failures.append(f"{c}: held by {listed(outside)}, not IT staff.")
            if not c.manager_item.strip():
                failures.append(f"{c}: not kept in the password manager.")
        evidence = (Evidence("Shared logins in use", len(mine), reverse("credentials:list")),)
        summary = (
            f"{plural(len(mine), 'shared login')}, each held by IT staff and kept in a "
            "password manager."
        )
        results[lib.pk] = (
            failing(
                f"{plural(len(failures), 'problem')} with the shared logins.",
                failures[:10],
                evidence,
                measure=len(failures),
            )
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results
