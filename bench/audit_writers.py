"""Benchmark: the audit log with 8 concurrent writers on PostgreSQL (issue 16, CC-6).

Run from the project root::

    .venv/bin/python bench/audit_writers.py [--writers 8] [--seconds 10] [--strict]

A consortium's libraries write at the same time: each writer here is a process of its own
(as gunicorn's workers and the job loop are), on its own connection, appending events one
per transaction for ``--seconds`` after all have started together.  Three ways, each in
the same run, on a fresh database ``bookwarden_bench_writers``:

- **record, one library each**: ``record()`` through the action's path, every writer for a
  different library, so each appends to its own library's chain;
- **record, all one library**: the same, every writer for the same library (one chain:
  they queue on its lock; what every write did when there was one chain for all);
- **raw INSERT**: the same row, with a dummy place and hash, by a plain ``INSERT`` into a
  clone of the table, one per transaction: the baseline, no chain at all.

Goal: at least 2,000 events a second sustained with 8 writers of different libraries.
At the end ``audit verify`` must pass over everything written.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
from typing import Any

from harness import emit, log, run_worker, setup_django, verdict

DB_NAME = "bookwarden_bench_writers"
RATE_GOAL = 2000.0
CLONE = "bench_writers_raw"


def writer(mode: str, n: int, seconds: float, start: Any, counts: Any) -> None:
    """One writer process: append until the time is up, then report how many."""
    setup_django()
    from django.db import connection, transaction

    from bookwarden.audit.actions import record
    from bookwarden.audit.context import audit_context

    library = 1 if mode == "one_library" else 1 + n
    after = {"filters": {"action": "patron.searched"}, "page": 1}
    connection.ensure_connection()
    if mode == "raw":
        sql = (
            f"INSERT INTO {CLONE} (seq, chain, chain_seq, created_at, actor_id, action, "
            "target_type, target_id, library_id, purpose, request_id, ip, after, prev_hash, "
            "hash) VALUES (%s, %s, %s, now(), %s, %s, '', '', %s, NULL, %s, %s, %s, %s, %s)"
        )
    start.wait()
    done = 0
    deadline = time.perf_counter() + seconds
    with audit_context(request_id=f"writer-{n}", ip="10.0.0.7"):
        while time.perf_counter() < deadline:
            if mode == "raw":
                key = n * 10_000_000 + done + 1
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        sql,
                        [
                            key,
                            library,
                            key,
                            7,
                            "audit.viewed",
                            library,
                            f"writer-{n}",
                            "10.0.0.7",
                            json.dumps(after),
                            "f" * 64,
                            f"{key:064x}",
                        ],
                    )
            else:
                with transaction.atomic():
                    record("audit.viewed", actor=7, library=library, after=after)
            done += 1
    counts[n] = done
    connection.close()


def run_mode(mode: str, writers: int, seconds: float) -> float:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(writers)
    counts = ctx.Array("l", writers)
    procs = [
        ctx.Process(target=writer, args=(mode, n, seconds, start, counts)) for n in range(writers)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise SystemExit(f"a {mode} writer failed (exit {proc.exitcode})")
    total = sum(counts[:])
    log(f"  {mode:12s} {total:7,} events in {seconds:.0f}s: {total / seconds:7.0f}/s")
    return total / seconds


def worker_main(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bookwarden.audit.models import AuditEvent
    from bookwarden.audit.verify import verify_chain

    call_command("migrate", verbosity=0, interactive=False)
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {CLONE} (LIKE {table} INCLUDING ALL)")
    connection.close()
    rates: dict[str, list[float]] = {"libraries": [], "one_library": [], "raw": []}
    for r in range(args.rounds):
        log(f"round {r + 1} of {args.rounds}, {args.writers} writers")
        order = list(rates) if r % 2 == 0 else list(reversed(rates))
        for mode in order:
            if mode == "raw":
                with connection.cursor() as cursor:
                    cursor.execute(f"TRUNCATE {CLONE}")
                connection.close()
            rates[mode].append(run_mode(mode, args.writers, args.seconds))
    result = verify_chain()
    if not result.ok:
        raise SystemExit(f"the chains written do not verify: {result.reason}")
    chains = AuditEvent.objects.values("chain").distinct().count()
    emit(
        {
            "rates": {mode: sum(v) / len(v) for mode, v in rates.items()},
            "events": result.events,
            "chains": chains,
        }
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if the goal is missed")
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._worker:
        return worker_main(args)
    out = run_worker(
        __file__,
        "postgres",
        args.pg_url,
        DB_NAME,
        lambda _: [
            f"--writers={args.writers}",
            f"--seconds={args.seconds}",
            f"--rounds={args.rounds}",
        ],
    )
    rates = out["rates"]
    ok = rates["libraries"] >= RATE_GOAL
    print()
    print(f"Audit log, {args.writers} concurrent writers on PostgreSQL, one event per transaction")
    print("-" * 92)
    print(
        f"record(), each writer its own library  {rates['libraries']:7.0f}/s  "
        f"ratio to raw INSERT {rates['libraries'] / rates['raw']:.2f}  "
        f"goal >= {RATE_GOAL:.0f}/s  {verdict(ok)}"
    )
    print(
        f"record(), all writers one library      {rates['one_library']:7.0f}/s  "
        f"ratio to raw INSERT {rates['one_library'] / rates['raw']:.2f}  (one chain)"
    )
    print(f"raw INSERT, no chain (baseline)        {rates['raw']:7.0f}/s")
    print("-" * 92)
    print(f"verify passed over {out['events']:,} events in {out['chains']} chains")
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the end: {load} ({os.cpu_count()} CPUs)")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
