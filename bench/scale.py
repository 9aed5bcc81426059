"""The consortium-scale data set (issue 16): written with PostgreSQL COPY, for benchmarks only.

Run from the project root, against a PostgreSQL database of its own (its name must say
``bench`` or ``scale``, or start with ``test_``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_scale_bench \\
        .venv/bin/python bench/scale.py --factor 0.02

At ``--factor 1`` the set is the consortium of the issue: 60 member libraries with 3
branches each, 3,000 staff, 2,000,000 patrons with their cards, 50,000,000 loans (nine in
ten returned and unlinked from their patron, as retention leaves them), holds, catalog
searches and computer sessions in proportion (a tenth, a fifth and a tenth of the loans),
100,000,000 audit events over the past year, a year of operations-log entries and of
requests for records.  A smaller factor scales every count down but three: the number of
libraries (``--libraries``), the year of the operations log and of requests for records
(30,000 entries and 3,000 requests: a year is a year), and the one patron with 5,000 loans
whose records page is measured.  Libraries differ in size as a consortium's members do (the library
ranked ``r`` gets a share proportional to ``r ** -0.7``): the demo's New Madrid, where the
benchmark's people work, is the largest, with about a ninth of everything.

The demo's people (``mreyes``, ``bjohnson`` ...) are created first, through the actions,
as are the libraries and branches (so each library has what a new library gets); the rest
is written with COPY, with explicit ids and the sequences moved past them.  The audit
events continue the chain of the demo's own: each hash is computed as
:func:`bookwarden.audit.actions.record` would (the same :func:`~bookwarden.audit.chain
.event_hash`), so ``bookwarden audit verify`` passes on the generated log.

It refuses to run in production mode, on SQLite, or against a database whose name does not
say it is a benchmark's, and on a database that already holds libraries.  It records the
factor and the set-up time in the database's comment, where ``bench/scale_pages.py`` finds
them to reuse the set.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from harness import log, setup_django
from scale_tables import (
    BIG_PATRON_CARD,
    SEED,
    World,
    build_audit_events,
    build_disclosures,
    build_libraries,
    build_loans,
    build_operations,
    build_other_records,
    build_patrons,
    build_staff,
    counts,
    indexes_deferred,
    move_sequences,
)

__all__ = ["BIG_PATRON_CARD", "ensure_set"]

#: A benchmark's own database: its name says bench or scale, or is a test database of
#: pytest's (test_...).  A server's own databases (postgres, test, template1) never are.
BENCH_DB_NAME = re.compile(r"bench|scale|^test_", re.IGNORECASE)
COMMENT_PREFIX = "bookwarden scale set:"

# ------------------------------------------------------------------------------------------
# Refusals
# ------------------------------------------------------------------------------------------


def refuse_unsafe() -> None:
    """Exit unless this is a benchmark's own PostgreSQL database, outside production."""
    from django.conf import settings
    from django.db import connection

    if getattr(settings, "PRODUCTION", False):
        raise SystemExit("The scale data set is for benchmarks: refused in production mode.")
    if connection.vendor != "postgresql":
        raise SystemExit(
            "The scale data set is written with PostgreSQL's COPY: set DATABASE_URL to a "
            "PostgreSQL database of its own (SQLite is refused)."
        )
    name = connection.settings_dict["NAME"] or ""
    if not BENCH_DB_NAME.search(name):
        raise SystemExit(
            f"Refused: the database {name!r} does not look like a benchmark's or a test's "
            "(its name must contain bench or scale, or start with test_)."
        )


def stored_set() -> dict[str, Any] | None:
    """The factor and set-up time of the set already in this database, if one was built."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        comment = cursor.fetchone()[0] or ""
    if not comment.startswith(COMMENT_PREFIX):
        return None
    found: dict[str, Any] = json.loads(comment[len(COMMENT_PREFIX) :])
    return found


def _remember(info: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        text = COMMENT_PREFIX + json.dumps(info, sort_keys=True)
        cursor.execute(f"COMMENT ON DATABASE \"{name}\" IS '{text}'")


def build(factor: float, libraries: int) -> dict[str, Any]:
    """Build the whole set; returns the counts written and the seconds each step took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bookwarden.audit.models import AuditEvent
    from bookwarden.core.models import Membership, User
    from bookwarden.disclosures.models import DisclosureRequest
    from bookwarden.operations.models import LogEntry
    from bookwarden.patrons.models import Card, CatalogSearch, ComputerSession, Hold, Loan, Patron

    sizes = counts(factor, libraries)
    world = World(timezone.now().replace(microsecond=0), random.Random(SEED))
    written: dict[str, int] = {}
    seconds: dict[str, float] = {}

    def step(name: str, fn: Callable[[], Any], defer: Sequence[Any] = ()) -> None:
        log(f"  {name} ...")
        t0 = time.perf_counter()
        with transaction.atomic(), indexes_deferred(*defer):
            result = fn()
        seconds[name] = round(time.perf_counter() - t0, 1)
        if isinstance(result, dict):
            written.update(result)
        elif result is not None:
            written[name] = result

    step("libraries", lambda: build_libraries(world, libraries))
    step("staff", lambda: build_staff(world, sizes["staff"]))
    step("patrons", lambda: build_patrons(world, sizes["patrons"]))
    step("loans", lambda: build_loans(world, sizes["loans"]), [Loan])
    records = [Hold, CatalogSearch, ComputerSession]
    step("other records", lambda: build_other_records(world, sizes), records)
    step("operations_entries", lambda: build_operations(world, sizes["operations_entries"]))
    step("disclosure_requests", lambda: build_disclosures(world, sizes["disclosure_requests"]))
    step("audit_events", lambda: build_audit_events(world, sizes["audit_events"]), [AuditEvent])
    move_sequences([User, Membership, Patron, Card, Loan, *records, LogEntry, DisclosureRequest])
    move_sequences([AuditEvent])
    t0 = time.perf_counter()
    log("  VACUUM ANALYZE ...")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds["vacuum_analyze"] = round(time.perf_counter() - t0, 1)
    return {"written": written, "seconds": seconds, "big_patron": world.big_patron}


def ensure_set(factor: float, libraries: int) -> dict[str, Any]:
    """The set at ``factor`` in this database: reused when it is there, built when the
    database is fresh; a database holding something else is refused."""
    from django.core.management import call_command

    from bookwarden.core.models import Library

    refuse_unsafe()
    found = stored_set()
    log("migrating")
    call_command("migrate", verbosity=0, interactive=False)
    if found is not None:
        if found["factor"] != factor or found["libraries"] != libraries:
            raise SystemExit(
                f"This database holds the set at factor {found['factor']} with "
                f"{found['libraries']} libraries: drop it, or ask for that factor."
            )
        log(f"reusing the set at factor {factor} (built in {found['setup_seconds']} s)")
        found["reused"] = True
        return found
    if Library.objects.exists():
        raise SystemExit("Refused: this database already holds libraries. Give a fresh one.")
    log(f"building the set at factor {factor} ({libraries} libraries)")
    t0 = time.perf_counter()
    info = build(factor, libraries)
    info.update(
        factor=factor,
        libraries=libraries,
        setup_seconds=round(time.perf_counter() - t0, 1),
    )
    _remember(info)
    info["reused"] = False
    return info


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--factor",
        type=float,
        default=0.01,
        help="1 is the full consortium (2,000,000 patrons); 0.01 a hundredth of it",
    )
    parser.add_argument("--libraries", type=int, default=60, help="member libraries (60)")
    args = parser.parse_args(argv)
    if not 0 < args.factor <= 1:
        parser.error("the factor is between 0 (excluded) and 1")
    if args.libraries < 2:
        parser.error("at least the demo's two libraries")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    info = ensure_set(args.factor, args.libraries)
    print(f"Scale set at factor {info['factor']} ({info['libraries']} libraries):")
    for name, n in info["written"].items():
        print(f"  {name:<22} {n:>12,}")
    for name, s in info["seconds"].items():
        print(f"  {name + ' (s)':<22} {s:>12}")
    verb = "reused; it was built" if info["reused"] else "built"
    print(f"Set-up: {verb} in {info['setup_seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
