"""Library scoping stays cheap in a consortium (CC-6, issue 16): ``for_user`` narrows the
hot pages' queries with the list of the person's libraries, an ``IN`` list the index
serves, so a director of 1, 10 or 60 member libraries gets the same plan: the same nodes,
the same tables, the same indexes, with no sequential scan of a large table and no
per-row subquery.  The SQL checked is the one each view runs, captured from a real
request: the patron search by card number, the audit log's newest page and the operations
log (CR-2c, LV-3, IT-10)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.core.actions.sign_in import enroll_totp
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.roles import Role
from bookwarden.core.tests.plans import (
    assert_indexed,
    captured_selects,
    on_postgres,
    plan_of,
    the_query,
)
from bookwarden.operations.models import EntryKind, EntryStatus, LogEntry
from bookwarden.patrons.models import Card, Patron

pytestmark = [pytest.mark.postgres, on_postgres]

ROLE_COUNTS = (1, 10, 60)
CARD = "28000000000777"


@pytest.fixture
def consortium(people) -> list[Library]:
    """Sixty member libraries, each with patrons and their cards, audit events and
    operations-log entries, the first library with half of the events and entries (the
    rows written straight to the tables); ANALYZEd."""
    consortium = Library.objects.get(slug="new-madrid").consortium
    Library.objects.bulk_create(
        Library(name=f"Member {i}", slug=f"member-{i}", jurisdiction="US-MO", consortium=consortium)
        for i in range(Library.objects.count(), 60)
    )
    libraries = list(Library.objects.order_by("pk"))
    assert len(libraries) == 60
    patrons = Patron.objects.bulk_create(
        Patron(library=libraries[i % 60], first_name=f"Given{i}", last_name="Reader")
        for i in range(3_000)
    )
    Card.objects.bulk_create(
        Card(library_id=p.library_id, patron=p, number=CARD if i == 0 else f"27{p.pk:012d}")
        for i, p in enumerate(patrons)
    )
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "created_at").first()
    assert head is not None
    seq, at = head
    AuditEvent.objects.bulk_create(
        AuditEvent(
            seq=seq + i,
            created_at=at + datetime.timedelta(seconds=i),
            action="patron.viewed",
            library=libraries[0 if i % 2 else i % 60],
            patron_id=patrons[i % 3_000].pk,
            prev_hash="0" * 64,
            hash=f"{seq + i:064x}",
        )
        for i in range(1, 6_001)
    )
    now = timezone.now()
    LogEntry.objects.bulk_create(
        LogEntry(
            # Half in the largest library (members differ in size, as in a consortium).
            library=libraries[0 if i % 2 else i % 60],
            kind=EntryKind.PATCHING,
            status=EntryStatus.CLOSED,
            title="Patching",
            narrative="Patched.",
            occurred_at=now - datetime.timedelta(hours=3 * i),
            recorded_at=now - datetime.timedelta(hours=3 * i),
        )
        for i in range(4_000)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE patrons_patron, patrons_card, audit_auditevent, operations_logentry, "
            "core_membership"
        )
    return libraries


def _director_of(libraries: list[Library], count: int) -> Client:
    """A director of the first ``count`` libraries (with the authenticator app a director
    must have), signed in."""
    user = User.objects.create(username=f"director-of-{count}", email=f"d{count}@example.org")
    Membership.objects.bulk_create(
        Membership(user=user, library=library, role=Role.DIRECTOR) for library in libraries[:count]
    )
    enroll_totp(actor=None, user=user, secret="JBSWY3DPEHPK3PXP")
    client = Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    return client


def _shape(sql: str) -> list[tuple[str, str, str]]:
    """The plan's nodes without costs or constants: type, table, index."""
    return [
        (n["Node Type"], n.get("Relation Name", ""), n.get("Index Name", "")) for n in plan_of(sql)
    ]


def _scoped_by_a_list(sql: str, libraries: list[Library], count: int) -> None:
    """The scoping is the list of the person's libraries, read by the plan as one array
    (``= ANY``); a subquery (the audit log's account events of the libraries' staff) is
    hashed once, never run again for each row.  Planned as PostgreSQL plans it (sequential
    scans allowed: a hashed subquery reads its small table whole)."""
    ids = ", ".join(str(lib.pk) for lib in libraries[:count])
    assert f'"library_id" IN ({ids})' in sql, sql
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    text = json.dumps(plan)
    for name in re.findall(r'"Subplan Name": "(SubPlan \d+)"', text):
        assert f"hashed {name}" in text, f"{name} runs for each row: {text}"


def _reads(sql: str, table: str) -> list[tuple[str, str, bool]]:
    """How the plan reads ``table``: each node's type, index, and whether it is an ordered
    walk that stops after the page; then whether anything is sorted."""
    nodes = plan_of(sql)
    found = [
        (n["Node Type"], n.get("Index Name", ""), n["walk_stops"])
        for n in nodes
        if n.get("Relation Name") == table
    ]
    return [*found, ("Sort", "", any(n["Node Type"] == "Sort" for n in nodes))]


#: page: url name, query, what identifies its main query, the large table, the indexes
#: that may serve it (None: any), and whether the page must be an ordered walk that stops
#: after its rows.  The operations log is read through the library's index for one
#: library, and through the whole log's index by time, filtered by the list, for several.
PAGES: dict[str, tuple[str, dict[str, str], tuple[str, ...], str, set[str] | None, bool]] = {
    "patron search": (
        "patron_search",
        {"q": CARD},
        ('"patrons_card"', "UNION"),
        "patrons_card",
        {"card_number_search"},
        False,
    ),
    "audit log": (
        "audit:list",
        {},
        ('FROM "audit_auditevent"', "LIMIT 51"),
        "audit_auditevent",
        None,
        False,
    ),
    "operations log": (
        "operations:list",
        {},
        ('FROM "operations_logentry"', "LIMIT"),
        "operations_logentry",
        {"ops_entry_log_page", "ops_entry_log_newest"},
        True,
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_plan_is_the_same_for_1_10_and_60_libraries(consortium, page: str) -> None:
    url, query, needles, table, indexes, walk = PAGES[page]
    reads: dict[int, list[tuple[str, bool]]] = {}
    for count in ROLE_COUNTS:
        client = _director_of(consortium, count)
        response = client.get(reverse(url), query)
        assert response.status_code == 200
        sql = the_query(captured_selects(lambda c=client: c.get(reverse(url), query)), *needles)
        assert_indexed(sql, table)
        _scoped_by_a_list(sql, consortium, count)
        found = _reads(sql, table)
        if indexes is not None:
            assert {index for _, index, _ in found} & indexes, (count, found)
        if walk:
            assert found[-1] == ("Sort", "", False), (count, found)
            assert all(stops for _, _, stops in found[:-1]), (count, found)
        reads[count] = [(kind, stops) for kind, _, stops in found]
    assert reads[10] == reads[1], reads
    assert reads[60] == reads[1], reads
