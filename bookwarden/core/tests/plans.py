"""Checking the plans of a page's queries on PostgreSQL (issue 16): the exact SQL a view
runs is captured and explained, so that a later change to the view, its filters or its
indexes cannot silently turn an index lookup into a read of a whole large table.

The test data are small (a few thousand rows, ANALYZEd), and a planner may rightly read a
small table whole; so the plans are made with ``enable_seqscan`` off, which leaves a
sequential scan only where no index can serve the query at all: exactly the loss these
tests exist to catch."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the query plans checked are PostgreSQL's"
)


def captured_selects(request: Callable[[], Any]) -> list[str]:
    """The SELECTs ``request`` ran, as sent (parameters bound), with the tables made from
    one (``CREATE TEMP TABLE ... AS SELECT``: EXPLAIN shows the SELECT's plan)."""
    with CaptureQueriesContext(connection) as queries:
        request()
    sqls = [q["sql"].lstrip() for q in queries.captured_queries]
    return [
        sql
        for sql in sqls
        if sql.upper().startswith("SELECT")
        or (sql.upper().startswith("CREATE TEMP TABLE") and " AS SELECT " in sql.upper())
    ]


def the_query(sqls: list[str], *needles: str) -> str:
    """The one captured SELECT that holds every ``needle`` (a table, a clause)."""
    found = [sql for sql in sqls if all(n in sql for n in needles)]
    assert len(found) == 1, f"expected one query with {needles}, found {len(found)}: {found}"
    return found[0]


def _nodes(plan: dict[str, Any], walk_stops: bool = False) -> Iterator[dict[str, Any]]:
    """Every node, each with ``walk_stops``: it sits under a LIMIT with no sort, hash or
    aggregate between them, so an ordered walk of an index stops after the rows asked for."""
    yield {**plan, "walk_stops": walk_stops}
    node = plan["Node Type"]
    stops = node == "Limit" or (walk_stops and node not in ("Sort", "Hash", "Aggregate"))
    for child in plan.get("Plans", []):
        yield from _nodes(child, stops)


def plan_of(sql: str) -> list[dict[str, Any]]:
    """Every node of the plan of ``sql``, with sequential scans allowed only as a last
    resort (see the module's note)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("SET LOCAL enable_seqscan = on")
    if isinstance(plan, str):
        plan = json.loads(plan)
    return list(_nodes(plan[0]["Plan"]))


INDEX_READS = ("Index Scan", "Index Only Scan", "Bitmap Heap Scan")


def _bounded(node: dict[str, Any]) -> bool:
    """A read of a table that does not read it whole: by an index condition, or an index
    walked in order under a LIMIT (the newest 51 audit events)."""
    if node["Node Type"] == "Bitmap Heap Scan":
        return True
    if node["Node Type"] in ("Index Scan", "Index Only Scan"):
        return "Index Cond" in node or node["walk_stops"]
    return False


def assert_indexed(sql: str, table: str, *, index: str | None = None) -> None:
    """``sql`` reads ``table`` through an index (``index``, when named) and reads none of
    the large tables whole (a sequential scan, or a full walk of an index)."""
    nodes = plan_of(sql)
    summary = [(n["Node Type"], n.get("Relation Name"), n.get("Index Name")) for n in nodes]
    whole = {
        n["Relation Name"]
        for n in nodes
        if n.get("Relation Name") in LARGE_TABLES and not _bounded(n)
    }
    assert not whole, f"{sorted(whole)} read whole: {summary}"
    assert any(n.get("Relation Name") == table for n in nodes), f"{table} not read: {summary}"
    if index is not None:
        used = {n.get("Index Name") for n in nodes}
        assert index in used, f"{index} not used: {summary}"


#: The tables that grow with the consortium (issue 16): never read whole on a hot path.
LARGE_TABLES = (
    "patrons_patron",
    "patrons_card",
    "patrons_loan",
    "patrons_hold",
    "patrons_catalogsearch",
    "patrons_computersession",
    "audit_auditevent",
    "operations_logentry",
    "disclosures_disclosurerequest",
)
