"""The backups page (CC-8): the person who runs the server sees every backup and check; a
library's people who see the jobs see only whether backups run, nothing of the server's
files; "My tasks" asks the installation role to set backups up."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from bookwarden.backups.models import BackupCheck, BackupRecord, CheckKind


@pytest.fixture
def history(db) -> BackupRecord:
    backup = BackupRecord.objects.create(
        file_name="bookwarden-backup-20261201T031500Z.bwbackup",
        folder="/srv/secret-backups",
        size=123456,
        sha256="ab" * 32,
        origin="job",
        engine="sqlite",
        audit_seq=10,
    )
    BackupCheck.objects.create(
        backup=backup,
        kind=CheckKind.DRILL,
        file_name=backup.file_name,
        ok=False,
        failure="The audit log in the backup fails its check: event 4.",
        checked_at=timezone.now(),
    )
    return backup


def test_the_installation_role_sees_every_backup_and_check(
    people, history, client_as, settings, django_assert_max_num_queries
) -> None:
    settings.BACKUP_DIR, settings.BACKUP_KEY_FILE = "/srv/secret-backups", "/etc/key"
    client = client_as("server_admin")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("backups:list")).content.decode()
    assert history.file_name in page and history.sha256 in page
    assert "The audit log in the backup fails its check" in page
    assert "Backups are not set up" not in page


def test_a_director_sees_only_whether_backups_run(
    people, history, client_as, settings, django_assert_max_num_queries
) -> None:
    settings.BACKUP_DIR, settings.BACKUP_KEY_FILE = "/srv/secret-backups", "/etc/key"
    client = client_as("director")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("backups:list")).content.decode()
    assert "Last backup" in page and "failed" in page
    for secret in (history.file_name, history.folder, history.sha256, "event 4"):
        assert secret not in page


def test_unset_backups_are_a_task_of_the_person_who_runs_the_server(
    people, client_as, settings
) -> None:
    settings.BACKUP_DIR = None
    assert "Backups are not set up" in client_as("server_admin").get("/").content.decode()
    assert "Backups are not set up" not in client_as("director").get("/").content.decode()
