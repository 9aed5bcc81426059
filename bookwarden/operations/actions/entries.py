"""Entries of the security operations log (IT-10, CC-2, IT-4): a concern reported by any
member of staff, an entry recorded and updated by those who run the log, its evidence files,
the passwords changed after an outside party's access, closing it, and exporting the log.
An entry that is a security incident tells everyone who must hear of it (:mod:`.incidents`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import take_in
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from ..hooks import outside_access_recorded
from ..models import (
    INCIDENT_KINDS,
    Attachment,
    EntryKind,
    EntryStatus,
    LogEntry,
    Severity,
    StepKind,
    TimelineStep,
)
from .incidents import notify_of_incident
from .timeline import system_step

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
        errors["outside_party_name"] = "Say who had access: name and company."
    if errors:
        raise ValidationError(errors)
    entry.full_clean(exclude=["library", "branch", "reported_by", "outside_access_resolved_by"])


def _backdating(actor: User | None, when: datetime.datetime | None) -> None:
    if when is not None and actor is not None:
        raise ValidationError("Only the command line may record a time other than now.")


def _reported_with(actor: User | None, submission_token: str) -> LogEntry | None:
    """The report ``actor`` already made with the form of ``submission_token``, if any."""
    if actor is None or not submission_token:
        return None
    earlier = LogEntry.objects.filter(reported_by=actor, submission_token=submission_token).first()
    if earlier is not None:
        earlier.resubmitted = True
    return earlier


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
    submission_token: str = "",
) -> LogEntry:
    """CC-2: any member of staff reports what seems wrong, in under a minute.

    The report is a log entry of kind ``concern`` (or one of :data:`REPORT_KINDS`); one
    that is a security incident notifies at once (CC-9).

    ``submission_token`` is the one-time token of the form the report came from: the same
    form sent again (a double tap, a page sent twice) returns the report it already made,
    with ``resubmitted`` set, and writes nothing."""
    require(actor, Perm.REPORT_CONCERN, library)
    _backdating(actor, recorded_at)
    if (earlier := _reported_with(actor, submission_token)) is not None:
        return earlier
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
        submission_token=submission_token if actor is not None else "",
    )
    _check(entry, [], [])
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # The same form, sent twice at once: the other request made the report.
        if (earlier := _reported_with(actor, submission_token)) is not None:
            return earlier
        raise
    system_step(entry, "Reported by a member of staff.", actor=entry.reported_by)
    told = notify_of_incident(entry, actor)
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
    told = notify_of_incident(entry, actor)
    outside_access_recorded(entry)  # IT-4: the shared logins it names change now
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
            system_step(
                entry,
                f"{label} changed from {labels.get(before[name], before[name])} "
                f"to {labels.get(after[name], after[name])}.",
                actor=actor,
            )
    told = notify_of_incident(entry, actor)
    outside_access_recorded(entry)  # IT-4: the shared logins it names change now
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
            "Write down the recommended preventive measures before closing an incident."
        )
    if entry.needs_password_change:
        raise ValidationError(
            "Passwords must change after the outside access first: "
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
    text = "Passwords changed after the outside access."
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
