"""``import`` given a folder, a missing file or a file it cannot read: one clear line and
exit status 1, no traceback, nothing imported and nothing recorded (nothing was read)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.patrons.importer import ImportFailed, import_file

pytestmark = pytest.mark.django_db

PATRONS = "ils_id,last_name\np1,Lovelace\n"


@pytest.fixture
def library(db) -> Library:
    return Library.objects.create(name="Test", slug="test", jurisdiction="US-MO")


def no_permission(tmp_path: Path) -> Path:
    path = tmp_path / "secret.csv"
    path.write_text(PATRONS)
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("this user (root) reads files without permission")
    return path


CASES = {
    "a folder": (lambda tmp: tmp, "it is a folder: give the path of one CSV file"),
    "a missing file": (lambda tmp: tmp / "nope.csv", "there is no such file"),
    "no permission": (no_permission, "permission denied: this user may not read the file"),
    # Opens, then fails at the first read: a disk or network error half-way.
    "a read error": (lambda tmp: Path("/proc/self/mem"), "it cannot be read (Input/output error)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_command_says_why_in_one_line(case, library, tmp_path) -> None:
    make, reason = CASES[case]
    path = make(tmp_path)
    before = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).count()
    with pytest.raises(CommandError) as refused:
        call_command("import", "patrons", str(path), "--library", library.slug)
    assert str(refused.value) == f"{path} was not imported: {reason}."
    with pytest.raises(ImportFailed) as failed:
        import_file("loans", path, library)
    assert failed.value.reason == reason and failed.value.errors == []
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).count() == before


def test_the_console_command_prints_no_traceback(tmp_path) -> None:
    """The real ``bookwarden import`` process: the file is checked before the database is
    touched, so an empty data folder will do."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bookwarden.settings",
        BOOKWARDEN_DATA_DIR=str(tmp_path / "data"),
        BOOKWARDEN_PRODUCTION="0",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bookwarden", "import", "patrons", str(tmp_path), "--library", "x"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"CommandError: {tmp_path} was not imported: it is a folder: give the path of one CSV file."
    ]
