"""Every write to the security operations log (DESIGN mechanism 1; IT-10, CC-9, IT-9, IT-7,
IT-4, CC-2).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line, the demo and the job loop), checks the permission and records its audit event
in the same transaction.  Mail is queued in the outbox inside the same transaction
(:func:`bookwarden.mail.actions.queue_mail`), so an incident and the notices about it commit
together.  Audit events carry ids, kinds and the *names* of changed text fields, never the
narrative, titles or file names (which may name a patron).

Public API for other apps: :func:`add_step` (keep its signature).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import take_in
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.permissions import has_perm, require
from bookwarden.core.roles import Perm, Role
from bookwarden.mail.actions import queue_mail

from .models import (
    AFTER_CLOSE_KINDS,
    DEFAULT_ESCALATION_MINUTES,
    INCIDENT_KINDS,
    INTEGRITY_KINDS,
    Acknowledgement,
    Attachment,
    EntryKind,
    EntryStatus,
    IncidentNotice,
    LogEntry,
    OperationsSettings,
    Severity,
    StepKind,
    TimelineStep,
)
from .timeliness import DEFAULT_TARGET_DAYS, MAX_TARGET_DAYS

#: Largest attachment accepted (bytes).
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

#: What a staff member may call their report, in plain words (CC-2).  Anything else is a
#: concern until someone who runs the log classifies it.
REPORT_KINDS: tuple[tuple[str, str], ...] = (
    (EntryKind.CONCERN, "I am not sure, something seems wrong"),
    (EntryKind.PHISHING, "A suspicious e-mail, call or message"),
    (EntryKind.MALWARE, "A virus, pop-ups or a strange program"),
    (EntryKind.DATA_LOSS, "A lost or stolen device, papers or data"),
    (EntryKind.INAPPROPRIATE_ACCESS, "Someone saw or used what they should not"),
    (EntryKind.PATRON_VIOLATION, "A patron broke the computer-use rules"),
    (EntryKind.NETWORK_INTERRUPTION, "The network or the internet is down"),
)

#: Who is told of every incident (CC-9), and who besides for one that compromises integrity
#: (IT-9: the IT manager, i.e. the technology coordinator, or the assistant director).
INCIDENT_ROLES = frozenset({Role.DIRECTOR, Role.TECH_COORDINATOR, Role.HUMAN_RESOURCES})
INTEGRITY_ROLES = frozenset({Role.ASSISTANT_DIRECTOR, Role.TECH_COORDINATOR})

#: Who may add a step to an entry: those who run the log, and those who run a part of an
#: incident's handling in other apps (enforcement, discipline, breach).
STEP_PERMS = (
    Perm.MANAGE_OPERATIONS,
    Perm.MANAGE_ENFORCEMENT,
    Perm.DECIDE_DISCIPLINE,
    Perm.MANAGE_BREACH,
)

#: Fields an edit may change; the text ones are recorded in the audit log by name only.
EDITABLE = (
    "kind",
    "severity",
    "status",
    "title",
    "narrative",
    "occurred_at",
    "branch",
    "devices",
    "preventive_measures",
    "outside_party",
    "outside_party_name",
    "patron_data_involved",
)
_TEXT_FIELDS = frozenset(
    {"title", "narrative", "devices", "preventive_measures", "outside_party_name"}
)
_AUDITED = [f for f in EDITABLE if f not in _TEXT_FIELDS]


# --- helpers ------------------------------------------------------------------------------


def _closed_refused(entry: LogEntry) -> None:
    if entry.status == EntryStatus.CLOSED:
        raise ValidationError(
            "This entry is closed and cannot be changed. Add a correction note instead."
        )


def _check(entry: LogEntry, branches: Iterable[Branch], accounts: Iterable[User]) -> None:
    errors: dict[str, str] = {}
    if entry.kind not in EntryKind.values:
        errors["kind"] = "Unknown kind of entry."
    if entry.severity not in Severity.values:
        errors["severity"] = "Unknown severity."
    if (
        entry.branch_id
        and not Branch.objects.filter(pk=entry.branch_id, library_id=entry.library_id).exists()
    ):
        errors["branch"] = "That branch belongs to another library."
    if any(b.library_id != entry.library_id for b in branches):
        errors["affected_branches"] = "A branch of another library was chosen."
    account_ids = {u.pk for u in accounts}
    if account_ids:
        members = set(
            Membership.objects.filter(
                library_id=entry.library_id, user_id__in=account_ids
            ).values_list("user_id", flat=True)
        )
        if members != account_ids:
            errors["accounts"] = "Only accounts of this library's staff can be named."
    now = timezone.now()
    if entry.occurred_at and entry.occurred_at > now + datetime.timedelta(minutes=5):
        errors["occurred_at"] = "That is in the future."
    if entry.outside_party and not entry.outside_party_name.strip():
        errors["outside_party_name"] = "Say who had access: name and company (IT-4)."
    if errors:
        raise ValidationError(errors)
    entry.full_clean(exclude=["library", "branch", "reported_by", "outside_access_resolved_by"])


def _system_step(entry: LogEntry, text: str, actor: User | None = None) -> TimelineStep:
    return TimelineStep.objects.create(
        entry=entry, actor=actor, text=text, kind=StepKind.SYSTEM, at=timezone.now()
    )


def _entry_path(entry: LogEntry) -> str:
    return reverse("operations:detail", args=[entry.pk])


def _recipients(entry: LogEntry) -> list[User]:
    """Everyone who must hear of this incident at its library (CC-9, IT-9): active members
    holding one of the roles, each once."""
    roles = set(INCIDENT_ROLES)
    if entry.kind in INTEGRITY_KINDS:
        roles |= INTEGRITY_ROLES
    memberships = (
        Membership.objects.active()
        .filter(library_id=entry.library_id, role__in=roles)
        .select_related("user")
        .order_by("user__username")
    )
    seen: dict[int, User] = {}
    for m in memberships:
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def _notify(entry: LogEntry, actor: User | None) -> list[int]:
    """Tell everyone who must hear of an incident, once each; returns the ids newly told.

    Called inside the action that makes (or classifies) the incident: the notices, the
    outbox mail and the entry commit together.  A person without an e-mail address is told
    on their home page only, and the entry says so."""
    if entry.kind not in INCIDENT_KINDS:
        return []
    already = set(IncidentNotice.objects.filter(entry=entry).values_list("user_id", flat=True))
    told: list[int] = []
    for user in _recipients(entry):
        if user.pk in already:
            continue
        email = (user.email or "").strip()
        IncidentNotice.objects.create(entry=entry, user=user, emailed=bool(email))
        told.append(user.pk)
        if not email:
            _system_step(
                entry,
                f"{user} has no e-mail address: not e-mailed, told on their home page only.",
            )
            continue
        queue_mail(
            to=[email],
            subject=f"Security incident #{entry.pk} at {entry.library.name}: "
            f"{entry.get_kind_display()}",
            body=_incident_body(entry, user),
            reason="operations.incident",
            library=entry.library_id,
            about=entry,
            dedupe_key=f"operations.incident:{entry.pk}:{user.pk}",
            actor=actor,
        )
    if told and entry.notified_at is None:
        entry.notified_at = timezone.now()
        entry.save(update_fields=["notified_at"])
    return told


def _incident_body(entry: LogEntry, user: User) -> str:
    where = entry.library.name + (f", {entry.branch.name}" if entry.branch else "")
    when = timezone.localtime(entry.occurred_at)
    lines = [
        f"Hello {user},",
        "",
        "A security incident was recorded in Bookwarden's operations log (CC-9).",
        "",
        f"Entry: #{entry.pk}",
        f"Kind: {entry.get_kind_display()}",
        f"Severity: {entry.get_severity_display()}",
        f"Where: {where}",
        f"When: {when:%Y-%m-%d %H:%M}",
        f"Patron information may be involved: {'yes' if entry.patron_data_involved else 'no'}",
        "",
        f"Sign in to Bookwarden and open {_entry_path(entry)} to read it and acknowledge it.",
        "This mail carries no details on purpose: read them in Bookwarden.",
    ]
    return "\n".join(lines)


def _backdating(actor: User | None, when: datetime.datetime | None) -> None:
    if when is not None and actor is not None:
        raise ValidationError("Only the command line may record a time other than now.")


# --- reporting and recording ---------------------------------------------------------------


@transaction.atomic
def report_concern(
    *,
    actor: User | None,
    library: Library,
    narrative: str,
    occurred_at: datetime.datetime | None = None,
    branch: Branch | None = None,
    device: str = "",
    patron_data_involved: bool = False,
    kind: str = EntryKind.CONCERN,
    reported_by: User | None = None,
    recorded_at: datetime.datetime | None = None,
) -> LogEntry:
    """CC-2: any member of staff reports what seems wrong, in under a minute.

    The report is a log entry of kind ``concern`` (or one of :data:`REPORT_KINDS`); one
    that is a security incident notifies at once (CC-9)."""
    require(actor, Perm.REPORT_CONCERN, library)
    _backdating(actor, recorded_at)
    if kind not in dict(REPORT_KINDS):
        raise ValidationError({"kind": "Choose one of the kinds offered."})
    narrative = narrative.strip()
    if not narrative:
        raise ValidationError({"narrative": "Say what happened."})
    first_line = narrative.splitlines()[0]
    title = first_line if len(first_line) <= 80 else first_line[:79].rstrip() + "…"
    entry = LogEntry(
        library=library,
        branch=branch,
        kind=kind,
        severity=Severity.MEDIUM,
        title=title,
        narrative=narrative,
        occurred_at=occurred_at or timezone.now(),
        recorded_at=recorded_at or timezone.now(),
        reported_by=actor if actor is not None else reported_by,
        devices=device.strip(),
        patron_data_involved=patron_data_involved,
    )
    _check(entry, [], [])
    entry.save()
    _system_step(entry, "Reported by a member of staff.", actor=entry.reported_by)
    told = _notify(entry, actor)
    record(
        AuditAction.OPS_ENTRY_CREATED,
        actor=actor,
        target=entry,
        library=library,
        after={
            **changes(entry, ["kind", "severity", "status", "branch", "patron_data_involved"]),
            "via": "report",
            "notified": told,
        },
    )
    return entry


@transaction.atomic
def create_entry(
    *,
    actor: User | None,
    library: Library,
    kind: str,
    title: str,
    narrative: str,
    occurred_at: datetime.datetime,
    severity: str = Severity.MEDIUM,
    status: str = EntryStatus.OPEN,
    branch: Branch | None = None,
    affected_branches: Iterable[Branch] = (),
    devices: str = "",
    accounts: Iterable[User] = (),
    preventive_measures: str = "",
    outside_party: bool = False,
    outside_party_name: str = "",
    patron_data_involved: bool = False,
    reported_by: User | None = None,
    recorded_at: datetime.datetime | None = None,
) -> LogEntry:
    """IT-10: record an entry of any kind, with its date, time and detailed narrative.

    ``recorded_at`` and ``reported_by`` are for the command line and the demo only."""
    require(actor, Perm.MANAGE_OPERATIONS, library)
    _backdating(actor, recorded_at)
    if status == EntryStatus.CLOSED:
        raise ValidationError({"status": "Record the entry first, then close it."})
    branches = list(affected_branches)
    people = list(accounts)
    entry = LogEntry(
        library=library,
        branch=branch,
        kind=kind,
        severity=severity,
        status=status,
        title=title.strip(),
        narrative=narrative.strip(),
        occurred_at=occurred_at,
        recorded_at=recorded_at or timezone.now(),
        reported_by=actor if actor is not None else reported_by,
        devices=devices.strip(),
        preventive_measures=preventive_measures.strip(),
        outside_party=outside_party,
        outside_party_name=outside_party_name.strip() if outside_party else "",
        patron_data_involved=patron_data_involved,
    )
    _check(entry, branches, people)
    entry.save()
    entry.affected_branches.set(branches)
    entry.accounts.set(people)
    told = _notify(entry, actor)
    record(
        AuditAction.OPS_ENTRY_CREATED,
        actor=actor,
        target=entry,
        library=library,
        after={
            **changes(entry, _AUDITED),
            "affected_branches": sorted(b.pk for b in branches),
            "accounts": sorted(u.pk for u in people),
            "notified": told,
        },
    )
    return entry


@transaction.atomic
def update_entry(
    *,
    actor: User | None,
    entry: LogEntry,
    affected_branches: Iterable[Branch] | None = None,
    accounts: Iterable[User] | None = None,
    **fields: Any,
) -> LogEntry:
    """Change an open entry (IT-10).  A closed entry is refused: corrections are timeline
    notes (:func:`add_step` with ``kind="correction"``).  Classifying an entry as a security
    incident notifies at once (CC-9); each change of kind, severity or status is also a
    line of the timeline."""
    require(actor, Perm.MANAGE_OPERATIONS, entry.library_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    entry = (
        LogEntry.objects.select_for_update(of=("self",)).select_related("library").get(pk=entry.pk)
    )
    _closed_refused(entry)
    if fields.get("status") == EntryStatus.CLOSED:
        raise ValidationError({"status": "Close the entry with the Close button."})
    before = changes(entry, _AUDITED)
    before_text = {f: getattr(entry, f) for f in _TEXT_FIELDS}
    before_branches = sorted(entry.affected_branches.values_list("pk", flat=True))
    before_accounts = sorted(entry.accounts.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(
            entry, name, value.strip() if isinstance(value, str) and name in _TEXT_FIELDS else value
        )
    if not entry.outside_party:
        entry.outside_party_name = ""
    branches = list(affected_branches) if affected_branches is not None else None
    people = list(accounts) if accounts is not None else None
    _check(entry, branches or [], people or [])
    entry.save()
    if branches is not None:
        entry.affected_branches.set(branches)
    if people is not None:
        entry.accounts.set(people)
    after = changes(entry, _AUDITED)
    after_branches = sorted(entry.affected_branches.values_list("pk", flat=True))
    after_accounts = sorted(entry.accounts.values_list("pk", flat=True))
    changed_text = sorted(f for f in _TEXT_FIELDS if getattr(entry, f) != before_text[f])
    for name, label, choices in (
        ("kind", "Kind", EntryKind),
        ("severity", "Severity", Severity),
        ("status", "Status", EntryStatus),
    ):
        if before[name] != after[name]:
            labels = dict(choices.choices)
            _system_step(
                entry,
                f"{label} changed from {labels.get(before[name], before[name])} "
                f"to {labels.get(after[name], after[name])}.",
                actor=actor,
            )
    told = _notify(entry, actor)
    diff_before = {k: v for k, v in before.items() if after[k] != v}
    diff_after = {k: after[k] for k in diff_before}
    if before_branches != after_branches:
        diff_before["affected_branches"], diff_after["affected_branches"] = (
            before_branches,
            after_branches,
        )
    if before_accounts != after_accounts:
        diff_before["accounts"], diff_after["accounts"] = before_accounts, after_accounts
    if changed_text:
        diff_after["changed_text"] = changed_text
    if told:
        diff_after["notified"] = told
    if diff_after:
        record(
            AuditAction.OPS_ENTRY_UPDATED,
            actor=actor,
            target=entry,
            library=entry.library_id,
            before=diff_before,
            after=diff_after,
        )
    return entry


@transaction.atomic
def add_step(*, actor: Any, entry: LogEntry, text: str, kind: str = "step") -> TimelineStep:
    """Append one line to an entry's timeline (IT-10, IT-9): who, when, what.

    The public action other apps call (enforcement, breach handling).  Allowed to those who
    run the log and to those who run a part of the handling (:data:`STEP_PERMS`); on a
    closed entry only notes and corrections are accepted.  ``system`` steps are Bookwarden's
    own."""
    if actor is not None and not any(has_perm(actor, p, entry.library_id) for p in STEP_PERMS):
        raise PermissionDenied(f"{actor} may not add steps to this entry.")
    if kind not in (StepKind.STEP, StepKind.NOTE, StepKind.CORRECTION):
        raise ValidationError({"kind": "Choose a step, a note or a correction."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what was done or noticed."})
    locked = LogEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status == EntryStatus.CLOSED and kind not in AFTER_CLOSE_KINDS:
        raise ValidationError(
            {"kind": "This entry is closed: only a note or a correction can be added."}
        )
    step = TimelineStep.objects.create(entry=locked, actor=actor, text=text, kind=kind)
    record(
        AuditAction.OPS_STEP_ADDED,
        actor=actor,
        target=locked,
        library=locked.library_id,
        after={"step": step.pk, "kind": kind},
    )
    return step


@transaction.atomic
def add_step_as_of(
    *, entry: LogEntry, text: str, at: datetime.datetime, by: User | None, kind: str = "step"
) -> TimelineStep:
    """The command line and the demo: a step taken earlier, written down now by the
    installation on behalf of ``by``."""
    if kind not in (StepKind.STEP, StepKind.NOTE, StepKind.CORRECTION):
        raise ValidationError({"kind": "Choose a step, a note or a correction."})
    step = TimelineStep.objects.create(entry=entry, actor=by, text=text.strip(), kind=kind, at=at)
    record(
        AuditAction.OPS_STEP_ADDED,
        actor=None,
        target=entry,
        library=entry.library_id,
        after={"step": step.pk, "kind": kind, "backdated": True},
    )
    return step


@transaction.atomic
def close_entry(
    *,
    actor: User | None,
    entry: LogEntry,
    summary: str = "",
    at: datetime.datetime | None = None,
) -> LogEntry:
    """IT-10: the date completed or closed.  An incident closes only with its recommended
    preventive measures written down (CC-9).  ``at`` is for the command line and the demo."""
    require(actor, Perm.MANAGE_OPERATIONS, entry.library_id)
    _backdating(actor, at)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    _closed_refused(entry)
    if entry.kind in INCIDENT_KINDS and not entry.preventive_measures.strip():
        raise ValidationError(
            "Write down the recommended preventive measures before closing an incident (CC-9)."
        )
    if entry.needs_password_change:
        raise ValidationError(
            "Passwords must change after the outside access first (IT-4): "
            "record that they were changed, then close."
        )
    before = changes(entry, ["status", "closed_at"])
    summary = summary.strip()
    if summary:
        TimelineStep.objects.create(entry=entry, actor=actor, text=summary, kind=StepKind.STEP)
    entry.status = EntryStatus.CLOSED
    entry.closed_at = at or timezone.now()
    entry.save(update_fields=["status", "closed_at"])
    TimelineStep.objects.create(
        entry=entry, actor=actor, text="Entry closed.", kind=StepKind.SYSTEM, at=entry.closed_at
    )
    record(
        AuditAction.OPS_ENTRY_CLOSED,
        actor=actor,
        target=entry,
        library=entry.library_id,
        before=before,
        after=changes(entry, ["status", "closed_at"]),
    )
    return entry


@transaction.atomic
def add_attachment(*, actor: User | None, entry: LogEntry, upload: UploadedFile) -> Attachment:
    """Evidence for an entry (IT-10), stored with its SHA-256, at most 10 MB."""
    require(actor, Perm.MANAGE_OPERATIONS, entry.library_id)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    _closed_refused(entry)
    incoming = take_in(
        upload, max_bytes=MAX_ATTACHMENT_BYTES, field="file", default_name="attachment"
    )
    name, size = incoming.name, incoming.size
    attachment = Attachment(
        entry=entry,
        filename=name,
        content_type=(upload.content_type or "application/octet-stream")[:100],
        size=size,
        sha256=incoming.sha256,
        uploaded_by=actor,
    )
    path = f"operations/{entry.library_id}/{attachment.sha256[:2]}/{attachment.sha256}"
    storage = attachment.file.storage
    if storage.exists(path):
        attachment.file.name = path  # the same content is stored once
    else:
        attachment.file.save(path, File(upload), save=False)
    attachment.save()
    record(
        AuditAction.OPS_ATTACHMENT_ADDED,
        actor=actor,
        target=entry,
        library=entry.library_id,
        after={"attachment": attachment.pk, "sha256": attachment.sha256, "size": size},
    )
    return attachment


# --- incidents: acknowledgement and escalation (CC-9) ---------------------------------------


@transaction.atomic
def acknowledge(*, actor: User, entry: LogEntry) -> Acknowledgement:
    """Someone told of an incident says they have read it (CC-9).  Once per person."""
    require(actor, Perm.ACKNOWLEDGE_INCIDENTS, entry.library_id)
    if actor is None or not IncidentNotice.objects.filter(entry=entry, user=actor).exists():
        raise PermissionDenied("Only those told of this incident acknowledge it.")
    existing = Acknowledgement.objects.filter(entry=entry, user=actor).first()
    if existing is not None:
        return existing
    ack = Acknowledgement.objects.create(entry=entry, user=actor)
    _system_step(entry, f"Acknowledged by {actor}.", actor=actor)
    record(
        AuditAction.OPS_ACKNOWLEDGED,
        actor=actor,
        target=entry,
        library=entry.library_id,
        after={"acknowledgement": ack.pk},
    )
    return ack


def escalation_minutes(library_id: int) -> int:
    row = OperationsSettings.objects.filter(library_id=library_id).first()
    return row.escalation_minutes if row else DEFAULT_ESCALATION_MINUTES


def escalate_unacknowledged(*, now: datetime.datetime | None = None) -> int:
    """The ``escalation`` job: an incident nobody has acknowledged within the library's
    escalation time is mailed again, once, to the director and everyone told.  Returns how
    many incidents were escalated."""
    now = now or timezone.now()
    candidates = list(
        LogEntry.objects.filter(
            kind__in=INCIDENT_KINDS,
            notified_at__isnull=False,
            notified_at__lte=now - datetime.timedelta(minutes=5),
            escalated_at__isnull=True,
        )
        .exclude(status=EntryStatus.CLOSED)
        .exclude(acknowledgements__isnull=False)
        .values_list("pk", "library_id", "notified_at")
    )
    minutes: dict[int, int] = {}
    done = 0
    for pk, library_id, notified_at in candidates:
        if library_id not in minutes:
            minutes[library_id] = escalation_minutes(library_id)
        if notified_at + datetime.timedelta(minutes=minutes[library_id]) > now:
            continue
        if _escalate(pk, minutes[library_id], now):
            done += 1
    return done


@transaction.atomic
def _escalate(pk: int, minutes: int, now: datetime.datetime) -> bool:
    entry = LogEntry.objects.select_for_update(of=("self",)).select_related("library").get(pk=pk)
    if (
        entry.escalated_at is not None
        or entry.status == EntryStatus.CLOSED
        or entry.acknowledgements.exists()
    ):
        return False  # another run got there first, or someone acknowledged meanwhile
    directors = [
        m.user
        for m in Membership.objects.active()
        .filter(library_id=entry.library_id, role=Role.DIRECTOR)
        .select_related("user")
    ]
    told = [n.user for n in entry.notices.select_related("user")]
    people = {u.pk: u for u in [*directors, *told]}
    addresses = sorted({u.email.strip() for u in people.values() if (u.email or "").strip()})
    if addresses:
        queue_mail(
            to=addresses,
            subject=f"Not yet acknowledged: security incident #{entry.pk} at {entry.library.name}",
            body="\n".join(
                [
                    f"Security incident #{entry.pk} ({entry.get_kind_display()}, "
                    f"{entry.get_severity_display().lower()}) was reported {minutes} minutes "
                    "ago or more, and nobody has acknowledged it yet (CC-9).",
                    "",
                    f"Sign in to Bookwarden and open {_entry_path(entry)}: read it, act on it, "
                    "and acknowledge it.",
                ]
            ),
            reason="operations.escalation",
            library=entry.library_id,
            about=entry,
            dedupe_key=f"operations.escalation:{entry.pk}",
        )
    entry.escalated_at = now
    entry.save(update_fields=["escalated_at"])
    _system_step(
        entry,
        f"Nobody acknowledged this incident within {minutes} minutes: escalated to the "
        "director and everyone told.",
    )
    record(
        AuditAction.OPS_ESCALATED,
        target=entry,
        library=entry.library_id,
        after={"minutes": minutes, "recipients": sorted(people)},
    )
    return True


# --- outside maintenance (IT-4) -------------------------------------------------------------


@transaction.atomic
def resolve_outside_access(*, actor: User | None, entry: LogEntry, note: str = "") -> LogEntry:
    """IT-4: the passwords affected by an outside party's access have been changed."""
    require(actor, Perm.MANAGE_OPERATIONS, entry.library_id)
    entry = LogEntry.objects.select_for_update().get(pk=entry.pk)
    if not entry.outside_party:
        raise ValidationError("Nobody from outside had access in this entry.")
    if entry.outside_access_resolved_at is not None:
        raise ValidationError("The passwords were already recorded as changed.")
    entry.outside_access_resolved_at = timezone.now()
    entry.outside_access_resolved_by = actor
    entry.save(update_fields=["outside_access_resolved_at", "outside_access_resolved_by"])
    text = "Passwords changed after the outside access (IT-4)."
    if note.strip():
        text += " " + note.strip()
    TimelineStep.objects.create(entry=entry, actor=actor, text=text, kind=StepKind.STEP)
    record(
        AuditAction.OPS_OUTSIDE_ACCESS_RESOLVED,
        actor=actor,
        target=entry,
        library=entry.library_id,
        after={"outside_access_resolved_at": entry.outside_access_resolved_at},
    )
    return entry


# --- settings and export ----------------------------------------------------------------------


@transaction.atomic
def update_settings(
    *,
    actor: User | None,
    library: Library,
    escalation_minutes: int,
    target_days: dict[str, dict[str, int]],
) -> OperationsSettings:
    """IT-7: the library's escalation time and timeliness targets (the director)."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    row, _ = OperationsSettings.objects.select_for_update().get_or_create(library=library)
    overrides: dict[str, dict[str, int]] = {}
    for category, per_severity in target_days.items():
        if category not in DEFAULT_TARGET_DAYS:
            raise ValidationError(f"Unknown category {category!r}.")
        for severity, days in per_severity.items():
            if severity not in Severity.values:
                raise ValidationError(f"Unknown severity {severity!r}.")
            if not isinstance(days, int) or not 0 < days <= MAX_TARGET_DAYS:
                raise ValidationError(f"Targets are 1 to {MAX_TARGET_DAYS} days.")
            if DEFAULT_TARGET_DAYS[category][severity] != days:
                overrides.setdefault(category, {})[severity] = days
    before = {"escalation_minutes": row.escalation_minutes, "target_days": row.target_days}
    row.escalation_minutes = escalation_minutes
    row.target_days = overrides
    row.full_clean(exclude=["library"])
    row.save()
    after = {"escalation_minutes": row.escalation_minutes, "target_days": row.target_days}
    record(
        AuditAction.OPS_SETTINGS_CHANGED,
        actor=actor,
        target=row,
        library=library,
        before=before,
        after=after,
    )
    return row


def record_export(
    *, actor: User, library_ids: list[int], filters: dict[str, Any], rows: int
) -> None:
    """IT-10: an export of the log is itself on record (filters and row count only)."""
    with transaction.atomic():
        record(
            AuditAction.OPS_EXPORTED,
            actor=actor,
            library=library_ids[0] if len(library_ids) == 1 else None,
            after={"filters": filters, "rows": rows, "libraries": library_ids},
        )
