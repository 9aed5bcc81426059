"""Every write of the backups app, each with its audit event in the same transaction.

All of them are the installation's work: ``actor=None`` is the command line or the job loop;
a person must hold ``run_jobs`` through the installation role (no library role grants it).
The events name files, sizes, hashes and counts, never a record's contents.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.permissions import require_installation
from bookwarden.core.roles import Perm

from .models import BackupCheck, BackupRecord


@transaction.atomic
def record_backup_made(*, actor: Any = None, **fields: Any) -> BackupRecord:
    require_installation(actor, Perm.RUN_JOBS)
    backup = BackupRecord.objects.create(**fields)
    record(
        AuditAction.BACKUP_CREATED,
        actor=actor,
        target=backup,
        after={
            "file": backup.file_name,
            "size": backup.size,
            "sha256": backup.sha256,
            "audit_seq": backup.audit_seq,
            "stored_files": backup.stored_files,
            "origin": backup.origin,
        },
    )
    return backup


@transaction.atomic
def record_backup_check(*, actor: Any = None, **fields: Any) -> BackupCheck:
    require_installation(actor, Perm.RUN_JOBS)
    sha256 = fields.get("sha256") or ""
    backup = BackupRecord.objects.filter(sha256=sha256).first() if sha256 else None
    check = BackupCheck.objects.create(backup=backup, **fields)
    record(
        AuditAction.BACKUP_CHECKED,
        actor=actor,
        target=check,
        after={
            "file": check.file_name,
            "sha256": check.sha256,
            "kind": check.kind,
            "ok": check.ok,
            "failure": check.failure,
            "audit_events": check.audit_events,
            "tables": check.tables,
        },
    )
    return check


@transaction.atomic
def record_backup_deleted(
    *, actor: Any = None, file_name: str, folder: str, made_at: datetime.datetime, note: str
) -> BackupRecord | None:
    """The deletion of an old backup file (already removed from the disk), on its record;
    a file the installation has no record of (made elsewhere, or before a restore) is
    recorded by its name in the event alone."""
    require_installation(actor, Perm.RUN_JOBS)
    backup = (
        BackupRecord.objects.select_for_update()
        .filter(file_name=file_name, folder=folder, deleted_at__isnull=True)
        .first()
    )
    if backup is not None:
        backup.deleted_at = timezone.now()
        backup.deletion_note = note
        backup.save(update_fields=["deleted_at", "deletion_note"])
    record(
        AuditAction.BACKUP_DELETED,
        actor=actor,
        target=backup,
        after={"file": file_name, "made_at": made_at.isoformat(), "note": note},
    )
    return backup


@transaction.atomic
def record_restore(*, actor: Any = None, details: dict[str, Any]) -> None:
    """In the restored database, once it is in place: what was restored and what the
    retention run before it removed."""
    require_installation(actor, Perm.RUN_JOBS)
    record(AuditAction.BACKUP_RESTORED, actor=actor, after=details)
