"""The backups page (CC-8: evidence that backups are made and can be restored).

Two audiences, as on the jobs page:

* the installation role (the person who runs the server) sees every backup (file name,
  size, SHA-256, when made, when deleted), every check and restore drill with what failed,
  and the configuration (the folder, whether a key file is set, how long backups are kept);
* a library's people who hold ``view_jobs`` (the director, the technology coordinator, IT
  staff) see only whether backups run: when the last one was made, how many are kept, and
  the last drill's date and result.  A backup holds every library of the installation, so
  nothing of its files, the server's folders or what a failure named is shown to them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bookwarden.core.permissions import StaffRequest, has_installation_perm, perm_required
from bookwarden.core.roles import Perm

from .models import BackupCheck, BackupRecord

SHOWN = 40


@login_required
@perm_required(Perm.VIEW_JOBS)
@require_GET
def backup_list(request: StaffRequest) -> HttpResponse:
    installation = has_installation_perm(request.user, Perm.VIEW_JOBS)
    context: dict[str, object] = {
        "installation": installation,
        "configured": bool(settings.BACKUP_DIR and settings.BACKUP_KEY_FILE),
        "keep_days": settings.BACKUP_KEEP_DAYS,
    }
    if installation:
        context.update(
            backups=list(BackupRecord.objects.all()[:SHOWN]),
            checks=list(BackupCheck.objects.all()[:SHOWN]),
            folder=settings.BACKUP_DIR,
            key_set=bool(settings.BACKUP_KEY_FILE),
        )
    else:
        kept = BackupRecord.objects.filter(deleted_at__isnull=True)
        context.update(
            last_backup=kept.values_list("created_at", flat=True).first(),
            kept=kept.count(),
            last_check=BackupCheck.objects.values("checked_at", "ok", "kind").first(),
        )
    return render(request, "backups/list.html", context)
