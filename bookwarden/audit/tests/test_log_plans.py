"""The audit log's page reads through indexes on PostgreSQL, whatever the log's size
(issue 16): the newest page walks the sequence number's index and stops after 51 events,
a later page (``?before=``) starts from its position in that index, a filter is served by
its own index, and nothing counts the log.  The SQL checked is the one the view runs,
captured from a real request (LV-3, CC-9)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import Library
from bookwarden.core.tests.plans import assert_indexed, captured_selects, on_postgres, the_query

pytestmark = [pytest.mark.postgres, on_postgres]

LIST = reverse("audit:list")
N_EVENTS = 5_000


@pytest.fixture
def long_log(people) -> int:
    """Five thousand events after the demo's, in both libraries, ANALYZEd; returns a
    sequence number in the middle.  Written straight to the table (a plan needs rows, not
    a valid chain: nothing here verifies it)."""
    nm, cresco = (Library.objects.get(slug=s).pk for s in ("new-madrid", "cresco"))
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "created_at").first()
    assert head is not None
    seq, at = head
    AuditEvent.objects.bulk_create(
        AuditEvent(
            seq=seq + i,
            created_at=at + datetime.timedelta(seconds=i),
            action="patron.viewed" if i % 3 else "auth.login",
            library_id=nm if i % 2 else cresco,
            actor_id=people["staff"].pk,
            patron_id=i,
            prev_hash="0" * 64,
            hash=f"{seq + i:064x}",
        )
        for i in range(1, N_EVENTS + 1)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")
    return seq + N_EVENTS // 2


def _page_query(client, params: dict) -> str:
    sqls = captured_selects(lambda: client.get(LIST, params))
    assert not [sql for sql in sqls if "COUNT(" in sql.upper() and "audit_auditevent" in sql]
    return the_query(sqls, 'FROM "audit_auditevent"', "LIMIT 51")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"action": "auth.login"},
        {"library": "new-madrid"},
        {"patron": "1234"},
        {"since": "2020-01-01"},
        {"until": "2099-12-31"},
    ],
    ids=["newest", "action", "library", "patron", "since", "until"],
)
def test_the_newest_page_and_its_filters_use_an_index(
    client_as, long_log, params: dict[str, str]
) -> None:
    if params.get("library"):
        params = {"library": str(Library.objects.get(slug=params["library"]).pk)}
    sql = _page_query(client_as("director"), params)
    assert_indexed(sql, "audit_auditevent")


@pytest.mark.parametrize(
    "filters",
    [{}, {"action": "auth.login"}, {"until": "2099-12-31"}],
    ids=["all", "action", "until"],
)
def test_a_later_page_starts_from_its_position(client_as, long_log, filters) -> None:
    sql = _page_query(client_as("director"), {**filters, "before": str(long_log)})
    assert f'"seq" < {long_log}' in sql  # by time, too: the same moment, an earlier number
    assert_indexed(sql, "audit_auditevent")
    newer = _page_query(client_as("director"), {**filters, "after": str(long_log)})
    assert_indexed(newer, "audit_auditevent")
