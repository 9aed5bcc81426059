""" "My tasks" of the person who runs the server (the installation role, ``view_jobs``):
set up backups when they are not configured, and see to them when none was made lately
(CC-8).  A failed restore drill shows through the jobs' own task (a failed job).  One query
at most."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_installation_perm
from bookwarden.core.roles import Perm

from .models import BackupOrigin, BackupRecord

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: A nightly backup older than this is a missed night.
LATE_AFTER = datetime.timedelta(hours=36)


@task_provider
def backups_to_see_to(user: User) -> Iterable[Task]:
    if not has_installation_perm(user, Perm.VIEW_JOBS):
        return
    url = reverse("backups:list")
    if not settings.BACKUP_DIR or not settings.BACKUP_KEY_FILE:
        yield Task(
            "Backups are not set up",
            "Make a backup key, keep a copy away from the server, and give the server the "
            "backup folder and the key file: the backups page says how.",
            url,
            urgent=True,
            key="backups:setup",
            state="No backup is made: one failed disk would lose every record and the audit log.",
        )
        return
    newest = (
        BackupRecord.objects.filter(origin=BackupOrigin.JOB)
        .order_by("-created_at")
        .values("created_at")
        .first()
    )
    if newest is None or newest["created_at"] < timezone.now() - LATE_AFTER:
        yield Task(
            "No recent backup",
            "Check the nightly backup job and the backup folder.",
            url,
            urgent=True,
            key="backups:late",
            state=(
                f"The last nightly backup was made {formats.when(newest['created_at'])}."
                if newest
                else "The nightly backup has not made a backup yet."
            ),
        )
