"""The weekly digest (issue 17, CC-8, IT-7): each library's director is mailed, through the
outbox and then a real SMTP server, what changed in the week, what is overdue and which
controls fail; once per library and week however often the job runs."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.jobs.registry import get_job
from bookwarden.mail import delivery
from bookwarden.mail.models import OutboxMessage
from bookwarden.reports.digest import REASON, build_digests

from .history import build_history


def test_each_director_gets_the_week_once(people, smtp_server) -> None:
    h = build_history(people)
    job = get_job("compliance_digest")
    assert job.func() == "2 weekly digests queued."
    assert job.func() == "0 weekly digests queued."  # the same week: nothing more
    digests = {m.library_id: m for m in OutboxMessage.objects.filter(reason=REASON)}
    assert set(digests) == {h.nm.pk, h.cresco.pk}
    assert digests[h.nm.pk].to == [people["director"].email]
    assert digests[h.cresco.pk].to == [people["outsider"].email]
    body = digests[h.nm.pk].body
    assert "What changed this week:" in body and "What is overdue:" in body
    assert "Controls that fail:" in body
    assert "/reports/new-madrid/" in body
    assert "Secret Patronname" not in body
    assert AuditEvent.objects.filter(action=AuditAction.REPORT_DIGEST_QUEUED).count() == 2

    delivery.deliver_due()  # with the history's own mail (incident notices)
    subjects = {m["subject"] for m in smtp_server.inbox.messages if "digest" in m["subject"]}
    assert subjects == {
        "Weekly compliance digest: New Madrid County Library",
        "Weekly compliance digest: Cresco Public Library",
    }

    with time_machine.travel(timezone.now() + datetime.timedelta(days=7)):
        assert job.func() == "2 weekly digests queued."


def test_the_digest_says_what_changed_and_what_is_overdue(people) -> None:
    h = build_history(people)
    digest = next(d for d in build_digests() if d.library == h.nm)
    # The week's rotation of the shared login (ten days ago is outside; none this week).
    assert not any("shared password changed" in line for line in digest.changes)
    assert any("of the security log still open" in line for line in digest.overdue)
    cresco = next(d for d in build_digests() if d.library == h.cresco)
    assert not any("shared password" in line for line in cresco.overdue)
