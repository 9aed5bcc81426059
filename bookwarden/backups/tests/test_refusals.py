"""A backup that cannot be trusted is refused with one plain line and nothing is restored:
a changed byte, a file cut short, the wrong key, no key; and a restore into a database that
holds data is refused, naming why (CR-6a, CC-8, LV-3)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.backups.crypto import BackupRefused, make_key_file
from bookwarden.backups.database import non_empty_tables, use_database
from bookwarden.backups.making import create_backup
from bookwarden.backups.models import BackupCheck, BackupRecord
from bookwarden.backups.restoring import restore_backup

from .conftest import new_server_files

# Committed rows, as on a server: a backup is taken outside any transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backup_file(people, backup_key, stored_files, tmp_path) -> Path:
    return create_backup(tmp_path / "backups").path


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("backup", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _tampered(path: Path, tmp_path: Path) -> Path:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle of the database
    copy = tmp_path / "tampered.bwbackup"
    copy.write_bytes(bytes(data))
    return copy


def _truncated(path: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "truncated.bwbackup"
    copy.write_bytes(path.read_bytes()[: path.stat().st_size - 200])
    return copy


def _other_key(tmp_path: Path) -> Path:
    key = tmp_path / "other.key"
    make_key_file(key)
    return key


CASES = {
    "tampered": (_tampered, "has been changed or damaged"),
    "truncated": (_truncated, "is cut short"),
}


@pytest.mark.parametrize("case", ["tampered", "truncated", "wrong key"])
def test_an_untrustworthy_file_is_refused_and_nothing_is_restored(
    case, backup_file, restore_target, tmp_path, settings
) -> None:
    key_args: list[str] = []
    if case == "wrong key":
        path, expected = backup_file, "was made with another key"
        key_args = ["--key-file", str(_other_key(tmp_path))]
    else:
        make, expected = CASES[case]
        path = make(backup_file, tmp_path)

    code, out, err = _run("verify", str(path), *key_args)
    assert code == 1 and out == ""
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    check = BackupCheck.objects.get()
    assert not check.ok and expected in check.failure
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == AuditAction.BACKUP_CHECKED and event.after["ok"] is False

    media = new_server_files(settings, tmp_path)
    key_file = key_args[1] if key_args else None
    with pytest.raises(BackupRefused, match=expected):
        restore_backup(path, target=restore_target, key_file=key_file)
    with use_database(restore_target), connection.cursor() as cursor:
        assert connection.introspection.table_names(cursor) == []  # nothing restored
    assert not media.exists() or not any(media.rglob("*"))


def test_create_without_a_key_is_refused_and_writes_nothing(people, tmp_path, settings) -> None:
    settings.BACKUP_KEY_FILE = None
    code, out, err = _run("create", "--to", str(tmp_path / "backups"))
    assert code == 1 and out == ""
    assert err.startswith("No backup key: set BOOKWARDEN_BACKUP_KEY_FILE")
    assert "losing the key loses every backup" in err
    assert not (tmp_path / "backups").exists() and not BackupRecord.objects.exists()


def test_the_key_command_never_overwrites_a_key(tmp_path) -> None:
    key = tmp_path / "backup.key"
    code, out, _ = _run("key", "--out", str(key))
    assert code == 0 and "losing the key loses every backup" in out
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    before = key.read_bytes()
    code, _, err = _run("key", "--out", str(key))
    assert code == 1 and "never overwritten" in err
    assert key.read_bytes() == before


def test_a_restore_into_a_database_with_data_is_refused(
    backup_file, restore_target, tmp_path, settings
) -> None:
    new_server_files(settings, tmp_path)
    restore_backup(backup_file, target=restore_target)
    with use_database(restore_target):
        before = AuditEvent.objects.count()
    assert "core_user" in non_empty_tables(restore_target)
    new_server_files(settings, tmp_path / "again")
    with pytest.raises(BackupRefused, match=r"The database is not empty \(\d+ tables hold rows"):
        restore_backup(backup_file, target=restore_target)
    with use_database(restore_target):
        assert AuditEvent.objects.count() == before


def test_a_restore_into_a_server_with_stored_files_is_refused(
    backup_file, restore_target, tmp_path, settings
) -> None:
    media = new_server_files(settings, tmp_path)
    (media / "left-over.txt").parent.mkdir(parents=True)
    (media / "left-over.txt").write_text("mine")
    with pytest.raises(BackupRefused, match="folder of stored files"):
        restore_backup(backup_file, target=restore_target)
    assert non_empty_tables(restore_target) == []
