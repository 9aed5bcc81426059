"""Benchmark of the import's memory (issue 16, CC-6): peak RSS at two sizes, and the rate.

Run from the project root (about 10 minutes with the defaults on a quiet 2-core machine,
both databases; `make bench-import`)::

    .venv/bin/python bench/import_memory.py [--db sqlite|postgres|both] [--kinds patrons,loans]
        [--small 100000] [--large 1000000] [--strict]

For each kind of file (native ``bookwarden`` format; patrons files get ``--patron-share`` of
the rows, 0.2 by default) and each size, the file is generated in
a temporary folder and imported by ``import_file`` in a fresh process of its own, which
reports its peak resident set size (VmHWM from /proc) and its RSS just before the import.
Two figures per kind and database:

1. memory: the peak RSS of the large import over that of the small one.  Memory that grows
   with the file (a set of every id seen, a list of every row) shows here: 94 bytes a row
   made the loans import peak 117 MiB at 100,000 rows and 200 MiB at 1,000,000.  Goal:
   ratio <= 1.2.
2. rate: the large import's time vs a raw bulk insert of the same rows in the same run, in
   one transaction, with executemany (SQLite) or COPY (PostgreSQL):

   * loans: ``raw_import`` of ``bench/patrons.py`` (the file read with ``csv.reader``, the
     patron looked up in a dict, the import's retention applied);
   * patrons: the file read with ``csv.reader``, patrons written, then their cards and
     guardian links (patron ids from one SELECT into a dict).

   The clock stops once the rows are in (committed): removing them again for the next
   run is not counted.  Goal: ratio <= 3 (the loans import's goal in ``bench/patrons.py``).

Loans refer to 10,000 patrons made first.  Each database runs in its own subprocess:
SQLite in a temporary folder, PostgreSQL in a database ``bookwarden_bench_import_memory``
(``--pg-db``) created and dropped through the ``test`` database.  Django runs with
``BOOKWARDEN_DEBUG=0``.
"""

from __future__ import annotations

import argparse
import csv
import os
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
    run_databases,
    run_worker,
    setup_django,
    verdict,
)
from patrons import (
    IMPORT_PATRONS,
    count_sql,
    empty_loans,
    import_probe,
    make_patrons,
    raw_import,
    settle,
    write_import_csv,
)

MEMORY_GOAL = 1.2
RATE_GOAL = 3.0
KINDS = ("patrons", "loans")
#: The ILS source the patrons are imported as (loans: the format's name, "bookwarden").
PATRON_SOURCE = "bench"
SOURCE = {"patrons": PATRON_SOURCE, "loans": None}
PATRON_COLUMNS = (
    "ils_id",
    "card_number",
    "first_name",
    "last_name",
    "address_line1",
    "city",
    "state",
    "postal_code",
    "email",
    "birth_date",
    "home_branch",
    "guardian_ils_id",
    "barred",
    "card_expires_on",
)


# ------------------------------------------------------------------------------------------
# Inside a database subprocess
# ------------------------------------------------------------------------------------------


def write_patrons_csv(path: Path, n: int) -> None:
    """Native patrons file: every patron with a card, one in 20 a ward of an earlier one."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(PATRON_COLUMNS)
        for i in range(n):
            w.writerow(
                [
                    f"P{i}",
                    f"2{i:013d}",
                    f"Reader{i % 997}",
                    f"Family{i % 7919}",
                    f"{i % 9000 + 1} Main St",
                    "New Madrid",
                    "MO",
                    f"{63800 + i % 100}",
                    f"reader{i}@example.org",
                    f"{1940 + i % 80}-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
                    "main",
                    f"P{i - 7}" if i % 20 == 19 else "",
                    "1" if i % 500 == 0 else "0",
                    "2030-06-30",
                ]
            )


def field_defaults(model: Any, names: list[str]) -> tuple[list[str], tuple[Any, ...]]:
    """The columns of ``model`` not in ``names`` (nor the key), with their defaults (an
    empty string or NULL for a field without one, as Django gives)."""
    from django.db import connection

    extra = [f for f in model._meta.concrete_fields if f.attname not in names and not f.primary_key]
    values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    return [f.column for f in extra], values


def raw_write(cursor: Any, model: Any, names: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    """Rows of ``model`` (columns ``names``, then the defaults of the others): COPY on
    PostgreSQL, executemany in chunks on SQLite."""
    from django.db import connection

    extra, constants = field_defaults(model, names)
    columns = ", ".join([*names, *extra])
    table = model._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *constants))
                count += 1
        return count
    marks = ", ".join(["%s"] * (len(names) + len(extra)))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append((*row, *constants))
        if len(chunk) >= 10_000:
            cursor.executemany(sql, chunk)
            count += len(chunk)
            chunk = []
    cursor.executemany(sql, chunk)
    return count + len(chunk)


def raw_patrons(path: Path, library: Any, source: str) -> int:
    """The same patrons, cards and guardian links, bulk-inserted in one transaction."""
    from django.db import connection, transaction

    from bookwarden.core.models import Branch
    from bookwarden.patrons.models import Card, Patron

    branches = {b.slug: b.pk for b in Branch.objects.filter(library=library)}
    lib = library.pk

    def read() -> Iterator[list[str]]:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            yield from reader

    def patrons() -> Iterator[tuple[Any, ...]]:
        for row in read():
            ils, _, first, last, addr, city, state, postal, email, birth, branch, _, barred, _ = row
            yield (
                *(lib, source, ils, first, last, addr, city, state, postal, email, birth),
                branches[branch],
                barred == "1",
            )

    names = "library_id ils_source ils_id first_name last_name address_line1 city state"
    names += " postal_code email birth_date home_branch_id barred"
    with transaction.atomic(), connection.cursor() as cursor:
        written = raw_write(cursor, Patron, names.split(), patrons())
        cursor.execute(
            "SELECT ils_id, id FROM patrons_patron WHERE library_id = %s AND ils_source = %s",
            [lib, source],
        )
        pks = dict(cursor.fetchall())
        cards = ((lib, pks[row[0]], row[1], row[13]) for row in read())
        raw_write(cursor, Card, ["library_id", "patron_id", "number", "expires_on"], cards)
        links = [(pks[row[11]], pks[row[0]]) for row in read() if row[11]]
        cursor.executemany("UPDATE patrons_patron SET guardian_id = %s WHERE id = %s", links)
    return int(written)


def empty_patrons(library: Any, source: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM patrons_card WHERE library_id = %s", [library.pk])
        cursor.execute(
            "UPDATE patrons_patron SET guardian_id = NULL "
            "WHERE library_id = %s AND ils_source = %s",
            [library.pk, source],
        )
        cursor.execute(
            "DELETE FROM patrons_patron WHERE library_id = %s AND ils_source = %s",
            [library.pk, source],
        )
    settle()


def probe(kind: str, path: Path, library: Any) -> dict[str, Any]:
    proc = subprocess.run(
        [
            *(sys.executable, str(Path(__file__).resolve()), "--_import", str(path)),
            *("--_kind", kind, "--_library", library.slug),
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        env=os.environ.copy(),
    )
    return parse_result(proc.stdout)


def bench_kind(kind: str, sizes: list[int], library: Any, workdir: Path) -> dict[str, Any]:
    from django.db import connection

    vendor = connection.vendor
    source = PATRON_SOURCE
    out: dict[str, Any] = {"runs": []}
    for n in sizes:
        path = workdir / f"{kind}_{n}.csv"
        if kind == "patrons":
            write_patrons_csv(path, n)
        else:
            write_import_csv(path, n)
        path.read_bytes()  # in the page cache for both sides
        if n == sizes[-1]:
            t0 = time.perf_counter()
            if kind == "patrons":
                written = raw_patrons(path, library, source)
            else:
                written = raw_import(path, library)
            # The clock stops before the rows are removed again: on PostgreSQL, deleting
            # the patrons (every table that refers to them checked) takes twice the insert.
            out["raw"] = time.perf_counter() - t0
            if kind == "patrons":
                empty_patrons(library, source)
            else:
                empty_loans()
            log(f"{vendor}:   {kind}: raw bulk insert of {written:,} rows in {out['raw']:.2f}s")
        run = probe(kind, path, library)
        if run["result"]["created"] != n:
            raise SystemExit(f"the import of {n} {kind} created {run['result']['created']}")
        log(
            f"{vendor}:   {kind}: import_file() of {n:,} rows in {run['seconds']:.2f}s, "
            f"peak {run['peak_kb'] / 1024:.1f} MiB (before {run['before_kb'] / 1024:.1f} MiB)"
        )
        out["runs"].append({"n": n, **run})
        if kind == "patrons":
            empty_patrons(library, source)
        else:
            empty_loans()
        path.unlink()
    return out


def database_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from bookwarden.core.models import Branch, Library

    vendor = connection.vendor
    log(f"{vendor}: migrating a fresh database")
    call_command("migrate", verbosity=0, interactive=False)
    library = Library.objects.create(name="Bench County", slug="bench", jurisdiction="US-MO")
    Branch.objects.create(library=library, name="Main", slug="main")
    out: dict[str, Any] = {"vendor": vendor}
    for kind in args.kinds.split(","):
        share = args.patron_share if kind == "patrons" else 1.0
        sizes = [max(1, int(args.small * share)), max(2, int(args.large * share))]
        if kind == "loans":
            make_patrons(library, IMPORT_PATRONS, "imp", source="bookwarden")
        log(f"{vendor}: {kind}: {', '.join(f'{n:,}' for n in sizes)} rows")
        out[kind] = bench_kind(kind, sizes, library, Path(args.workdir))
    log(f"{vendor}: {count_sql('SELECT COUNT(*) FROM patrons_loan')} loans left")
    emit(out)
    return 0


# ------------------------------------------------------------------------------------------
# The parent
# ------------------------------------------------------------------------------------------


def print_table(results: dict[str, dict[str, Any]], kinds: list[str]) -> bool:
    all_ok = True
    lines = []
    for db, r in results.items():
        for kind in kinds:
            small, large = r[kind]["runs"]
            mem = large["peak_kb"] / small["peak_kb"]
            per_row = (large["peak_kb"] - small["peak_kb"]) * 1024 / (large["n"] - small["n"])
            rate = large["seconds"] / r[kind]["raw"]
            ok_m, ok_r = mem <= MEMORY_GOAL, rate <= RATE_GOAL
            all_ok = all_ok and ok_m and ok_r
            lines.append(
                f"{db:8s} {kind:8s} peak RSS {small['peak_kb'] / 1024:6.1f} MiB at {small['n']:>9,}"
                f" rows, {large['peak_kb'] / 1024:6.1f} MiB at {large['n']:>9,}: ratio {mem:4.2f}"
                f" (goal <= {MEMORY_GOAL})  {verdict(ok_m)}   [{per_row:+.1f} bytes a row]"
            )
            lines.append(
                f"{db:8s} {kind:8s} import {large['seconds']:7.2f}s  raw insert "
                f"{r[kind]['raw']:7.2f}s  ratio {rate:5.2f} (goal <= {RATE_GOAL})  "
                f"{verdict(ok_r)}   [{large['n'] / large['seconds']:,.0f} rows/s]"
            )
    heading = [
        "Import memory benchmark  (import_file() in a fresh process: peak RSS at two sizes;",
        "time vs executemany/COPY of the same rows in one transaction)",
    ]
    print_report(heading, lines)
    return all_ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--kinds", default="patrons,loans", help="patrons and/or loans")
    parser.add_argument("--small", type=int, default=100_000, help="rows of the small file")
    parser.add_argument("--large", type=int, default=1_000_000, help="rows of the large file")
    parser.add_argument(
        "--patron-share",
        type=float,
        default=0.2,
        help="patrons files have this share of the rows (default %(default)s: a patron row "
        "is a patron, a card and a guardian link to write)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server (without a database name); default %(default)s",
    )
    parser.add_argument("--pg-db", default="bookwarden_bench_import_memory")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a goal is missed")
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_workdir", dest="workdir", help=argparse.SUPPRESS)
    parser.add_argument("--_import", dest="import_file", help=argparse.SUPPRESS)
    parser.add_argument("--_kind", dest="kind", help=argparse.SUPPRESS)
    parser.add_argument("--_library", dest="library", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0 < args.small < args.large:
        parser.error("sizes: 0 < --small < --large")
    if not args.kinds or not set(args.kinds.split(",")) <= set(KINDS):
        parser.error("--kinds takes patrons and/or loans")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.import_file:
        return import_probe(args.import_file, args.library, args.kind, SOURCE[args.kind])
    if args._worker:
        return database_worker(args)
    started = time.perf_counter()
    results = run_databases(
        args.db,
        lambda db: run_worker(
            __file__,
            db,
            args.pg_url,
            args.pg_db,
            lambda data_dir: [
                f"--kinds={args.kinds}",
                f"--small={args.small}",
                f"--large={args.large}",
                f"--patron-share={args.patron_share}",
                f"--_workdir={data_dir}",
            ],
        ),
    )
    all_ok = print_table(results, args.kinds.split(","))
    print(f"total {time.perf_counter() - started:.0f}s")
    return 1 if (args.strict and not all_ok) else 0


if __name__ == "__main__":
    sys.exit(main())
