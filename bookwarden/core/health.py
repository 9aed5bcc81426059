"""``/healthz``: whether this installation works, for a monitor outside it (CC-8: evidence
that the controls operate; the job loop runs retention, CR-6a, and sends the mail).

It answers anyone, signed in or not, so it says nothing of any library: no library's name,
no count per library, no subject or address of any mail, no job's output or error.  It
names the database, each periodic job (its name in the code, when its last run finished,
whether it worked), the job loop, and the installation's outgoing mail as a whole (how long
the oldest waiting message has waited, how many gave up).

The answer is ``{"status": "ok" | "warning" | "down", ...}``: **503** when the database
cannot be reached or the job loop has not run for ten minutes (``down``); 200 otherwise,
with ``warning`` when mail is stuck or a job's last run failed.  Four queries, however many
runs and messages are stored.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Count, Min, Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bookwarden.core.when import iso_utc
from bookwarden.jobs.models import JobStatus
from bookwarden.jobs.registry import all_jobs
from bookwarden.jobs.status import latest_finished, loop_health
from bookwarden.mail.models import MailStatus, OutboxMessage

#: Mail waiting longer than this (the first try is within a minute; the retries back off):
#: mail is not flowing.
MAIL_STUCK_AFTER = datetime.timedelta(hours=1)


def _iso(moment: datetime.datetime | None) -> str | None:
    return iso_utc(moment) if moment else None


def _seconds(delta: datetime.timedelta | None) -> int | None:
    return None if delta is None else max(0, int(delta.total_seconds()))


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        # The next request starts again with a fresh connection.
        connection.close_if_unusable_or_obsolete()
        return {"ok": False}
    return {"ok": True}


def _jobs(now: datetime.datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    loop = loop_health(now)
    names = [job.name for job in all_jobs()]
    last = {run.name: run for run in latest_finished(names).only("name", "status", "finished_at")}
    jobs = []
    for name in names:
        run = last.get(name)
        jobs.append(
            {
                "name": name,
                "finished_at": _iso(run.finished_at) if run else None,
                "ok": None if run is None else run.status == JobStatus.SUCCEEDED,
            }
        )
    return {
        "ok": not loop.down,
        "last_seen": _iso(loop.last_seen),
        "seconds_ago": _seconds(loop.silent_for),
    }, jobs


def _mail(now: datetime.datetime) -> dict[str, Any]:
    summary = OutboxMessage.objects.aggregate(
        oldest=Min("created_at", filter=Q(status__in=[MailStatus.QUEUED, MailStatus.SENDING])),
        failed=Count("pk", filter=Q(status=MailStatus.FAILED)),
    )
    oldest = summary["oldest"]
    waited = now - oldest if oldest else None
    return {
        "ok": (waited is None or waited <= MAIL_STUCK_AFTER) and not summary["failed"],
        "oldest_unsent_seconds": _seconds(waited),
        "failed": summary["failed"],
    }


def health() -> tuple[int, dict[str, Any]]:
    """The HTTP status and the answer of ``/healthz``."""
    now = timezone.now()
    database = _database()
    if not database["ok"]:
        return 503, {"status": "down", "database": database}
    try:
        loop, jobs = _jobs(now)
        mail = _mail(now)
    except DatabaseError:
        connection.close_if_unusable_or_obsolete()
        return 503, {"status": "down", "database": {"ok": False}}
    if not loop["ok"]:
        status = "down"
    elif not mail["ok"] or any(job["ok"] is False for job in jobs):
        status = "warning"
    else:
        status = "ok"
    answer = {"status": status, "database": database, "job_loop": loop, "jobs": jobs, "mail": mail}
    return (503 if status == "down" else 200), answer


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    code, answer = health()
    return JsonResponse(answer, status=code)
