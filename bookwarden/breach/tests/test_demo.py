"""The demo has a breach with notified patrons (CR-6e), built through the real paths."""

from __future__ import annotations

from bookwarden.breach.demo import build_breach_demo
from bookwarden.breach.models import AffectedPatron, BreachStatus, NoticeStatus, Source
from bookwarden.mail.models import OutboxMessage
from bookwarden.patrons.demo import build_portal_showcase


def test_demo_breach(people, patrons) -> None:
    build_portal_showcase(people, patrons)
    breach = build_breach_demo(people, patrons)
    assert build_breach_demo(people, patrons) == breach  # safe to call twice
    assert breach.status == BreachStatus.REVIEWED
    rows = {
        a.patron.first_name: a
        for a in AffectedPatron.objects.filter(breach=breach).select_related("patron")
    }
    assert set(rows) == {"Rosa", "Walter", "Leo", "June"}
    assert rows["June"].source == Source.BY_HAND
    assert rows["Rosa"].source == Source.AUDIT
    assert rows["Rosa"].notice_status == NoticeStatus.QUEUED
    assert rows["Walter"].notice_status == NoticeStatus.QUEUED
    assert {rows["Leo"].notice_status, rows["June"].notice_status} == {
        NoticeStatus.PRINTED,
        NoticeStatus.LETTER_SENT,
    }
    assert OutboxMessage.objects.filter(reason="breach.patron_notice").count() == 2


def test_demo_breach_uses_the_operations_logs_breach_incident(people, patrons) -> None:
    """With the operations log's demo loaded first, its "Breach: ..." incident is the one
    declared a breach."""
    import datetime

    from django.utils import timezone

    from bookwarden.core.models import Library
    from bookwarden.operations.models import EntryKind, LogEntry

    entry = LogEntry.objects.create(
        library=Library.objects.get(slug="new-madrid"),
        kind=EntryKind.DATA_LOSS,
        title="Breach: bookmobile laptop stolen",
        narrative="Stolen from the van.",
        occurred_at=timezone.now() - datetime.timedelta(days=3),
        patron_data_involved=True,
    )
    breach = build_breach_demo(people, patrons)
    assert breach.entry == entry
    assert breach.window_start == entry.occurred_at
    assert AffectedPatron.objects.filter(breach=breach).count() == 4
