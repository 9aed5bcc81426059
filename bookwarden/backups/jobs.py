"""The backups' periodic jobs (discovered by :mod:`bookwarden.jobs`; CR-6a, CC-8).

Their output is read by the installation role: file names, sizes and counts, never a
library's records.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat

from bookwarden.jobs.registry import periodic

from .checking import verify_backup
from .keeping import backups_in, delete_old_backups
from .making import create_backup
from .models import BackupOrigin, CheckKind

NOT_CONFIGURED = (
    "Backups are not configured: set BOOKWARDEN_BACKUP_DIR (the folder) and "
    "BOOKWARDEN_BACKUP_KEY_FILE (the key). No backup was made."
)


class BackupDrillFailed(Exception):
    """The newest backup did not pass its check (recorded as a failed check)."""


def backups_configured() -> bool:
    return bool(settings.BACKUP_DIR)


@periodic(
    "backup",
    title="Nightly backup",
    every=datetime.timedelta(days=1),
    description="Make an encrypted backup of the database and the stored files.",
)
def backup() -> str:
    if not backups_configured():
        return NOT_CONFIGURED
    made = create_backup(settings.BACKUP_DIR or "", origin=BackupOrigin.JOB)
    return f"Backup {made.record.file_name} made ({filesizeformat(made.record.size)})."


@periodic(
    "backup-drill",
    title="Monthly restore drill",
    every=datetime.timedelta(days=30),
    description="Restore the newest backup into a scratch database and check it.",
)
def backup_drill() -> str:
    if not backups_configured():
        return NOT_CONFIGURED.replace("No backup was made.", "Nothing to check.")
    found = backups_in(Path(settings.BACKUP_DIR or ""))
    if not found:
        raise BackupDrillFailed("There is no backup in the backup folder to check.")
    _made, newest = found[-1]
    check = verify_backup(newest, kind=CheckKind.DRILL)
    if not check.ok:
        raise BackupDrillFailed(check.failure)
    return (
        f"{newest.name} restored and checked: {check.tables} tables, "
        f"{check.audit_events} audit events, {check.stored_files} stored files."
    )


@periodic(
    "backup-retention",
    title="Deletion of old backups",
    every=datetime.timedelta(days=1),
    description="Delete the backups older than the days they are kept.",
)
def backup_retention() -> str:
    if not backups_configured():
        return NOT_CONFIGURED.replace("No backup was made.", "Nothing to delete.")
    kept = delete_old_backups()
    return (
        f"{len(kept.deleted)} backup(s) older than {settings.BACKUP_KEEP_DAYS} days deleted; "
        f"{kept.kept} kept."
    )
