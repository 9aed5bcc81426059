"""How long backups are kept (CR-6a): a backup holds patron records that retention has
removed since it was made, so a backup is itself kept only ``BOOKWARDEN_BACKUP_KEEP_DAYS``
days (30 by default), then deleted, and each deletion recorded.

Only the backup folder is looked after: a file there with a backup's name
(``bookwarden-backup-<UTC time>.bwbackup``) is as old as the time in its name.  A copy made
elsewhere (``backup create --to``) is the responsibility of whoever made it, and the pages
show it until it is recorded deleted.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from . import actions
from .making import PARTIAL, made_at
from .models import BackupRecord

#: A temporary ``.partial`` file left by a backup that died is removed after this long.
STALE_PARTIAL = datetime.timedelta(days=1)


@dataclass
class Kept:
    deleted: list[str] = field(default_factory=list)
    kept: int = 0
    partials_removed: int = 0


def backups_in(folder: Path) -> list[tuple[datetime.datetime, Path]]:
    """The backups of ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    found = [(made, path) for path in folder.iterdir() if (made := made_at(path.name))]
    return sorted(found)


def delete_old_backups(
    folder: Path | str | None = None, *, keep_days: int | None = None, actor: Any = None
) -> Kept:
    """Delete the backups of the folder older than ``keep_days``, recording each deletion;
    safe to run twice or to interrupt (a file already gone is recorded as gone)."""
    folder = Path(folder or settings.BACKUP_DIR or "")
    keep_days = keep_days or settings.BACKUP_KEEP_DAYS
    now = timezone.now()
    cutoff = now - datetime.timedelta(days=keep_days)
    note = f"Older than {keep_days} days"
    outcome = Kept()
    where = str(folder.resolve())
    for made, path in backups_in(folder):
        if made > cutoff:
            outcome.kept += 1
            continue
        path.unlink(missing_ok=True)
        actions.record_backup_deleted(
            actor=actor, file_name=path.name, folder=where, made_at=made, note=note
        )
        outcome.deleted.append(path.name)
    # Records of this folder's backups whose file is no longer there (deleted by hand).
    gone = BackupRecord.objects.filter(
        folder=where, deleted_at__isnull=True, created_at__lte=cutoff
    )
    for backup in gone:
        if not (folder / backup.file_name).exists():
            actions.record_backup_deleted(
                actor=actor,
                file_name=backup.file_name,
                folder=where,
                made_at=backup.created_at,
                note=f"{note}; the file was no longer in the folder",
            )
            outcome.deleted.append(backup.file_name)
    if folder.is_dir():
        for path in folder.glob(f".*{PARTIAL}"):
            if time.time() - path.stat().st_mtime > STALE_PARTIAL.total_seconds():
                path.unlink(missing_ok=True)
                outcome.partials_removed += 1
    return outcome
