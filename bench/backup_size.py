"""Size and time of a backup: the demo's data, then the demo plus N loans (default 1,000,000).

Run from the project root::

    .venv/bin/python bench/backup_size.py [--db sqlite|postgres|both] [--loans N]

For each database, in a subprocess of its own (settings are read at import): migrate a
fresh database, load ``bookwarden demo``, then time ``create_backup`` (what ``bookwarden
backup create`` runs) and ``verify_backup`` (``bookwarden backup verify``: decrypt, restore
into a scratch database, walk the audit log, compare the row counts), and print the
database's size beside the backup file's.  Then write N returned loans (5,000 patrons;
executemany on SQLite, COPY on PostgreSQL, not measured) and time both again.  The baseline
beside each backup is the plain copy it is made from: on SQLite the online backup API into a
file, on PostgreSQL ``pg_dump --format=custom`` into a file, unencrypted.

PostgreSQL runs in a database ``bw_backups_bench`` created and dropped through the server's
``test`` database.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import emit, log, run_worker, setup_django
from patrons import RETENTION_PATRONS, make_patrons, retention_rows, settle, write_loans

PG_DB_NAME = "bw_backups_bench"


def database_bytes() -> int:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    return os.path.getsize(connection.settings_dict["NAME"])


def plain_copy(folder: Path) -> tuple[float, int]:
    """The baseline: the same snapshot, unencrypted, into a file."""
    from django.db import connection

    from bookwarden.backups.database import _libpq_env, live_settings

    target = folder / "plain-copy"
    start = time.perf_counter()
    if connection.vendor == "postgresql":
        subprocess.run(
            ["pg_dump", "--format=custom", f"--file={target}"],
            env=_libpq_env(live_settings()),
            check=True,
        )
    else:
        connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
    seconds = time.perf_counter() - start
    size = target.stat().st_size
    target.unlink()
    return seconds, size


def measure(label: str, folder: Path) -> dict[str, Any]:
    from bookwarden.backups.checking import verify_backup
    from bookwarden.backups.making import create_backup

    folder.mkdir(parents=True, exist_ok=True)
    plain_seconds, plain_size = plain_copy(folder)
    start = time.perf_counter()
    made = create_backup(folder)
    created = time.perf_counter() - start
    start = time.perf_counter()
    check = verify_backup(made.path)
    verified = time.perf_counter() - start
    if not check.ok:
        raise SystemExit(f"{label}: the backup check failed: {check.failure}")
    log(f"{label}: backup {made.record.size:,} bytes in {created:.1f}s, verify {verified:.1f}s")
    return {
        "label": label,
        "database_bytes": database_bytes(),
        "plain_bytes": plain_size,
        "plain_seconds": plain_seconds,
        "backup_bytes": made.record.size,
        "create_seconds": created,
        "verify_seconds": verified,
        "rows": sum(made.manifest.tables.values()),
    }


def database_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings

    from bookwarden.backups.crypto import make_key_file
    from bookwarden.core.models import Branch, Library

    work = Path(args.workdir)
    key = work / "backup.key"
    make_key_file(key)
    vendor = connection.vendor
    out: dict[str, Any] = {"vendor": vendor, "results": []}
    log(f"{vendor}: migrating a fresh database, loading the demo")
    call_command("migrate", verbosity=0, interactive=False)
    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        BACKUP_KEY_FILE=str(key),
        MEDIA_ROOT=work / "uploads",
    ):
        call_command("demo", verbosity=0)
        out["results"].append(measure("demo", work / "demo"))
        library = Library.objects.get(slug="cresco")
        patron_ids = make_patrons(library, RETENTION_PATRONS, "bak")
        branch = Branch.objects.filter(library=library).order_by("pk").first()
        assert branch is not None
        log(f"{vendor}: writing {args.loans:,} loans")
        write_loans(
            retention_rows(args.loans, library.pk, patron_ids, branch.pk, vendor == "sqlite")
        )
        settle()
        out["results"].append(measure(f"demo + {args.loans:,} loans", work / "loans"))
    emit(out)
    return 0


def print_table(results: dict[str, dict[str, Any]]) -> None:
    mb = 1024 * 1024
    print(
        f"{'database':10s} {'data':28s} {'rows':>10s} {'db MB':>8s} {'copy MB':>8s} "
        f"{'copy s':>7s} {'backup MB':>9s} {'create s':>8s} {'verify s':>8s}"
    )
    for db, result in results.items():
        for r in result["results"]:
            print(
                f"{db:10s} {r['label']:28s} {r['rows']:>10,} {r['database_bytes'] / mb:8.1f} "
                f"{r['plain_bytes'] / mb:8.1f} {r['plain_seconds']:7.1f} "
                f"{r['backup_bytes'] / mb:9.1f} {r['create_seconds']:8.1f} "
                f"{r['verify_seconds']:8.1f}"
            )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name",
    )
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_workdir", dest="workdir", default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args._worker:
        return database_worker(args)
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = {}
    for db in dbs:
        results[db] = run_worker(
            __file__,
            db,
            args.pg_url,
            PG_DB_NAME,
            lambda data_dir: [f"--loans={args.loans}", f"--_workdir={data_dir}"],
        )
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())
