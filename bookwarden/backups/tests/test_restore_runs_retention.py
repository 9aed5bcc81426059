"""A restore never brings back records whose time was up (CR-6a): retention runs on the
restored data before it is put in place, so a backup taken before a retention run comes
back without what that run removed."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.backups.database import use_database
from bookwarden.backups.making import create_backup
from bookwarden.backups.restoring import restore_backup
from bookwarden.patrons.models import CatalogSearch, ComputerSession, Loan
from bookwarden.patrons.retention import run_retention

from .conftest import new_server_files


def _kept() -> dict[str, list[tuple[int, int | None]]]:
    return {
        "searches": sorted(CatalogSearch._unguarded.values_list("pk", "patron_id")),
        "sessions": sorted(ComputerSession._unguarded.values_list("pk", "patron_id")),
        "loans": sorted(Loan._unguarded.values_list("pk", "patron_id")),
    }


@pytest.mark.django_db(transaction=True)
def test_a_restore_comes_back_without_what_retention_removed(
    demo_patrons, backup_key, restore_target, tmp_path, settings
) -> None:
    Session.objects.create(
        session_key="x" * 32,
        session_data="",
        expire_date=timezone.now() + datetime.timedelta(days=365),
    )
    in_backup = _kept()
    path = create_backup(tmp_path / "backups").path
    assert in_backup["searches"] and in_backup["sessions"]

    # Ten days on: the searches (kept 7 days) and computer sessions (a day) are due.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10), tick=False):
        run_retention()
        after_retention = _kept()
        assert len(after_retention["searches"]) < len(in_backup["searches"])
        new_server_files(settings, tmp_path)
        result = restore_backup(path, target=restore_target)

    assert sum(result.retention_counts.values()) > 0
    with use_database(restore_target):
        assert _kept() == after_retention  # nothing retention removed came back
        assert not Session.objects.exists()  # nobody is still signed in from the backup
        actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    # Retention's own evidence first, then the restore.
    assert actions[-1] == AuditAction.BACKUP_RESTORED
    assert AuditAction.RETENTION_RUN in actions[-4:-1]
