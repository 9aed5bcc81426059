"""Benchmark of the tamper-evident audit log, on SQLite and on PostgreSQL.

Run from the project root::

    .venv/bin/python bench/audit.py [--db sqlite|postgres|both] [--events N] [--append N]

Three figures per database, each against a raw baseline measured in the same run:

A. append: ``record()`` one event per transaction (``with transaction.atomic(): record(...)``)
   vs. a raw ``INSERT`` of the same row through the Django cursor, one per transaction,
   without chaining (the honest baseline: issue 16).  The same ``AuditEvent(...)`` built
   with a precomputed place and dummy hash and saved with ``save(force_insert=True)`` (the
   ORM path ``record()`` uses) is measured too, for information: its gap to ``record()`` is
   the cost of chaining (head lock and read, normalisation, hashing).  Each side writes
   to its own fresh table of identical definition (the audit table and two clones of it; the
   plain side points the AuditEvent model at its clone), and the sides run interleaved in
   blocks (--block) so that noise on this shared machine falls on all of them; rates are
   totals over --append-rounds rounds.  Goal >= 0.7.
B. verify: ``verify_chain()`` over N events (default 1,000,000) vs. a raw loop that runs the
   same SELECT on a plain DB-API cursor (sqlite3 fetchmany; a psycopg server-side named
   cursor on PostgreSQL) and hashes the same values with ``chain.event_hash``.  Goal >= 0.5.
C. memory: peak RSS (VmHWM from /proc, else ``getrusage``) of ``verify_chain()`` in a fresh
   process, at a small size (default 100,000) and at N.  Flat means the ratio stays near 1
   (goal <= 1.5).

Each database runs in its own subprocess (settings are read at import): SQLite in a
temporary folder, PostgreSQL in a database ``bookwarden_bench`` created and dropped through
the ``test`` database.  Django runs with ``BOOKWARDEN_DEBUG=0`` (no query logging), as in
production.  The million-event chain is generated directly (hashes computed with
``chain.event_hash``, rows written with executemany / COPY); generation is not measured.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import (
    emit,
    log,
    parse_result,
    print_report,
    rss_kb,
    run_worker,
    setup_django,
    verdict,
)

from bookwarden.audit.chain import HASHED_FIELDS

PG_DB_NAME = "bookwarden_bench"
APPEND_GOAL = 0.7
VERIFY_GOAL = 0.5
MEMORY_GOAL = 1.5


# ------------------------------------------------------------------------------------------
# Inside a database subprocess (Django configured from the environment)
# ------------------------------------------------------------------------------------------


def event_templates() -> list[dict[str, Any]]:
    """A realistic mix of events; ids are filled in per event by :func:`event_fields`."""
    from bookwarden.audit.models import AuditAction as A

    return [
        {"action": A.LOGIN, "actor": True, "subject": "self"},
        {"action": A.LOGIN_FAILED, "subject": "other"},
        {
            "action": A.ROLE_CHANGED,
            "actor": True,
            "library": True,
            "target": "core.membership",
            "subject": "other",
            "before": {"role": "staff", "branch_id": None},
            "after": {"role": "manager", "branch_id": 3},
        },
        {
            "action": A.LIBRARY_SETTINGS_CHANGED,
            "actor": True,
            "library": True,
            "target": "core.library",
            "before": {"idle_timeout_minutes": 15, "jurisdiction": "US-IL"},
            "after": {"idle_timeout_minutes": 10, "jurisdiction": "US-IL"},
        },
        {"action": A.AUDIT_VIEWED, "actor": True, "library": True, "purpose": "monthly review"},
        {
            "action": A.STAFF_CREATED,
            "actor": True,
            "library": True,
            "target": "core.user",
            "subject": "other",
            "after": {"username": "circ.desk.7", "is_active": True},
        },
        {"action": A.MFA_ADDED, "actor": True, "subject": "self"},
        {
            "action": A.AUDIT_EXPORTED,
            "actor": True,
            "library": True,
            "patron": True,
            "purpose": "records request #2291",
        },
        {"action": A.LOGOUT, "actor": True, "subject": "self"},
    ]


def event_fields(i: int, templates: list[dict[str, Any]]) -> dict[str, Any]:
    """The model-level values of event ``i`` (0-based), without seq, time or hashes."""
    t = templates[i % len(templates)]
    actor = 1 + (i * 7) % 50 if t.get("actor") else None
    subject = {"self": actor, "other": 1 + (i * 13) % 50}.get(t.get("subject", ""))
    library = 1 + (i * 3) % 20 if t.get("library") else None
    target_type = t.get("target", "")
    target_id = str(1 + (i * 11) % 997) if target_type else ""
    return {
        "actor_id": actor,
        "action": str(t["action"]),
        "target_type": target_type,
        "target_id": target_id,
        "library_id": library,
        "subject_user_id": subject,
        "patron_id": 100000 + i % 5000 if t.get("patron") else None,
        "purpose": t.get("purpose"),
        "before": t.get("before"),
        "after": t.get("after"),
    }


def table() -> str:
    from bookwarden.audit.models import AuditEvent

    return AuditEvent._meta.db_table


PLAIN_TABLE = "bench_plain_auditevent"
RAW_TABLE = "bench_raw_auditevent"


def reset_table(name: str | None = None) -> None:
    """Empty an audit table (bypassing the append-only guards: this is a scratch DB)."""
    from django.db import connection

    name = name or table()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The audit table refuses TRUNCATE (a trigger): off for the scratch database.
            cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
            cursor.execute(f"TRUNCATE {name} RESTART IDENTITY")
            cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
        else:
            cursor.execute(f"DELETE FROM {name}")
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [name])


def clone_table(name: str) -> None:
    """A table identical to the audit table (columns, constraints, indexes), empty."""
    from django.db import connection

    source = table()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE {name} (LIKE {source} INCLUDING ALL)")
            return
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
            "ORDER BY type DESC",  # the table first, then its indexes
            [source],
        )
        for (ddl,) in cursor.fetchall():
            ddl = re.sub(r'INDEX "([^"]+)"', rf'INDEX "{name}__\1"', ddl, count=1)
            cursor.execute(ddl.replace(f'"{source}"', f'"{name}"'))


@contextlib.contextmanager
def audit_table(name: str) -> Iterator[None]:
    """Point the AuditEvent model at another (identical) table for a while."""
    from bookwarden.audit.models import AuditEvent

    meta = AuditEvent._meta
    original = meta.db_table

    def point_at(db_table: str) -> None:
        meta.db_table = db_table
        for field in meta.concrete_fields:  # Field.cached_col remembers the table
            field.__dict__.pop("cached_col", None)

    point_at(name)
    try:
        yield
    finally:
        point_at(original)


INSERT_COLUMNS = (*HASHED_FIELDS, "prev_hash", "hash")


# --- A. append ------------------------------------------------------------------------------


def bench_append(n: int, rounds: int, block: int) -> dict[str, Any]:
    """Chained vs. plain appends, interleaved in blocks so that machine noise hits both.

    Each side writes to its own fresh, identical table: chained to the audit table through
    record(); plain to a clone through the same AuditEvent model (its table swapped), with
    the same save(force_insert=True) record() does; raw to another clone with an INSERT."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bookwarden.audit.actions import record
    from bookwarden.audit.context import audit_context
    from bookwarden.audit.models import AuditEvent
    from bookwarden.audit.verify import verify_chain
    from bookwarden.core.models import Library, Membership, User

    templates = event_templates()
    fields = [event_fields(i, templates) for i in range(n)]
    models_by_label = {"core.membership": Membership, "core.library": Library, "core.user": User}
    # record() takes model instances; callers already hold them, so build them up front.
    record_kwargs = []
    for f in fields:
        target = None
        if f["target_type"]:
            target = models_by_label[f["target_type"]](pk=int(f["target_id"]))
        record_kwargs.append(
            {
                "actor": f["actor_id"],
                "target": target,
                "library": f["library_id"],
                "subject_user": f["subject_user_id"],
                "patron": f["patron_id"],
                "purpose": f["purpose"],
                "before": f["before"],
                "after": f["after"],
            }
        )
    request_id = "bench-0123456789abcdef0123456789abcdef"
    ip = "192.0.2.44"
    dummy_prev = "f" * 64
    dummy_hashes = [f"{i:064x}" for i in range(1, n + 1)]

    def chained(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            with transaction.atomic():
                record(fields[i]["action"], **record_kwargs[i])

    def plain(lo: int, hi: int) -> None:
        with audit_table(PLAIN_TABLE):
            for i in range(lo, hi):
                with transaction.atomic():
                    AuditEvent(
                        seq=i + 1,
                        chain=fields[i]["library_id"] or 0,
                        chain_seq=i + 1,
                        created_at=timezone.now(),
                        request_id=request_id,
                        ip=ip,
                        prev_hash=dummy_prev,
                        hash=dummy_hashes[i],
                        **fields[i],
                    ).save(force_insert=True)

    cols = ", ".join(INSERT_COLUMNS)
    marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
    insert_sql = f"INSERT INTO {RAW_TABLE} ({cols}) VALUES ({marks})"
    adapt_dt = connection.ops.adapt_datetimefield_value
    dumps = json.dumps

    def raw(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            f = fields[i]
            before, after = f["before"], f["after"]
            params = [
                i + 1,
                adapt_dt(timezone.now()),
                f["actor_id"],
                f["action"],
                f["target_type"],
                f["target_id"],
                f["library_id"],
                f["subject_user_id"],
                f["patron_id"],
                f["purpose"],
                request_id,
                ip,
                None if before is None else dumps(before),
                None if after is None else dumps(after),
                f["library_id"] or 0,
                i + 1,
                dummy_prev,
                dummy_hashes[i],
            ]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(insert_sql, params)

    sides = {"plain": plain, "raw": raw, "chained": chained}
    tables = {"plain": PLAIN_TABLE, "raw": RAW_TABLE, "chained": table()}
    clone_table(PLAIN_TABLE)
    clone_table(RAW_TABLE)
    rates: dict[str, list[float]] = {name: [] for name in sides}
    with audit_context(request_id=request_id, ip=ip):
        for r in range(rounds):
            for name in sides:
                reset_table(tables[name])
            spent = dict.fromkeys(sides, 0.0)
            for b, lo in enumerate(range(0, n, block)):
                hi = min(lo + block, n)
                order = list(sides) if b % 2 == 0 else list(reversed(sides))
                for name in order:
                    t0 = time.perf_counter()
                    sides[name](lo, hi)
                    spent[name] += time.perf_counter() - t0
            for name in sides:
                rates[name].append(n / spent[name])
            log(
                f"  append round {r + 1}: "
                + "  ".join(f"{name} {n / spent[name]:6.0f}/s" for name in sides)
                + f"  ratio {spent['plain'] / spent['chained']:.2f}"
            )
            check = verify_chain()
            if not (check.ok and check.events == n):
                raise SystemExit(f"record() built a broken chain: {check}")
    for name in sides:
        reset_table(tables[name])
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {PLAIN_TABLE}")
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    # Over all rounds: total events / total time of each side.
    rate = {name: len(values) / sum(1 / v for v in values) for name, values in rates.items()}
    return {
        "n": n,
        "chained": rate["chained"],
        "plain": rate["plain"],
        "raw": rate["raw"],
        "rounds": rates,
        "ratio": rate["chained"] / rate["plain"],
        "ratio_raw": rate["chained"] / rate["raw"],
    }


# --- B. generating a valid chain fast -------------------------------------------------------


class ChainWriter:
    """Appends a valid chain in batches, continuing from the current head."""

    def __init__(self) -> None:
        from bookwarden.audit.chain import GENESIS_HASH

        self.seq = 0
        self.genesis = GENESIS_HASH
        #: {chain: (its last place, that event's hash)}
        self.heads: dict[int, tuple[int, str]] = {}
        self.templates = event_templates()
        self.base = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
        from bookwarden.audit.chain import normalize_ip

        self.ips = [
            normalize_ip(f"192.0.2.{k % 250 + 1}" if k % 5 else f"2001:db8::{k:x}")
            for k in range(997)
        ]

    def _rows(self, count: int, sqlite: bool) -> Iterator[tuple[Any, ...]]:
        """The next ``count`` events as stored rows, hashed over the values Django reads."""
        from bookwarden.audit.chain import event_hash

        base, step = self.base, datetime.timedelta(microseconds=1_234_567)
        templates = self.templates
        # JSON as stored (text), per template: the values repeat.
        json_text = [
            tuple(None if t.get(k) is None else json.dumps(t[k]) for k in ("before", "after"))
            for t in templates
        ]
        # Stored as record() stores them: normalised, so that PostgreSQL's inet returns the
        # same text ("2001:db8::0" would come back as "2001:db8::").
        ips = self.ips
        heads = self.heads
        first = self.seq + 1
        self.seq += count
        for seq in range(first, first + count):
            f = event_fields(seq - 1, templates)
            created_at = base + step * seq
            values = (
                seq,
                created_at,
                f["actor_id"],
                f["action"],
                f["target_type"],
                f["target_id"],
                f["library_id"],
                f["subject_user_id"],
                f["patron_id"],
                f["purpose"],
                f"req-{seq:028x}",
                ips[seq % len(ips)],
                f["before"],
                f["after"],
            )
            chain = f["library_id"] or 0
            place, prev = heads.get(chain, (0, self.genesis))
            hashed = (*values, chain, place + 1)
            digest = event_hash(prev, hashed)
            before, after = json_text[(seq - 1) % len(templates)]
            # What Django stores: on SQLite naive UTC text for times; JSON as text.
            stored_time = created_at.replace(tzinfo=None).isoformat(" ") if sqlite else created_at
            yield (seq, stored_time, *values[2:12], before, after, chain, place + 1, prev, digest)
            heads[chain] = (place + 1, digest)

    def append(self, count: int, batch: int = 50_000) -> None:
        """Rows are streamed as they are hashed (PostgreSQL works on COPY meanwhile)."""
        from django.db import connection, transaction

        cols = ", ".join(INSERT_COLUMNS)
        if connection.vendor == "postgresql":
            done = 0
            while done < count:
                size = min(batch, count - done)
                with transaction.atomic(), connection.cursor() as cursor:
                    sql = f"COPY {table()} ({cols}) FROM STDIN"
                    with cursor.cursor.copy(sql) as copy:
                        for row in self._rows(size, sqlite=False):
                            copy.write_row(row)
                done += size
            return
        # SQLite: a connection of its own with a large cache; the indexes on random hashes
        # otherwise make a million inserts crawl.  Closed before anything is measured.
        import sqlite3

        conn = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        try:
            conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
            conn.execute("PRAGMA synchronous = OFF")
            marks = ", ".join(["?"] * len(INSERT_COLUMNS))
            done = 0
            while done < count:
                size = min(batch, count - done)
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    f"INSERT INTO {table()} ({cols}) VALUES ({marks})",
                    self._rows(size, sqlite=True),
                )
                conn.execute("COMMIT")
                done += size
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()


# --- B. verify vs. a raw loop ---------------------------------------------------------------


def verify_sql() -> str:
    from bookwarden.audit.chain import HASHED_FIELDS
    from bookwarden.audit.models import AuditEvent

    qs = (
        AuditEvent.objects.filter(chain__isnull=False)
        .order_by("chain", "chain_seq")
        .values_list("id", "prev_hash", "hash", *HASHED_FIELDS)
    )
    sql, params = qs.query.sql_with_params()
    assert not params
    return sql


def raw_verify(chunk: int = 5000) -> tuple[int, bool]:
    """The same SELECT on a plain DB-API cursor, checking places, links and hashes the same
    way, chain by chain."""
    from django.db import connection

    from bookwarden.audit.chain import GENESIS_HASH, event_hash

    sql = verify_sql()
    settings_dict = connection.settings_dict
    loads = json.loads
    utc = datetime.UTC
    expected_prev, expected_place, chain, count, ok = GENESIS_HASH, 1, None, 0, True

    def walk(rows_iter: Any, convert: Any) -> None:
        nonlocal expected_prev, expected_place, chain, count, ok
        for rows in rows_iter:
            for row in rows:
                count += 1
                values = convert(row)
                if values[14] != chain:
                    chain, expected_prev, expected_place = values[14], GENESIS_HASH, 1
                if (
                    values[15] != expected_place
                    or row[1] != expected_prev
                    or values[14] != (values[6] or 0)
                    or event_hash(row[1], values) != row[2]
                ):
                    ok = False
                    return
                expected_prev = row[2]
                expected_place += 1

    if connection.vendor == "postgresql":
        import psycopg
        from psycopg.types.string import TextLoader

        conninfo = psycopg.conninfo.make_conninfo(
            dbname=settings_dict["NAME"],
            user=settings_dict["USER"] or None,
            password=settings_dict["PASSWORD"] or None,
            host=settings_dict["HOST"] or None,
            port=settings_dict["PORT"] or None,
        )
        with psycopg.connect(conninfo) as conn:
            conn.adapters.register_loader("inet", TextLoader)  # as Django does: inet as str
            with conn.transaction(), conn.cursor(name="bench_raw_verify") as cur:
                cur.itersize = chunk
                cur.execute(sql)

                def batches() -> Any:
                    while rows := cur.fetchmany(chunk):
                        yield rows

                # psycopg already decodes jsonb and timestamptz: the row is the values.
                walk(batches(), lambda row: row[3:])
    else:
        import sqlite3

        lite = sqlite3.connect(settings_dict["NAME"])
        try:
            lite_cur = lite.cursor()
            lite_cur.execute(sql)
            fromiso = datetime.datetime.fromisoformat

            def lite_batches() -> Any:
                while rows := lite_cur.fetchmany(chunk):
                    yield rows

            def convert(row: tuple[Any, ...]) -> list[Any]:
                values = list(row[3:])
                values[1] = fromiso(values[1]).replace(tzinfo=utc)
                if values[12] is not None:
                    values[12] = loads(values[12])
                if values[13] is not None:
                    values[13] = loads(values[13])
                return values

            walk(lite_batches(), convert)
        finally:
            lite.close()
    return count, ok


def bench_verify(n: int, rounds: int) -> dict[str, Any]:
    from bookwarden.audit.verify import verify_chain

    rates: dict[str, list[float]] = {"verify": [], "raw": []}
    for r in range(rounds):
        order = ["raw", "verify"] if r % 2 == 0 else ["verify", "raw"]
        for name in order:
            t0 = time.perf_counter()
            if name == "verify":
                result = verify_chain()
                events, ok = result.events, result.ok
            else:
                events, ok = raw_verify()
            elapsed = time.perf_counter() - t0
            if not ok or events != n:
                raise SystemExit(f"{name} over the generated chain: ok={ok}, events={events}")
            rates[name].append(n / elapsed)
            log(f"  verify {name:6s} round {r + 1}: {n / elapsed:9.0f} events/s ({elapsed:.1f}s)")
    rate = {name: len(values) / sum(1 / v for v in values) for name, values in rates.items()}
    return {
        "n": n,
        "verify": rate["verify"],
        "raw": rate["raw"],
        "rounds": rates,
        "ratio": rate["verify"] / rate["raw"],
    }


# --- C. memory ------------------------------------------------------------------------------


def measure_memory(expected: int) -> dict[str, Any]:
    """Run verify_chain() in a fresh process and report its peak RSS."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--_memory"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    result = parse_result(proc.stdout)
    if not result["ok"] or result["events"] != expected:
        raise SystemExit(f"verify in the memory probe failed: {result}")
    log(
        f"  memory at {expected:,} events: peak {result['peak_kb'] / 1024:.1f} MiB "
        f"(before verify {result['before_kb'] / 1024:.1f} MiB)"
    )
    return result


def memory_probe() -> int:
    setup_django()
    from django.db import connection

    from bookwarden.audit.verify import verify_chain

    connection.ensure_connection()
    before = rss_kb("VmRSS")
    t0 = time.perf_counter()
    result = verify_chain()
    elapsed = time.perf_counter() - t0
    emit(
        {
            "events": result.events,
            "ok": result.ok,
            "before_kb": before,
            "peak_kb": rss_kb(),
            "seconds": elapsed,
        }
    )
    return 0


# --- one database, start to finish ----------------------------------------------------------


def database_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    vendor = connection.vendor
    parts = set(args.parts.split(","))
    out: dict[str, Any] = {"vendor": vendor}
    log(f"{vendor}: migrating a fresh database")
    call_command("migrate", verbosity=0, interactive=False)

    if "append" in parts:
        log(f"{vendor}: A. append, {args.append:,} events per side, {args.append_rounds} round(s)")
        out["append"] = bench_append(args.append, args.append_rounds, args.block)

    if parts & {"verify", "memory"}:
        small = min(args.memory_small, args.events)
        log(f"{vendor}: generating {args.events:,} chained events (not measured)")
        writer = ChainWriter()
        t0 = time.perf_counter()
        writer.append(small)
        if "memory" in parts:
            connection.close()  # the memory probe runs in its own process
            log(f"{vendor}: C. memory of verify_chain() at {small:,} events")
            memory_small = measure_memory(small)
        writer.append(args.events - small)
        out["generate_seconds"] = time.perf_counter() - t0
        log(f"{vendor}: generated {args.events:,} events in {out['generate_seconds']:.0f}s")
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {table()}")
        connection.close()
        if "memory" in parts:
            log(f"{vendor}: C. memory of verify_chain() at {args.events:,} events")
            out["memory"] = {"small": memory_small, "large": measure_memory(args.events)}
        if "verify" in parts:
            log(f"{vendor}: B. verify over {args.events:,} events, {args.verify_rounds} round(s)")
            out["verify"] = bench_verify(args.events, args.verify_rounds)
            connection.close()
    emit(out)
    return 0


# ------------------------------------------------------------------------------------------
# The parent: databases, subprocesses, the table
# ------------------------------------------------------------------------------------------


def run_database(db: str, args: argparse.Namespace) -> dict[str, Any]:
    def worker_args(data_dir: str) -> list[str]:
        return [
            f"--events={args.events}",
            f"--append={args.append}",
            f"--append-rounds={args.append_rounds}",
            f"--verify-rounds={args.verify_rounds}",
            f"--block={args.block}",
            f"--parts={args.parts}",
            f"--memory-small={args.memory_small}",
        ]

    return run_worker(__file__, db, args.pg_url, PG_DB_NAME, worker_args)


def print_table(results: dict[str, dict[str, Any]]) -> bool:
    all_ok = True
    lines = []
    for db, r in results.items():
        if "append" in r:
            a = r["append"]
            ok_a = a["ratio_raw"] >= APPEND_GOAL
            all_ok = all_ok and ok_a
            lines.append(
                f"{db:8s} append  chained {a['chained']:8.0f}/s  raw INSERT {a['raw']:8.0f}/s  "
                f"ratio {a['ratio_raw']:.2f} (goal >= {APPEND_GOAL})  {verdict(ok_a)}"
                f"   [ORM save {a['plain']:.0f}/s, ratio {a['ratio']:.2f}; "
                f"{a['n']:,} events/side]"
            )
        if "verify" in r:
            v = r["verify"]
            ok_v = v["ratio"] >= VERIFY_GOAL
            all_ok = all_ok and ok_v
            lines.append(
                f"{db:8s} verify  verify  {v['verify']:8.0f}/s  raw   {v['raw']:8.0f}/s  "
                f"ratio {v['ratio']:.2f} (goal >= {VERIFY_GOAL})  {verdict(ok_v)}"
                f"   [{v['n']:,} events; verify {v['n'] / v['verify']:.1f}s, "
                f"raw {v['n'] / v['raw']:.1f}s]"
            )
        if "memory" in r:
            small, large = r["memory"]["small"], r["memory"]["large"]
            mem_ratio = large["peak_kb"] / small["peak_kb"]
            ok_m = mem_ratio <= MEMORY_GOAL
            all_ok = all_ok and ok_m
            lines.append(
                f"{db:8s} memory  peak RSS {small['events']:,} ev {small['peak_kb'] / 1024:.1f} MiB"
                f"  {large['events']:,} ev {large['peak_kb'] / 1024:.1f} MiB  "
                f"ratio {mem_ratio:.2f} (goal <= {MEMORY_GOAL})  {verdict(ok_m)}"
                f"   [growth during verify: "
                f"{(small['peak_kb'] - small['before_kb']) / 1024:.1f} MiB vs "
                f"{(large['peak_kb'] - large['before_kb']) / 1024:.1f} MiB]"
            )
    heading = [
        "Audit log benchmark  (rates over all rounds; plain = same AuditEvent(...).save(",
        "force_insert=True) with a precomputed seq and dummy hash, one per atomic(); raw verify",
        "= same SELECT on a plain DB-API cursor + chain.event_hash on the same values)",
    ]
    print_report(heading, lines)
    return all_ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--events", type=int, default=1_000_000, help="events for verify (B, C)")
    parser.add_argument("--append", type=int, default=5_000, help="events per append side (A)")
    parser.add_argument(
        "--append-rounds", type=int, default=3, help="rounds of A (totals over all rounds)"
    )
    parser.add_argument(
        "--verify-rounds", type=int, default=2, help="rounds of B (totals over all rounds)"
    )
    parser.add_argument(
        "--block", type=int, default=250, help="append: events per interleaved block (A)"
    )
    parser.add_argument(
        "--memory-small", type=int, default=100_000, help="smaller chain for the memory test (C)"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (without a database name); default %(default)s",
    )
    parser.add_argument(
        "--parts",
        default="append,verify,memory",
        help="comma-separated subset of append,verify,memory (default: all)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = (args.events, args.append, args.memory_small, args.block)
    if min(*sizes, args.append_rounds, args.verify_rounds) < 1:
        parser.error("sizes and rounds must be positive")
    if not args.parts or not set(args.parts.split(",")) <= {"append", "verify", "memory"}:
        parser.error("--parts takes append, verify and/or memory")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args._memory:
        return memory_probe()
    if args._worker:
        return database_worker(args)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {}
    started = time.perf_counter()
    for db in dbs:
        log(f"=== {db} ===")
        results[db] = run_database(db, args)
    all_ok = print_table(results)
    print(f"total {time.perf_counter() - started:.0f}s")
    return 1 if (args.strict and not all_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
