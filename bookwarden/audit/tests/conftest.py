"""Helpers of the audit tests: running ``audit verify`` and tampering with raw SQL."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from bookwarden.audit.models import AuditEvent

TABLE = AuditEvent._meta.db_table
TRIGGER = "audit_event_append_only"


def run_verify(*args: str) -> tuple[int, str]:
    """``audit verify``: (exit code, everything it printed)."""
    out = io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    return code, out.getvalue()


ANCHOR_KEYS = ("anchor", "anchors_checked", "warnings")


def verify_report(*args: str) -> tuple[int, dict[str, Any]]:
    """``audit verify``: (exit code, the one JSON line it printed, whole)."""
    code, text = run_verify(*args)
    lines = text.splitlines()
    assert len(lines) == 1, text
    report = json.loads(lines[0])
    assert set(ANCHOR_KEYS) <= set(report), report
    return code, report


def verify_json(*args: str) -> tuple[int, dict[str, Any]]:
    """``audit verify``: (exit code, the chain's part of its answer: events, ok, first_bad
    and reason).  The anchors' part is checked by the anchor tests (``verify_report``)."""
    code, report = verify_report(*args)
    return code, {k: v for k, v in report.items() if k not in ANCHOR_KEYS}


def event_id(seq: int) -> int:
    return AuditEvent.objects.values_list("id", flat=True).get(seq=seq)


@pytest.fixture
def raw_sql(db) -> Iterator[Callable[..., None]]:
    """``raw_sql(sql, params)``: SQL that goes past the model's guards.  On PostgreSQL the
    append-only trigger is disabled for the test (inside the test's transaction, which is
    rolled back) and enabled again afterwards."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")

    def run(sql: str, params: list[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])

    yield run
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")


@pytest.fixture
def chain(db) -> list[AuditEvent]:
    """Twelve events of varied content, written the only legal way (``record``)."""
    import datetime

    from bookwarden.audit.actions import record
    from bookwarden.audit.context import audit_context
    from bookwarden.audit.models import AuditAction

    events = []
    for n in range(1, 13):
        with audit_context(request_id=f"req-{n}", ip=f"203.0.113.{n}" if n % 2 else None):
            events.append(
                record(
                    AuditAction.LIBRARY_SETTINGS_CHANGED,
                    purpose=f"purpose {n}" if n % 3 else None,
                    patron=1000 + n if n % 4 == 0 else None,
                    before={"idle_timeout_minutes": n},
                    after={"idle_timeout_minutes": n + 1, "on": datetime.date(2025, 1, n)},
                )
            )
    return events
