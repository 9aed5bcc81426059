"""The breach's "affected patrons" listing at a consortium's size (CR-6e, issue 16): it
lists thousands of patrons in one pass, and on PostgreSQL it reads the compromised
accounts' openings through ``breach_openings_window`` (a partial index of the record
openings by library, account and time), never the audit log whole nor its indexes on the
action, the library or the time, which grow with the whole log.  The SQL checked is the one
the listing runs, captured from the action."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.breach import actions
from bookwarden.breach.models import AffectedPatron
from bookwarden.core.models import Library
from bookwarden.core.tests.plans import assert_indexed, captured_selects, on_postgres, the_query
from bookwarden.patrons.models import Patron

from .factories import declare

N_PATRONS = 600
N_EVENTS = 6_000
DAY = datetime.timedelta(days=1)


@pytest.fixture
def busy_log(people) -> dict[str, object]:
    """Sixty days of events in both libraries (6,000): patron views, searches and record
    openings by the staff persona and the director; ANALYZEd.  Written straight to the
    table (a listing needs rows, not a valid chain: nothing here verifies it)."""
    nm, cresco = (Library.objects.get(slug=s) for s in ("new-madrid", "cresco"))
    patrons = Patron.objects.bulk_create(
        Patron(library=nm, first_name=f"Given{i}", last_name="Reader") for i in range(N_PATRONS)
    )
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert head is not None
    start = timezone.now() - 60 * DAY
    actions_ = [AuditAction.RECORDS_OPENED, AuditAction.PATRON_VIEWED, AuditAction.PATRON_SEARCHED]
    staff, director = people["staff"], people["director"]
    events = []
    for i in range(1, N_EVENTS + 1):
        events.append(
            AuditEvent(
                seq=head + i,
                created_at=start + i * (60 * DAY / N_EVENTS),
                action=actions_[i % 3],
                library=nm if i % 4 else cresco,
                actor=staff if i % 2 else director,
                patron_id=patrons[i % N_PATRONS].pk,
                after={"record_types": ["loans", "holds"]},
                prev_hash="0" * 64,
                hash=f"{head + i:064x}",
            )
        )
    AuditEvent.objects.bulk_create(events)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
    window = start + 30 * DAY
    expected = {
        e.patron_id
        for e in events
        if e.action == AuditAction.RECORDS_OPENED
        and e.library_id == nm.pk
        and e.actor_id == staff.pk
        and e.created_at >= window
    }
    return {"library": nm, "staff": staff, "window": window, "expected": expected}


def test_a_busy_account_lists_hundreds_of_patrons_once(busy_log) -> None:
    breach = declare(busy_log["library"], [busy_log["staff"]], start=busy_log["window"])
    result = actions.list_affected(actor=None, breach=breach)
    listed = set(AffectedPatron.objects.filter(breach=breach).values_list("patron_id", flat=True))
    assert listed == busy_log["expected"]
    assert result.added == result.patrons == len(busy_log["expected"]) >= 100
    again = actions.list_affected(actor=None, breach=breach)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    row = AffectedPatron.objects.filter(breach=breach).first()
    assert row is not None and row.record_types == ["loans", "holds"]


@pytest.mark.postgres
@on_postgres
def test_the_openings_are_read_through_their_partial_index(busy_log) -> None:
    breach = declare(busy_log["library"], [busy_log["staff"]], start=busy_log["window"])
    sqls = captured_selects(lambda: actions.list_affected(actor=None, breach=breach))
    sql = the_query(sqls, 'FROM "audit_auditevent"', "patron.records_opened")
    assert_indexed(sql, "audit_auditevent", index="breach_openings_window")
