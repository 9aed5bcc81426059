"""The breach's list of affected patrons, written by the database (CR-6e, issue 16).

:func:`bookwarden.breach.actions.list_affected` calls :func:`write_listing` inside its
transaction, after its lock and before its audit event.  The openings of the compromised
accounts in the window are grouped by patron into a temporary table, once; the list is
then brought up to date from it with one ``DELETE``, one ``UPDATE`` and one
``INSERT ... SELECT``.  No row passes through Python: a breach naming every account of a
consortium's largest library finds tens of thousands of patrons, and handling each in
Python cost three times what the database's own work costs.

The SQL is the same on PostgreSQL and SQLite but for two pieces, in :data:`_DIALECT`:
whether an event's ``after.record_types`` holds a type, and the JSON value of a text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.stored_defaults import columns_left_out, stored_defaults
from bookwarden.patrons.models import Patron
from bookwarden.patrons.records import RECORD_TYPES

from .models import AffectedPatron, Breach, NoticeStatus, Source

#: The temporary table of one listing: a patron a row, with what was found for them.
FOUND = "breach_listing_found"

#: The two pieces that differ: ``{has_type}`` is true when the event ``e`` names the record
#: type of the parameter; ``{json}`` turns a JSON text (or a JSON column) into a value that
#: compares by content.
_DIALECT = {
    "postgresql": {
        "has_type": (
            """COALESCE((e."after" -> 'record_types') @> jsonb_build_array(%s::text), FALSE)"""
        ),
        "json": "CAST({} AS jsonb)",
    },
    "sqlite": {
        "has_type": (
            """EXISTS (SELECT 1 FROM json_each(e."after", '$.record_types') AS t """
            """WHERE json_type(e."after", '$.record_types') = 'array' AND t.value = %s)"""
        ),
        "json": "json({})",
    },
}


@dataclass
class Listing:
    """What :func:`write_listing` found and wrote: events, patrons on file, patrons named by
    events but no longer on file (retention removed them), rows added, updated, removed."""

    events: int = 0
    patrons: int = 0
    gone: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0


def _sql(name: str) -> str:
    try:
        return _DIALECT[connection.vendor][name]
    except KeyError:
        raise RuntimeError(f"The breach listing does not support {connection.vendor}.") from None


def _find(cursor: Any, breach: Breach, accounts: list[int]) -> None:
    """Group the openings in scope by patron into :data:`FOUND`.  Only openings
    (``patron.records_opened``; a refused attempt showed nothing) by the compromised
    accounts, in the window, at the breach's library; ``on_file`` says whether the patron
    is still the library's (retention may have removed them since).  The record types are a
    JSON list in the order of ``RECORD_TYPES``, unknown names left out."""
    quote = connection.ops.quote_name
    audit, patrons = quote(AuditEvent._meta.db_table), quote(Patron._meta.db_table)
    keys = list(RECORD_TYPES)
    flags = ", ".join(
        f"MAX(CASE WHEN {_sql('has_type')} THEN 1 ELSE 0 END) AS t{n}" for n in range(len(keys))
    )
    names = " || ".join(
        f"CASE WHEN t{n} = 1 THEN '\"{key}\",' ELSE '' END" for n, key in enumerate(keys)
    )
    marks = ", ".join(["%s"] * len(accounts)) or "NULL"  # no account: no opening
    cursor.execute(f"DROP TABLE IF EXISTS {FOUND}")
    cursor.execute(
        f"CREATE TEMP TABLE {FOUND} AS "  # noqa: S608 (the models' names, keys of RECORD_TYPES)
        f"SELECT patron_id, first_opened_at, openings, on_file, "
        f"'[' || rtrim({names}, ',') || ']' AS record_types FROM ("
        f"SELECT e.patron_id AS patron_id, MIN(e.created_at) AS first_opened_at, "
        f"COUNT(*) AS openings, MAX(p.id) IS NOT NULL AS on_file, {flags} "
        f"FROM {audit} e LEFT JOIN {patrons} p ON p.id = e.patron_id AND p.library_id = %s "
        f"WHERE e.action = %s AND e.library_id = %s AND e.actor_id IN ({marks}) "
        f"AND e.created_at >= %s AND e.created_at <= %s AND e.patron_id IS NOT NULL "
        f"GROUP BY e.patron_id) AS grouped",
        [
            *keys,
            breach.library_id,
            AuditAction.RECORDS_OPENED.value,
            breach.library_id,
            *accounts,
            _time(breach.window_start),
            _time(breach.window_end),
        ],
    )


def _time(value: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def write_listing(breach: Breach, accounts: list[int], added_by: Any) -> Listing:
    """Bring the breach's list up to date with the openings in scope: patrons found again
    keep their row (first opening, count and types brought up to date, rows added by hand
    too); new ones are added; patrons no longer in scope are taken off the list unless they
    were added by hand or their notice has gone."""
    quote = connection.ops.quote_name
    table = quote(AffectedPatron._meta.db_table)
    json = _sql("json")
    written = Listing()
    with connection.cursor() as cursor:
        _find(cursor, breach, accounts)
        cursor.execute(
            "SELECT COALESCE(SUM(openings), 0), "  # noqa: S608 (our temporary table)
            "COALESCE(SUM(CASE WHEN on_file THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN on_file THEN 0 ELSE 1 END), 0) FROM {FOUND}"
        )
        written.events, written.patrons, written.gone = (int(n) for n in cursor.fetchone())
        cursor.execute(
            f"DELETE FROM {table} WHERE breach_id = %s AND source = %s "  # noqa: S608
            f"AND notice_status = %s AND patron_id NOT IN "
            f"(SELECT patron_id FROM {FOUND} WHERE on_file)",
            [breach.pk, Source.AUDIT.value, NoticeStatus.PENDING.value],
        )
        written.removed = cursor.rowcount
        cursor.execute(
            f"UPDATE {table} SET first_opened_at = f.first_opened_at, "  # noqa: S608
            f"openings = f.openings, record_types = {json.format('f.record_types')} "
            f"FROM {FOUND} f WHERE {table}.breach_id = %s "
            f"AND {table}.patron_id = f.patron_id AND f.on_file "
            f"AND (COALESCE({table}.first_opened_at <> f.first_opened_at, TRUE) "
            f"OR {table}.openings <> f.openings "
            f"OR {json.format(f'{table}.record_types')} <> {json.format('f.record_types')})",
            [breach.pk],
        )
        written.updated = cursor.rowcount
        set_here = (
            "breach_id",
            "patron_id",
            "source",
            "first_opened_at",
            "openings",
            "record_types",
            "added_at",
            "added_by_id",
        )
        others = columns_left_out(AffectedPatron, set_here)
        columns = ", ".join(quote(c) for c in (*set_here, *(f.column for f in others)))
        default_marks = "".join(", %s" for _ in others)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "  # noqa: S608 (the model's names)
            f"SELECT %s, f.patron_id, %s, f.first_opened_at, f.openings, "
            f"{json.format('f.record_types')}, %s, %s{default_marks} FROM {FOUND} f "
            f"WHERE f.on_file AND NOT EXISTS (SELECT 1 FROM {table} a "
            f"WHERE a.breach_id = %s AND a.patron_id = f.patron_id) ORDER BY f.patron_id",
            [
                breach.pk,
                Source.AUDIT.value,
                _time(timezone.now()),
                getattr(added_by, "pk", None),
                *stored_defaults(others, connection),
                breach.pk,
            ],
        )
        written.added = cursor.rowcount
        cursor.execute(f"DROP TABLE {FOUND}")
    return written
