"""``bookwarden backup restore FILE``: a backup back into an empty database (CR-6a, LV-3).

The order is what makes it safe:

1. the target database must be empty (nothing but what ``migrate`` puts in a new one) and
   MEDIA_ROOT must hold no file: a restore never overwrites anything;
2. the whole file is decrypted and checked, and restored into a scratch database, whose
   audit log and row counts are checked as ``backup verify`` does; a refusal here leaves
   the target untouched;
3. in the scratch database, migrations newer than the backup are applied, then the
   retention run (:func:`bookwarden.patrons.retention.run_retention`, the same as the daily
   job) removes every record whose time was up while the backup waited, and every session
   is deleted (nobody stays signed in from the time of the backup);
4. only then is the scratch database copied into the target, and the stored files put
   back; so the target never holds, even for a moment, a record that retention removes, and
   nobody can sign in before retention has run;
5. the restore is recorded in the restored audit log (``backup.restored``), after the
   retention run's own events.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from bookwarden.patrons.retention import run_retention

from . import actions
from .checking import check_restored_database, decrypt_into, file_sha256
from .container import DATABASE_PART, FILES_PREFIX
from .crypto import BackupRefused, read_key_file
from .database import (
    copy_database,
    engine_of,
    live_settings,
    non_empty_tables,
    scratch_database,
    use_database,
)

NAMED = 5


@dataclass
class RestoreResult:
    file_name: str
    audit_events: int
    tables: int
    stored_files: int
    migrations_applied: int
    retention_run: int
    retention_counts: dict[str, int]
    sessions_deleted: int


def _refuse_unless_empty(target: dict[str, Any], media_root: Path) -> None:
    busy = non_empty_tables(target)
    if busy:
        named = ", ".join(busy[:NAMED]) + (
            f" and {len(busy) - NAMED} more" if len(busy) > NAMED else ""
        )
        raise BackupRefused(
            f"The database is not empty ({len(busy)} tables hold rows: {named}). A backup is "
            "restored only into an empty database, so that nothing is overwritten: create a "
            "new database (bookwarden migrate may have run on it) and restore into that."
        )
    if media_root.is_dir() and any(p.is_file() for p in media_root.rglob("*")):
        raise BackupRefused(
            f"The folder of stored files ({media_root}) is not empty. A backup is restored "
            "only into an empty installation, so that no file is overwritten."
        )


def _unknown_migrations(migrations: list[list[str]]) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in migrations if (app, name) not in known)


def _put_back_files(work: Path, media_root: Path) -> int:
    source = work / FILES_PREFIX.rstrip("/")
    if not source.is_dir():
        return 0
    count = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = media_root / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(path), target)
        count += 1
    return count


def restore_backup(
    path: Path | str,
    *,
    key_file: Path | str | None = None,
    target: dict[str, Any] | None = None,
    actor: Any = None,
) -> RestoreResult:
    """Restore ``path`` into ``target`` (the configured database by default), which must be
    empty.  Raises ``BackupRefused``, having changed nothing, when it cannot."""
    path = Path(path)
    key = read_key_file(key_file or settings.BACKUP_KEY_FILE)
    target = target or live_settings()
    engine = engine_of(target)
    media_root = Path(settings.MEDIA_ROOT)
    _refuse_unless_empty(target, media_root)
    try:
        sha256, size = file_sha256(path)
    except OSError as exc:
        raise BackupRefused(f"{path} cannot be read: {exc.strerror or exc}.") from None
    with tempfile.TemporaryDirectory(prefix="bookwarden-restore-") as folder:
        work = Path(folder)
        manifest = decrypt_into(path, key, work)
        if manifest.engine != engine:
            raise BackupRefused(
                f"{path.name} is a backup of a {manifest.engine} database; this installation "
                f"uses {engine}."
            )
        unknown = _unknown_migrations(manifest.migrations)
        if unknown:
            raise BackupRefused(
                f"{path.name} was made by a newer version of Bookwarden (it has migrations "
                f"this version does not know: {', '.join(unknown[:NAMED])}). Install that "
                "version or a later one, then restore."
            )
        with scratch_database(engine, work / DATABASE_PART) as scratch:
            with use_database(scratch):
                restored = check_restored_database(manifest, path.name)
                known = {tuple(m) for m in manifest.migrations}
                loader = MigrationLoader(None, ignore_no_migrations=True)
                newer = [m for m in loader.disk_migrations if m not in known]
                if newer:
                    call_command("migrate", interactive=False, verbosity=0)
                run = run_retention()
                sessions_deleted, _ = Session.objects.all().delete()
            connections["default"].close()
            copy_database(engine, scratch, target)
        stored = _put_back_files(work, media_root)
    result = RestoreResult(
        file_name=path.name,
        audit_events=restored.audit_events,
        tables=restored.tables,
        stored_files=stored,
        migrations_applied=len(newer),
        retention_run=run.pk,
        retention_counts={k: v for k, v in run.counts.items() if v},
        sessions_deleted=sessions_deleted,
    )
    with use_database(target):
        actions.record_restore(
            actor=actor,
            details={
                "file": path.name,
                "sha256": sha256,
                "size": size,
                "backup_made_at": manifest.created_at,
                "backup_audit_seq": manifest.audit_head.get("seq"),
                "migrations_applied": result.migrations_applied,
                "retention_run": run.pk,
                "retention_counts": result.retention_counts,
                "sessions_deleted": sessions_deleted,
                "stored_files": stored,
            },
        )
    return result
