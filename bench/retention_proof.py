"""Benchmark of the retention proof (CR-6a) on PostgreSQL.

Run from the project root::

    .venv/bin/python bench/retention_proof.py [--scale 1.0] [--rounds 2]

At ``--scale 1`` the database holds 10,000,000 audit events (each with a patron id, as
record openings and patron views have) and 1,000,000 loans (a tenth still out and linked, the
rest returned and unlinked, as retention leaves them) over 100,000 patrons of the demo's two
libraries; ``--scale 0.1`` is a tenth of each, for a quick run.  The rows are written with
``INSERT ... SELECT ... FROM generate_series`` (the set-up time is printed, not measured),
then ``VACUUM ANALYZE``.

Measured, in the same run and alternating over ``--rounds`` rounds (the best of each):

* the proof: :func:`bookwarden.patrons.retention_proof.prove` over every library, which
  finds the links from the models and runs every check (record types per rule, side links,
  sessions, the audit log);
* the baseline: a raw SQL scan of the same rows, ``SELECT library_id, count(*) ... WHERE
  patron_id IS NOT NULL GROUP BY library_id`` over the audit events and over the loans.

Goal: the proof under 2 minutes at full size.  The database ``bw_proof_bench`` is created
and dropped through the server's ``test`` database.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from harness import emit, log, run_worker, setup_django, verdict

PG_DB_NAME = "bw_proof_bench"
GOAL_SECONDS = 120.0
AUDIT_EVENTS = 10_000_000
LOANS = 1_000_000
PATRONS = 100_000


def _sql_value(field: Any) -> str:
    """A constant for a NOT NULL column the fill does not set."""
    from django.db import models

    if isinstance(field, models.BooleanField):
        return "true" if field.default is True else "false"
    if isinstance(field, models.DateTimeField):
        return "now()"
    if isinstance(field, models.DateField):
        return "current_date"
    if isinstance(field, models.JSONField):
        return "'[]'::jsonb"
    if isinstance(field, models.CharField | models.TextField):
        default = field.default if isinstance(field.default, str) else ""
        return "'" + default.replace("'", "''") + "'"
    return "0"


def fill(model: Any, count: int, values: dict[str, str]) -> None:
    """``count`` rows of ``model`` in one ``INSERT ... SELECT`` over ``generate_series``
    (``g.i`` is 1..count): the columns in ``values`` as given, the other NOT NULL columns
    a constant, the nullable ones NULL."""
    from django.db import connection

    columns, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in values:
            continue
        if f.column in values:
            expr = values[f.column]
        elif f.null:
            continue
        else:
            expr = _sql_value(f)
        columns.append(f.column)
        exprs.append(expr)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM generate_series(1, {int(count)}) AS g(i)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def worker(scale: float, rounds: int) -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bookwarden.audit.models import AuditEvent
    from bookwarden.core.demo import build_demo
    from bookwarden.core.models import Library
    from bookwarden.patrons.models import Loan, Patron
    from bookwarden.patrons.retention_proof import prove

    events, loans, patrons = (int(n * scale) for n in (AUDIT_EVENTS, LOANS, PATRONS))
    call_command("migrate", verbosity=0)
    build_demo(with_mfa=False)
    libs = list(Library.objects.order_by("pk").values_list("pk", flat=True))
    lib = f"(ARRAY{libs})[1 + g.i % {len(libs)}]"

    started = time.monotonic()
    log(f"filling {patrons:,} patrons, {loans:,} loans, {events:,} audit events")
    fill(Patron, patrons, {"library_id": lib, "last_name": "'Reader'"})
    first = Patron.objects.order_by("pk").values_list("pk", flat=True)[0]
    # The patron of row i belongs to the row's library: patrons alternate libraries too.
    patron = f"{first} + (g.i % {patrons // len(libs)}) * {len(libs)} + (g.i % {len(libs)})"
    fill(
        Loan,
        loans,
        {
            "library_id": lib,
            "patron_id": f"CASE WHEN g.i % 10 = 0 THEN {patron} END",
            "item_barcode": "g.i::text",
            "title": "'A title'",
            "checked_out_at": "now() - interval '60 days' + g.i * interval '1 second'",
            "returned_at": "CASE WHEN g.i % 10 = 0 THEN NULL ELSE now() - interval '1 day' END",
            "amount_owed": "0",
        },
    )
    base = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    fill(
        AuditEvent,
        events,
        {
            "seq": f"{base} + g.i",
            "created_at": f"now() - ({events} - g.i) * interval '100 milliseconds'",
            "action": "CASE WHEN g.i % 3 = 0 THEN 'patron.records_opened' ELSE 'patron.viewed' END",
            "target_type": "'patrons.patron'",
            "target_id": f"({patron})::text",
            "library_id": lib,
            "patron_id": patron,
            "purpose": "'desk'",
            "request_id": "''",
            "after": """'{"record_types": ["loans"]}'::jsonb""",
            "prev_hash": "md5('p' || g.i) || md5('q' || g.i)",
            "hash": "md5('h' || g.i) || md5('k' || g.i)",
        },
    )
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    setup_seconds = time.monotonic() - started
    log(f"set-up took {setup_seconds:.0f} s")

    raw_sql = [
        "SELECT library_id, count(*) FROM audit_auditevent WHERE patron_id IS NOT NULL "
        "GROUP BY library_id",
        "SELECT library_id, count(*) FROM patrons_loan WHERE patron_id IS NOT NULL "
        "GROUP BY library_id",
    ]
    proof_times, raw_times = [], []
    for n in range(rounds):
        t = time.monotonic()
        with connection.cursor() as cursor:
            for sql in raw_sql:
                cursor.execute(sql)
                cursor.fetchall()
        raw_times.append(time.monotonic() - t)
        t = time.monotonic()
        result = prove()
        proof_times.append(time.monotonic() - t)
        log(f"round {n + 1}: raw {raw_times[-1]:.2f} s, proof {proof_times[-1]:.2f} s")
        assert result.ok, result.findings
    emit(
        {
            "scale": scale,
            "audit_events": events,
            "loans": loans,
            "setup_seconds": setup_seconds,
            "proof_seconds": min(proof_times),
            "raw_seconds": min(raw_times),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._worker:
        worker(args.scale, args.rounds)
        return
    result = run_worker(
        __file__,
        "postgres",
        args.pg_url,
        PG_DB_NAME,
        lambda _data_dir: ["--scale", str(args.scale), "--rounds", str(args.rounds)],
    )
    ratio = result["proof_seconds"] / max(result["raw_seconds"], 1e-9)
    print(
        f"retention proof over {result['audit_events']:,} audit events and "
        f"{result['loans']:,} loans (PostgreSQL, scale {result['scale']}):\n"
        f"  set-up (generate_series fill, VACUUM ANALYZE): {result['setup_seconds']:.0f} s\n"
        f"  proof: {result['proof_seconds']:.2f} s   raw scan of the same rows: "
        f"{result['raw_seconds']:.2f} s   ratio {ratio:.2f}\n"
        f"  goal: proof under {GOAL_SECONDS:.0f} s at full size: "
        f"{verdict(result['proof_seconds'] < GOAL_SECONDS)}"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
