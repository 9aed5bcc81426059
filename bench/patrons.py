"""Benchmark of patron records: retention, import and opening records, on SQLite and PostgreSQL.

Run from the project root::

    .venv/bin/python bench/patrons.py [--db sqlite|postgres|both] [--loans N] [--import-rows N]

Three figures per database, each a ratio against a raw baseline measured in the same run:

1. retention: ``run_retention()`` (what ``bookwarden retention run`` calls, inside the same
   ``audit_context``) over N returned loans (default 1,000,000; nothing owed, patrons not
   opted in) vs. one raw ``UPDATE patrons_loan SET patron_id = NULL WHERE ...`` with the
   same conditions (library, returned, returned before now, nothing owed, still linked,
   patron not opted in) over an identical fresh copy of the rows (the table is emptied and
   the same rows written again; PostgreSQL gets VACUUM ANALYZE after each copy), each side
   twice in the order raw, run, run, raw, the best of each side's two.  Rows are
   written with executemany / COPY, not measured.  Goal: ratio <= 2.
2. import: ``import_file("loans", ...)`` of N rows in the native ``bookwarden`` CSV format
   (default 1,000,000; the patrons exist first) in a fresh process of its own, which also
   reports its peak RSS (VmHWM), vs. a raw bulk insert of the same rows into the same table
   in the worker: the same file read with ``csv.reader``, patron ids looked up in a dict,
   retention applied as the import does, rows written with executemany (SQLite) or COPY
   (PostgreSQL) in one transaction.  Goals: ratio <= 3, peak RSS < 300 MB.
3. records: the real view (test Client POST to ``patron_records`` as the staff persona,
   purpose "desk" with the patron's card, every record type) for a patron with 5,000 loans
   vs. reading the same rows directly (the ``_unguarded`` manager, the view's ordering) and
   building the same sections with the view's own ``COLUMNS`` / ``_value`` code, then
   ``render_to_string("patrons/records.html", ...)`` with the view's request.  The sides
   alternate over --rounds rounds; the medians are compared.  Goal: ratio <= 1.3.

Each database runs in its own subprocess (settings are read at import): SQLite in a
temporary folder, PostgreSQL in a database ``bookwarden_bench_patrons`` created and dropped
through the ``test`` database.  Django runs with ``BOOKWARDEN_DEBUG=0`` (no query logging).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from harness import (
    emit,
    log,
    parse_result,
    print_report,
    rss_kb,
    run_databases,
    run_worker,
    setup_django,
    verdict,
)

PG_DB_NAME = "bookwarden_bench_patrons"
RETENTION_GOAL = 2.0
IMPORT_GOAL = 3.0
MEMORY_GOAL_MB = 300
RECORDS_GOAL = 1.3


def loan_columns() -> tuple[str, ...]:
    """The loan table's columns as the importer writes them (Django must be set up)."""
    from bookwarden.patrons.importer.writers import VALUE_FIELDS

    return ("library_id", *VALUE_FIELDS)


TITLES = (
    "The Old Man and the Sea",
    "A Field Guide to Missouri Birds",
    "Cien años de soledad",
    "The Mississippi: River of History",
    "Beginning Python",
    "Quilting for Everyone",
    "Ľudové rozprávky",
    "The Complete Home Repair Manual",
)
BASE_TIME = datetime.datetime(2023, 1, 2, 9, 0, tzinfo=datetime.UTC)
RETENTION_PATRONS = 5_000
IMPORT_PATRONS = 10_000
RECORDS_LOANS = 5_000
RECORDS_CARD = "29990000000001"


# ------------------------------------------------------------------------------------------
# Inside a database subprocess (Django configured from the environment)
# ------------------------------------------------------------------------------------------


def is_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


def db_time(value: datetime.datetime | None, sqlite: bool) -> Any:
    """What Django stores: naive UTC text on SQLite, the aware value on PostgreSQL."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(" ") if sqlite else value


def write_loans(rows: Iterable[tuple[Any, ...]], batch: int = 50_000) -> None:
    """Write loan rows (:func:`loan_columns` order, values as :func:`db_time` gives) fast:
    COPY on PostgreSQL, executemany on a tuned connection of its own on SQLite."""
    from django.db import connection, transaction

    cols = ", ".join(loan_columns())
    it = iter(rows)
    if connection.vendor == "postgresql":
        sql = f"COPY patrons_loan ({cols}) FROM STDIN"
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(sql) as copy,
        ):
            for row in it:
                copy.write_row(row)
        return
    import itertools
    import sqlite3

    connection.close()
    conn = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("PRAGMA synchronous = OFF")
        marks = ", ".join(["?"] * len(loan_columns()))
        while True:
            chunk = list(itertools.islice(it, batch))
            if not chunk:
                break
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(f"INSERT INTO patrons_loan ({cols}) VALUES ({marks})", chunk)
            conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def empty_loans() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE patrons_loan RESTART IDENTITY")
        else:
            cursor.execute("DELETE FROM patrons_loan")
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'patrons_loan'")
    settle()


def settle() -> None:
    """After bulk writes: statistics and visibility on PostgreSQL, a checkpoint on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE patrons_loan")
            cursor.execute("VACUUM ANALYZE patrons_patron")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def make_patrons(library: Any, count: int, prefix: str, source: str = "") -> list[int]:
    from bookwarden.patrons.models import Patron

    patrons = [
        Patron(
            library=library,
            ils_source=source,
            ils_id=f"{prefix}{i}" if source else "",
            first_name=f"Reader{i}",
            last_name=f"Bench{prefix}",
        )
        for i in range(count)
    ]
    Patron.objects.bulk_create(patrons, batch_size=2000)
    return list(
        Patron.objects.filter(library=library, last_name=f"Bench{prefix}")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def count_sql(sql: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return int(cursor.fetchone()[0])


# --- 1. retention ---------------------------------------------------------------------------


def retention_rows(
    n: int, library_id: int, patron_ids: list[int], branch_id: int, sqlite: bool
) -> Iterator[tuple[Any, ...]]:
    np = len(patron_ids)
    for i in range(n):
        out = BASE_TIME + datetime.timedelta(minutes=i)
        yield (
            library_id,
            patron_ids[i % np],
            f"R{i}",
            f"3{i:013d}",
            TITLES[i % len(TITLES)],
            branch_id,
            db_time(out, sqlite),
            db_time(out + datetime.timedelta(days=21), sqlite),
            db_time(out + datetime.timedelta(days=3 + i % 17), sqlite),
            "0" if sqlite else 0,
        )


RAW_RETENTION_SQL = (
    "UPDATE patrons_loan SET patron_id = NULL "
    "WHERE library_id = %s AND returned_at IS NOT NULL AND returned_at <= %s "
    "AND amount_owed <= 0 AND patron_id IS NOT NULL "
    "AND NOT (patron_id IN (SELECT id FROM patrons_patron WHERE keeps_reading_history))"
)


def bench_retention(n: int, library: Any) -> dict[str, Any]:
    from django.db import connection, transaction

    from bookwarden.audit.context import audit_context, new_request_id
    from bookwarden.core.models import Branch
    from bookwarden.patrons.retention import run_retention

    vendor = connection.vendor
    sqlite = is_sqlite()
    patron_ids = make_patrons(library, RETENTION_PATRONS, "ret")
    branch_id = (
        Branch.objects.filter(library=library).order_by("pk").values_list("pk", flat=True)[0]
    )

    def fresh_copy() -> None:
        empty_loans()
        t0 = time.perf_counter()
        write_loans(retention_rows(n, library.pk, patron_ids, branch_id, sqlite=is_sqlite()))
        settle()
        log(f"{vendor}:   wrote {n:,} returned loans in {time.perf_counter() - t0:.1f}s")

    linked = "SELECT COUNT(*) FROM patrons_loan WHERE patron_id IS NOT NULL"

    def raw_update() -> float:
        now = datetime.datetime.now(datetime.UTC)
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(RAW_RETENTION_SQL, [library.pk, db_time(now, sqlite)])
            raw_rows = cursor.rowcount
        raw = time.perf_counter() - t0
        left = count_sql(linked)
        log(f"{vendor}:   raw UPDATE: {raw_rows:,} rows in {raw:.2f}s ({left} still linked)")
        if raw_rows != n or left:
            raise SystemExit(f"raw UPDATE changed {raw_rows} rows, {left} still linked")
        return raw

    def real_run() -> tuple[float, int]:
        connection.ensure_connection()
        t0 = time.perf_counter()
        with audit_context(request_id=new_request_id("bench-retention-")):
            run = run_retention()
        real = time.perf_counter() - t0
        left = count_sql(linked)
        log(
            f"{vendor}:   run_retention(): {run.counts.get('loans')} loans in {real:.2f}s "
            f"({left} still linked; status {run.status})"
        )
        if run.counts.get("loans") != n or left:
            raise SystemExit(f"retention unlinked {run.counts.get('loans')} loans, {left} linked")
        return real, run.chunk_size

    # Each side over its own identical fresh copy, in the order raw, run, run, raw (the
    # load of a shared machine and the server's checkpoints weigh on both alike); the best
    # of each side's two.
    raws: list[float] = []
    reals: list[float] = []
    chunk = 0
    for side in ("raw", "run", "run", "raw"):
        fresh_copy()
        if side == "raw":
            raws.append(raw_update())
        else:
            real, chunk = real_run()
            reals.append(real)
    empty_loans()
    raw, real = min(raws), min(reals)
    return {"n": n, "raw": raw, "real": real, "ratio": real / raw, "chunk": chunk}


# --- 2. import ------------------------------------------------------------------------------


def write_import_csv(path: Path, n: int) -> None:
    """Native loans file: 80% returned with nothing owed, 10% owed, 10% still out."""
    from bookwarden.patrons.importer.formats import LOAN_COLUMNS

    header = list(LOAN_COLUMNS)
    fmt = "%Y-%m-%d %H:%M:%S+00:00"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for i in range(n):
            out = BASE_TIME + datetime.timedelta(minutes=i)
            kind = i % 10
            returned = (
                "" if kind == 9 else (out + datetime.timedelta(days=3 + i % 17)).strftime(fmt)
            )
            w.writerow(
                [
                    f"L{i}",
                    f"imp{i % IMPORT_PATRONS}",
                    f"3{i:013d}",
                    TITLES[i % len(TITLES)],
                    out.strftime(fmt),
                    (out + datetime.timedelta(days=21)).strftime(fmt),
                    returned,
                    "1.50" if kind == 8 else "",
                    "main",
                ]
            )


def raw_import(path: Path, library: Any, batch: int = 10_000) -> int:
    """The same rows, bulk-inserted: read the file, look the patron up, apply the import's
    retention (unlink returned loans with nothing owed; no patron here keeps history)."""
    from django.db import connection, transaction

    from bookwarden.core.models import Branch
    from bookwarden.patrons.models import Patron

    sqlite = is_sqlite()
    patrons = dict(
        Patron.objects.filter(library=library, ils_source="bookwarden").values_list("ils_id", "pk")
    )
    branches = {b.slug: b.pk for b in Branch.objects.filter(library=library)}
    lib = library.pk

    def t(value: str) -> Any:
        if not value:
            return None
        return value[:19] if sqlite else value  # the file's times are UTC

    def rows() -> Iterator[tuple[Any, ...]]:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            for ils, pat, barcode, title, out, due, ret, owed, branch in reader:
                owed = owed or "0"
                patron = patrons[pat]
                if ret and owed == "0":
                    patron = None
                yield (
                    lib,
                    patron,
                    ils,
                    barcode,
                    title,
                    branches[branch],
                    t(out),
                    t(due),
                    t(ret),
                    owed,
                )

    cols = ", ".join(loan_columns())
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if not sqlite:
            with cursor.cursor.copy(f"COPY patrons_loan ({cols}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(loan_columns()))
        sql = f"INSERT INTO patrons_loan ({cols}) VALUES ({marks})"
        chunk: list[tuple[Any, ...]] = []
        for row in rows():
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def bench_import(n: int, library: Any, workdir: Path) -> dict[str, Any]:
    from django.db import connection

    vendor = connection.vendor
    make_patrons(library, IMPORT_PATRONS, "imp", source="bookwarden")
    path = workdir / "loans.csv"
    t0 = time.perf_counter()
    write_import_csv(path, n)
    log(
        f"{vendor}:   wrote {path.name} ({n:,} rows, {path.stat().st_size / 1e6:.0f} MB) "
        f"in {time.perf_counter() - t0:.1f}s"
    )
    empty_loans()
    path.read_bytes()  # in the page cache for both sides

    t0 = time.perf_counter()
    written = raw_import(path, library)
    raw = time.perf_counter() - t0
    log(f"{vendor}:   raw bulk insert: {written:,} rows in {raw:.2f}s")
    if written != n:
        raise SystemExit(f"raw insert wrote {written} rows")
    empty_loans()

    proc = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--_import",
            str(path),
            "--_library",
            library.slug,
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    probe = parse_result(proc.stdout)
    stored = count_sql("SELECT COUNT(*) FROM patrons_loan")
    log(
        f"{vendor}:   import_file(): {probe['result']['created']:,} created in "
        f"{probe['seconds']:.2f}s, peak {probe['peak_kb'] / 1024:.0f} MiB "
        f"(before {probe['before_kb'] / 1024:.0f} MiB); {stored:,} rows stored"
    )
    if probe["result"]["created"] != n or stored != n:
        raise SystemExit(f"import created {probe['result']['created']}, stored {stored}")
    empty_loans()
    path.unlink()
    return {
        "n": n,
        "raw": raw,
        "real": probe["seconds"],
        "ratio": probe["seconds"] / raw,
        "peak_kb": probe["peak_kb"],
        "before_kb": probe["before_kb"],
        "unlinked": probe["result"]["unlinked_by_retention"],
    }


def import_probe(path: str, slug: str, kind: str = "loans", source: str | None = None) -> int:
    """A fresh process: import the file as the command does; report time and peak RSS."""
    setup_django()
    from django.db import connection

    from bookwarden.audit.context import audit_context
    from bookwarden.core.models import Library
    from bookwarden.patrons.importer import import_file

    library = Library.objects.get(slug=slug)
    connection.ensure_connection()
    before = rss_kb("VmRSS")
    t0 = time.perf_counter()
    with audit_context():
        result = import_file(kind, path, library, source=source)
    elapsed = time.perf_counter() - t0
    emit({"seconds": elapsed, "peak_kb": rss_kb(), "before_kb": before, "result": result.as_dict()})
    return 0


# --- 3. opening records ---------------------------------------------------------------------


def bench_records(people: dict[str, Any], rounds: int) -> dict[str, Any]:
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client
    from django.urls import reverse

    from bookwarden.audit.models import AuditAction, AuditEvent
    from bookwarden.core.models import Library
    from bookwarden.patrons.classification import for_library
    from bookwarden.patrons.models import Card, Loan, Patron
    from bookwarden.patrons.record_access import OpenedRecords, Purpose
    from bookwarden.patrons.records import RECORD_TYPES

    vendor = connection.vendor
    staff = people["staff"]
    library = Library.objects.get(pk=staff.memberships.first().library_id)
    patron = Patron.objects.create(
        library=library, first_name="Rosa", last_name="Benchmark", keeps_reading_history=True
    )
    Card.objects.create(library=library, patron=patron, number=RECORDS_CARD)
    loans = []
    for i in range(RECORDS_LOANS):
        out = BASE_TIME + datetime.timedelta(hours=3 * i)
        returned = None if i % 25 == 0 else out + datetime.timedelta(days=2 + i % 19)
        loans.append(
            Loan(
                library=library,
                patron=patron,
                item_barcode=f"4{i:013d}",
                title=TITLES[i % len(TITLES)] + f" (vol. {i})",
                checked_out_at=out,
                due_at=out + datetime.timedelta(days=21),
                returned_at=returned,
                amount_owed="0.25" if i % 50 == 0 else "0",
            )
        )
    Loan._unguarded.bulk_create(loans, batch_size=2000)
    settle()

    client = Client(HTTP_HOST="localhost")
    client.force_login(staff, backend="allauth.account.auth_backends.AuthenticationBackend")
    url = reverse("patron_records", args=[patron.pk])
    data = {
        "purpose": Purpose.DESK,
        "card_number": RECORDS_CARD,
        "record_types": list(RECORD_TYPES),
    }

    def view() -> tuple[float, Any]:
        t0 = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - t0
        if response.status_code != 200:
            raise SystemExit(f"records view: {response.status_code} {response.content[:2000]!r}")
        return elapsed, response

    _, response = view()  # warm up (templates, caches); also gives the view's request
    request = response.wsgi_request
    event = AuditEvent.objects.filter(
        action=AuditAction.RECORDS_OPENED, patron_id=patron.pk
    ).latest("seq")
    view_body = response.content.decode()

    def direct() -> tuple[float, str]:
        """The same page without the access step: read, build the sections, render."""
        t0 = time.perf_counter()
        p = Patron.objects.select_related("library", "home_branch").get(pk=patron.pk)
        classifications = for_library(p.library)
        opened = OpenedRecords(patron=p, purpose=Purpose.DESK, record_types=list(RECORD_TYPES))
        for key, rt in RECORD_TYPES.items():
            opened.records[key] = list(
                rt.model._unguarded.filter(patron=p).order_by(f"-{rt.time_field}")  # type: ignore[attr-defined]
            )
        sections = opened.sections(classifications)
        html = render_to_string(
            "patrons/records.html",
            {
                "patron": p,
                "library": p.library,
                "purpose": Purpose.DESK.value,
                "purpose_label": Purpose.DESK.label,
                "sections": sections,
                "event": event,
            },
            request=request,
        )
        return time.perf_counter() - t0, html

    _, html = direct()
    shown = sum(1 for title in TITLES if title in view_body)
    if view_body.count("<tr") < RECORDS_LOANS or abs(len(html) - len(view_body)) > len(html) * 0.05:
        raise SystemExit(
            f"the two pages differ: view {len(view_body)} chars, {view_body.count('<tr')} rows; "
            f"direct {len(html)} chars, {html.count('<tr')} rows"
        )
    view_times: list[float] = []
    direct_times: list[float] = []
    for r in range(rounds):
        order = (view, direct) if r % 2 == 0 else (direct, view)
        for side in order:
            elapsed, _ = side()
            (view_times if side is view else direct_times).append(elapsed)
    v, d = statistics.median(view_times), statistics.median(direct_times)
    log(
        f"{vendor}:   view median {v * 1000:.0f} ms, direct median {d * 1000:.0f} ms "
        f"({len(view_body) / 1e6:.1f} MB page, {shown} titles seen)"
    )
    return {
        "loans": RECORDS_LOANS,
        "rounds": rounds,
        "view": v,
        "direct": d,
        "ratio": v / d,
        "view_all": view_times,
        "direct_all": direct_times,
        "bytes": len(view_body),
    }


# --- one database, start to finish ----------------------------------------------------------


def database_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from bookwarden.core.demo import build_demo
    from bookwarden.core.models import Library

    vendor = connection.vendor
    parts = set(args.parts.split(","))
    out: dict[str, Any] = {"vendor": vendor}
    log(f"{vendor}: migrating a fresh database")
    call_command("migrate", verbosity=0, interactive=False)
    # Demo people (a fast hasher: password hashing is set-up, not measured).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        people = build_demo(with_mfa=False)

    if "records" in parts:
        log(f"{vendor}: 3. records view, {RECORDS_LOANS:,} loans, {args.rounds} rounds")
        out["records"] = bench_records(people, args.rounds)

    other = Library.objects.get(slug="cresco")
    if "retention" in parts:
        log(f"{vendor}: 1. retention over {args.loans:,} returned loans")
        out["retention"] = bench_retention(args.loans, other)

    if "import" in parts:
        log(f"{vendor}: 2. import of {args.import_rows:,} loan rows")
        out["import"] = bench_import(args.import_rows, other, Path(args.workdir))
    emit(out)
    return 0


# ------------------------------------------------------------------------------------------
# The parent: databases, subprocesses, the table
# ------------------------------------------------------------------------------------------


def run_database(db: str, args: argparse.Namespace) -> dict[str, Any]:
    def worker_args(data_dir: str) -> list[str]:
        return [
            f"--loans={args.loans}",
            f"--import-rows={args.import_rows}",
            f"--rounds={args.rounds}",
            f"--parts={args.parts}",
            f"--_workdir={data_dir}",
        ]

    return run_worker(__file__, db, args.pg_url, args.pg_db, worker_args)


def print_table(results: dict[str, dict[str, Any]]) -> bool:
    all_ok = True
    lines = []
    for db, r in results.items():
        if "retention" in r:
            x = r["retention"]
            ok = x["ratio"] <= RETENTION_GOAL
            all_ok = all_ok and ok
            lines.append(
                f"{db:8s} retention  run {x['real']:7.2f}s  raw UPDATE {x['raw']:7.2f}s  "
                f"ratio {x['ratio']:5.2f} (goal <= {RETENTION_GOAL})  {verdict(ok)}"
                f"   [{x['n']:,} loans, chunks of {x['chunk']:,}]"
            )
        if "import" in r:
            x = r["import"]
            ok = x["ratio"] <= IMPORT_GOAL
            peak_mb = x["peak_kb"] / 1024
            ok_m = peak_mb < MEMORY_GOAL_MB
            all_ok = all_ok and ok and ok_m
            lines.append(
                f"{db:8s} import     run {x['real']:7.2f}s  raw insert {x['raw']:7.2f}s  "
                f"ratio {x['ratio']:5.2f} (goal <= {IMPORT_GOAL})  {verdict(ok)}"
                f"   [{x['n']:,} rows, {x['unlinked']:,} unlinked by retention]"
            )
            lines.append(
                f"{db:8s} import     peak RSS {peak_mb:6.1f} MiB (goal < {MEMORY_GOAL_MB} MB)  "
                f"{verdict(ok_m)}   [{x['before_kb'] / 1024:.1f} MiB before the import]"
            )
        if "records" in r:
            x = r["records"]
            ok = x["ratio"] <= RECORDS_GOAL
            all_ok = all_ok and ok
            lines.append(
                f"{db:8s} records    view {x['view'] * 1000:6.0f} ms  direct render "
                f"{x['direct'] * 1000:6.0f} ms  ratio {x['ratio']:5.2f} (goal <= {RECORDS_GOAL})"
                f"  {verdict(ok)}   [{x['loans']:,} loans, median of {x['rounds']}, "
                f"{x['bytes'] / 1e6:.1f} MB page]"
            )
    heading = [
        "Patron records benchmark  (retention: run_retention() vs one raw UPDATE over an",
        "identical copy; import: import_file() in a fresh process vs executemany/COPY of the",
        "same rows; records: POST to the records view vs direct read + render_to_string)",
    ]
    print_report(heading, lines)
    return all_ok


PARTS = {"retention", "import", "records"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--loans", type=int, default=1_000_000, help="loans for retention (1)")
    parser.add_argument(
        "--import-rows", type=int, default=1_000_000, help="loan rows to import (2)"
    )
    parser.add_argument("--rounds", type=int, default=7, help="rounds of the records view (3)")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (without a database name); default %(default)s",
    )
    parser.add_argument(
        "--pg-db",
        default=PG_DB_NAME,
        help="the benchmark's own database, created and dropped (default %(default)s)",
    )
    parser.add_argument(
        "--parts",
        default="retention,import,records",
        help="comma-separated subset of retention,import,records (default: all)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_workdir", dest="workdir", help=argparse.SUPPRESS)
    parser.add_argument("--_import", dest="import_file", help=argparse.SUPPRESS)
    parser.add_argument("--_library", dest="library", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if min(args.loans, args.import_rows, args.rounds) < 1:
        parser.error("sizes and rounds must be positive")
    if not args.parts or not set(args.parts.split(",")) <= PARTS:
        parser.error("--parts takes retention, import and/or records")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.import_file:
        return import_probe(args.import_file, args.library)
    if args._worker:
        return database_worker(args)
    started = time.perf_counter()
    results = run_databases(args.db, lambda db: run_database(db, args))
    all_ok = print_table(results)
    print(f"total {time.perf_counter() - started:.0f}s")
    return 1 if (args.strict and not all_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
