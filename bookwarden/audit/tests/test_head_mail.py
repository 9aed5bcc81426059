"""The directors' weekly mail of the audit log's head: a copy the database cannot change,
kept in each director's mailbox (issue 9; LV-3, CC-9).  Through the outbox, to a real SMTP
server, only where mail is set up."""

from __future__ import annotations

import datetime
import re

import time_machine

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.jobs.registry import get_job
from bookwarden.mail.delivery import deliver_due
from bookwarden.mail.models import OutboxMessage

from .conftest import verify_json

MONDAY = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=datetime.UTC)
ANCHOR_RE = re.compile(r"bookwarden audit verify --anchor (\d+):([0-9a-f]{64})")


def test_each_librarys_directors_get_the_head_to_keep(smtp_server, people) -> None:
    job = get_job("audit-head-mail")
    assert job.every == datetime.timedelta(days=7)
    # Each library's directors get the newest event of their library's own chain.
    new_madrid = Library.objects.get(slug="new-madrid")
    head = AuditEvent.objects.filter(chain=new_madrid.pk).order_by("-chain_seq").first()
    assert head is not None and head.library == new_madrid
    assert AuditEvent.objects.order_by("-seq").first() != head  # Cresco's came after it
    with time_machine.travel(MONDAY, tick=False):
        assert job.func() == "Queued for the directors of 2 libraries."
    queued = {m.library.slug: m for m in OutboxMessage.objects.select_related("library")}
    assert {slug: m.to for slug, m in queued.items()} == {
        "new-madrid": [people["director"].email],
        "cresco": [people["outsider"].email],
    }
    assert deliver_due().sent == 2
    mails = {tuple(m["to"]): m for m in smtp_server.inbox.messages}
    mail = mails[(people["director"].email,)]
    assert (
        mail["subject"]
        == f"Audit log check number for New Madrid County Library: event #{head.seq}"
    )
    body = mail["body"]
    assert f"Newest event of New Madrid County Library: #{head.seq}" in body
    assert f"Its fingerprint: {head.hash}" in body
    words = " ".join(body.split())
    assert "could remove the newest events, or rewrite the log" in words  # what it is for
    assert "those of the newest event of New Madrid County Library" in words
    # The line in the mail is what the person who runs the server types to check.
    seq, hash_ = ANCHOR_RE.search(body).groups()
    assert (int(seq), hash_) == (head.seq, head.hash)
    assert verify_json("--anchor", f"{seq}:{hash_}")[0] == 0

    # Each mail queued is recorded, in its library, naming the directors.
    events = AuditEvent.objects.filter(action=AuditAction.AUDIT_HEAD_MAILED)
    by_library = {e.library.slug: e for e in events}
    assert by_library["new-madrid"].after == {
        "seq": head.seq,
        "hash": head.hash,
        "directors": [people["director"].pk],
    }
    assert by_library["cresco"].after["directors"] == [people["outsider"].pk]
    assert all(e.actor_id is None for e in events)


def test_a_second_run_in_the_same_week_queues_nothing(smtp_server, people) -> None:
    job = get_job("audit-head-mail")
    with time_machine.travel(MONDAY, tick=False):
        job.func()
    record(AuditAction.AUDIT_VIEWED)
    with time_machine.travel(MONDAY + datetime.timedelta(days=4), tick=False):
        assert job.func() == "Queued for the directors of 0 libraries."
    assert OutboxMessage.objects.count() == 2
    with time_machine.travel(MONDAY + datetime.timedelta(days=7), tick=False):
        assert job.func() == "Queued for the directors of 2 libraries."
    assert OutboxMessage.objects.count() == 4


def test_without_mail_set_up_nothing_is_queued(people) -> None:
    """The tests' mail backend keeps mail in memory: no mail server, so no weekly mail."""
    assert get_job("audit-head-mail").func() == "Mail is not set up (EMAIL_HOST): no mail queued."
    assert not OutboxMessage.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_HEAD_MAILED).exists()


def test_a_library_without_a_director_with_an_address_gets_none(smtp_server, people) -> None:
    cresco_director = people["outsider"]
    cresco_director.email = ""
    cresco_director.save(update_fields=["email"])
    assert get_job("audit-head-mail").func() == "Queued for the directors of 1 library."
    assert [m.library for m in OutboxMessage.objects.all()] == [
        Library.objects.get(slug="new-madrid")
    ]
