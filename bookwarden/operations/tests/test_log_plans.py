"""The operations log's page and the home page's entries not yet closed read through
their indexes on PostgreSQL (issue 16): ``ops_entry_log_page`` (a library's entries,
newest first) or ``ops_entry_log_newest`` (the log newest first), and
``ops_entry_not_closed``.  The SQL checked is the one the view runs,
captured from a real request (IT-10, CC-2)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.tests.plans import (
    assert_indexed,
    captured_selects,
    on_postgres,
    plan_of,
    the_query,
)
from bookwarden.operations.models import EntryKind, EntryStatus, LogEntry

pytestmark = [pytest.mark.postgres, on_postgres]


@pytest.fixture
def busy_log(people) -> None:
    """Three years of entries in both libraries (4,000), nearly all closed; ANALYZEd."""
    now = timezone.now()
    libraries = list(Library.objects.filter(slug__in=["new-madrid", "cresco"]))
    LogEntry.objects.bulk_create(
        LogEntry(
            library=libraries[i % 2],
            kind=EntryKind.PATCHING,
            status=EntryStatus.CLOSED if i > 20 else EntryStatus.OPEN,
            title="Patching",
            narrative="Patched.",
            occurred_at=now - datetime.timedelta(hours=6 * i),
            recorded_at=now - datetime.timedelta(hours=6 * i),
        )
        for i in range(4_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE operations_logentry")


def test_the_log_page_reads_its_index(client_as, busy_log) -> None:
    sqls = captured_selects(lambda: client_as("director").get(reverse("operations:list")))
    sql = the_query(sqls, 'FROM "operations_logentry"', "LIMIT")
    assert_indexed(sql, "operations_logentry")
    # The library's entries newest first, or the whole log newest first filtered by the
    # library when it holds most of the entries: either walk stops after the page.
    reads = [n for n in plan_of(sql) if n.get("Relation Name") == "operations_logentry"]
    assert {n.get("Index Name") for n in reads} & {"ops_entry_log_page", "ops_entry_log_newest"}
    assert all(n["walk_stops"] for n in reads)
    assert not [n for n in plan_of(sql) if n["Node Type"] == "Sort"]


def test_the_home_page_reads_the_open_entries_by_their_index(client_as, busy_log) -> None:
    sqls = captured_selects(lambda: client_as("tech_coordinator").get(reverse("home")))
    found = [sql for sql in sqls if 'FROM "operations_logentry"' in sql and "closed" in sql]
    assert found
    for sql in found:
        assert_indexed(sql, "operations_logentry")
