"""Backup, verify and restore, round trip, with stored files (CR-6a, CC-8, LV-3): on SQLite,
and on PostgreSQL with pg_dump and pg_restore."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from django.db import connection

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.verify import verify_chain
from bookwarden.backups.checking import verify_backup
from bookwarden.backups.database import facts_of_current_database, use_database
from bookwarden.backups.making import create_backup
from bookwarden.backups.models import BackupCheck, BackupRecord
from bookwarden.backups.restoring import restore_backup
from bookwarden.patrons.models import Patron

from .conftest import STORED, new_server_files

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="DATABASE_URL is not PostgreSQL"
)


def _round_trip(tmp_path: Path, settings, restore_target) -> None:
    head = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    events_in_backup = AuditEvent.objects.count()
    made = create_backup(tmp_path / "backups")
    path = made.path
    # One file, complete, private, named as a backup; no temporary file left beside it.
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert made.manifest.tables["patrons_patron"] == Patron.objects.count() > 0
    assert made.manifest.audit_head == head and made.record.audit_seq == head["seq"]
    assert {p.name for p in made.manifest.files} == {f"files/{n}" for n in STORED}
    assert BackupRecord.objects.get().sha256 == made.record.sha256
    assert AuditEvent.objects.order_by("-seq").first().action == AuditAction.BACKUP_CREATED
    # Nothing of the database is readable in the file.
    assert b"CREATE TABLE" not in path.read_bytes() and b"SQLite format" not in path.read_bytes()

    check = verify_backup(path)
    assert check.ok, check.failure
    assert check.pk and check.backup == made.record
    assert check.stored_files == len(STORED) and check.audit_events == events_in_backup
    assert AuditEvent.objects.order_by("-seq").first().action == AuditAction.BACKUP_CHECKED

    patrons = sorted(Patron.objects.values_list("pk", "last_name"))
    media = new_server_files(settings, tmp_path)
    result = restore_backup(path, target=restore_target)
    assert result.stored_files == len(STORED)
    for name, data in STORED.items():
        assert (media / name).read_bytes() == data
    with use_database(restore_target):
        assert sorted(Patron.objects.values_list("pk", "last_name")) == patrons
        chain = verify_chain()
        assert chain.ok, chain.reason
        last = AuditEvent.objects.order_by("-seq").first()
        assert last.action == AuditAction.BACKUP_RESTORED
        assert last.after["sha256"] == made.record.sha256
        # The backup is recorded after its snapshot, and checked later: neither is in it.
        assert not BackupRecord.objects.exists() and not BackupCheck.objects.exists()
        assert (
            facts_of_current_database().tables["patrons_loan"]
            == made.manifest.tables["patrons_loan"]
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="DATABASE_URL is not SQLite")
@pytest.mark.django_db(transaction=True)
def test_round_trip_on_sqlite(
    demo_patrons, backup_key, stored_files, restore_target, tmp_path, settings
) -> None:
    """The online backup API, a scratch copy, then a new, empty database file.  (Committed
    rows, as on a server: a backup is taken outside any transaction.)"""
    _round_trip(tmp_path, settings, restore_target)


@on_postgres
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_round_trip_on_postgresql(
    demo_patrons, backup_key, stored_files, restore_target, tmp_path, settings
) -> None:
    """pg_dump of an exported snapshot, pg_restore into a scratch database that is dropped,
    then into a new, empty database."""
    _round_trip(tmp_path, settings, restore_target)
    # The scratch databases are gone.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE %s",
            [f"{connection.settings_dict['NAME']}_scratch_%"],
        )
        assert cursor.fetchone()[0] == 0
