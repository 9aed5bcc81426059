"""The backups' jobs (CR-6a, CC-8): the nightly backup (or a plain "not configured"), the
deletion of backups older than the days they are kept, each deletion recorded, and the
monthly restore drill, whose result is recorded as evidence."""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.backups.jobs import (
    NOT_CONFIGURED,
    BackupDrillFailed,
    backup_drill,
    backup_retention,
)
from bookwarden.backups.jobs import backup as nightly_backup
from bookwarden.backups.making import backup_name
from bookwarden.backups.models import BackupCheck, BackupOrigin, BackupRecord, CheckKind

# Committed rows, as on a server: a backup is taken outside any transaction.
pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.timedelta(days=1)


@pytest.fixture
def backup_dir(tmp_path: Path, settings, backup_key) -> Path:
    settings.BACKUP_DIR = str(tmp_path / "backups")
    settings.BACKUP_KEEP_DAYS = 30
    return tmp_path / "backups"


def test_not_configured_is_said_plainly(people, settings, tmp_path) -> None:
    settings.BACKUP_DIR = None
    assert nightly_backup() == NOT_CONFIGURED
    assert "not configured" in backup_drill() and "not configured" in backup_retention()
    assert not BackupRecord.objects.exists()


def test_the_nightly_backup_makes_and_records_one(people, backup_dir) -> None:
    output = nightly_backup()
    backup = BackupRecord.objects.get()
    assert output.startswith(f"Backup {backup.file_name} made (")
    assert backup.origin == BackupOrigin.JOB and (backup_dir / backup.file_name).is_file()
    assert backup.folder == str(backup_dir.resolve())


def test_old_backups_are_deleted_and_each_deletion_recorded(people, backup_dir) -> None:
    now = timezone.now()
    for age in (45, 31, 29):
        with time_machine.travel(now - age * DAY, tick=False):
            nightly_backup()
    # One made elsewhere long ago (no record here), and a temporary file a dead backup left.
    stray = backup_dir / backup_name(now - 60 * DAY)
    stray.write_bytes(b"old")
    partial = backup_dir / f".{backup_name(now - 2 * DAY)}.partial"
    partial.write_bytes(b"half")
    os.utime(partial, (time.time() - 2 * 86400,) * 2)

    output = backup_retention()

    assert output == "3 backup(s) older than 30 days deleted; 1 kept."
    kept = BackupRecord.objects.filter(deleted_at__isnull=True).get()
    assert sorted(p.name for p in backup_dir.iterdir()) == [kept.file_name]
    deleted = BackupRecord.objects.filter(deleted_at__isnull=False)
    assert deleted.count() == 2 and {b.deletion_note for b in deleted} == {"Older than 30 days"}
    events = AuditEvent.objects.filter(action=AuditAction.BACKUP_DELETED)
    assert sorted(e.after["file"] for e in events) == sorted(
        [stray.name, *(b.file_name for b in deleted)]
    )
    # Run twice: nothing more to delete, nothing recorded twice.
    assert backup_retention() == "0 backup(s) older than 30 days deleted; 1 kept."
    assert events.count() == 3


def test_the_drill_records_its_result(people, backup_dir) -> None:
    nightly_backup()
    output = backup_drill()
    check = BackupCheck.objects.get()
    assert check.ok and check.kind == CheckKind.DRILL and check.backup == BackupRecord.objects.get()
    assert output.startswith(f"{check.file_name} restored and checked: ")

    newest = backup_dir / check.file_name
    data = bytearray(newest.read_bytes())
    data[-40] ^= 0xFF
    newest.write_bytes(bytes(data))
    with pytest.raises(BackupDrillFailed, match="changed or damaged"):
        backup_drill()
    failed = BackupCheck.objects.order_by("-pk").first()
    assert (
        not failed.ok and failed.kind == CheckKind.DRILL and "changed or damaged" in failed.failure
    )
    assert AuditEvent.objects.filter(action=AuditAction.BACKUP_CHECKED).count() == 2
