"""The breach listing and the library scoping, timed on the consortium-scale data set
(issue 16).

Run from the project root, with a PostgreSQL database of its own (``make bench-scale`` runs
it after ``bench/scale_pages.py``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_scale_bench \\
        .venv/bin/python bench/scale_jobs.py --factor 0.01

It builds the set at ``--factor`` with ``bench/scale.py`` (or reuses the one there), then:

1. **The breach's "affected patrons" listing** (CR-6e; target: under 5 seconds over a
   30-day window at full size).  A breach of New Madrid, the largest library, is declared
   through the actions for each scope: the two accounts with the most openings in the
   last 30 days; every staff account of the library over 30 days (the worst case of a
   30-day window); every account over the whole year (twelve times the openings: how the
   cost grows).  Timed: :func:`bookwarden.breach.actions.list_affected` as the job runs it
   (read the openings, check the patrons, write one row per patron, its audit event), in a
   transaction rolled back after each round so that every round writes the whole list.
   Baseline, in the same run and rolled back the same way: **one raw SQL statement**,
   ``INSERT INTO breach_affectedpatron ... SELECT`` of the same openings grouped by patron
   (first opening, count, record types), joined to the library's patrons.  The cost of both
   grows with the openings found, not with the log (an index of the openings alone serves
   the read); the figure at full size is an extrapolation, printed as one: the fixed part
   (the 2-account scope's time) plus the 30-day scope's time per opening beyond it, times
   the openings at full size (1/factor times more; for the 2 accounts an upper bound, the
   set having fewer staff than the consortium).
2. **Library scoping** (CC-6: ``for_user`` adds no per-row cost): the card number search,
   the audit log's newest page and the operations log, as a director of 1, 10 and 60
   libraries (people made through the actions, kept for the next run), each page's median
   against its raw SELECTs, and whether the plans of its queries have the same shape
   (the same nodes, tables and indexes) for 1, 10 and 60 libraries.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from collections.abc import Callable
from typing import Any

from harness import log, setup_django, verdict
from scale import ensure_set
from scale_pages import _interleaved_medians, _raw, _selects, large_scans

BREACH_TARGET_S = 5.0
ROLE_COUNTS = (1, 10, 60)


# ------------------------------------------------------------------------------------------
# 1. The breach listing
# ------------------------------------------------------------------------------------------

RAW_LISTING = """
INSERT INTO breach_affectedpatron (breach_id, patron_id, source, reason, first_opened_at,
    openings, record_types, channel, notice_status, added_at)
SELECT %(breach)s, e.patron_id, 'audit', '', min(e.created_at), count(*),
    coalesce(jsonb_agg(e."after" -> 'record_types'), '[]'::jsonb), '', 'pending', now()
FROM audit_auditevent e
JOIN patrons_patron p ON p.id = e.patron_id AND p.library_id = %(library)s
WHERE e.action = 'patron.records_opened' AND e.library_id = %(library)s
    AND e.actor_id = ANY(%(accounts)s) AND e.created_at >= %(start)s
    AND e.created_at <= %(end)s AND e.patron_id IS NOT NULL
GROUP BY e.patron_id
"""


def _rolled_back(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` in a transaction that is rolled back: every round does the whole work."""
    from django.db import transaction

    def run() -> Any:
        with transaction.atomic():
            result = fn()
            transaction.set_rollback(True)
        return result

    return run


def _declare(library: Any, accounts: list[Any], start: Any, end: Any, n: int) -> Any:
    from bookwarden.breach.actions import declare_breach
    from bookwarden.operations.actions.entries import create_entry
    from bookwarden.operations.models import EntryKind, Severity

    entry = create_entry(
        actor=None,
        library=library,
        kind=EntryKind.INAPPROPRIATE_ACCESS,
        severity=Severity.HIGH,
        title=f"Benchmark: staff accounts misused ({n})",
        narrative="Staff passwords were phished and used from outside.",
        occurred_at=end,
        patron_data_involved=True,
    )
    return declare_breach(
        actor=None,
        entry=entry,
        window_start=start,
        window_end=end,
        accounts=accounts,
        summary="Someone used staff passwords to look at patrons' records.",
        library_response="We locked the accounts and changed the passwords.",
        contact="The director.",
    )


def breach_scopes() -> list[tuple[str, list[int], datetime.timedelta]]:
    from django.db.models import Count
    from django.utils import timezone

    from bookwarden.audit.models import AuditAction, AuditEvent
    from bookwarden.core.models import Library, Membership

    library = Library.objects.get(slug="new-madrid")
    month = datetime.timedelta(days=30)
    busiest = list(
        AuditEvent.objects.filter(
            action=AuditAction.RECORDS_OPENED,
            library=library,
            created_at__gte=timezone.now() - month,
        )
        .values("actor_id")
        .annotate(n=Count("id"))
        .order_by("-n", "actor_id")
        .values_list("actor_id", flat=True)[:2]
    )
    everyone = sorted(
        set(Membership.objects.filter(library=library).values_list("user_id", flat=True))
    )
    return [
        ("2 accounts, 30 days", busiest, month),
        (f"all {len(everyone)} accounts, 30 days", everyone, month),
        (f"all {len(everyone)} accounts, 365 days", everyone, datetime.timedelta(days=365)),
    ]


def measure_breach(rounds: int, factor: float) -> list[dict[str, Any]]:
    from django.db import connection
    from django.utils import timezone

    from bookwarden.breach.actions import list_affected
    from bookwarden.core.models import Library, User

    library = Library.objects.get(slug="new-madrid")
    end = timezone.now()
    rows = []
    for n, (name, account_ids, span) in enumerate(breach_scopes()):
        accounts = list(User.objects.filter(pk__in=account_ids))
        breach = _declare(library, accounts, end - span, end, n)
        params = {
            "breach": breach.pk,
            "library": library.pk,
            "accounts": account_ids,
            "start": breach.window_start,
            "end": breach.window_end,
        }

        def listing(breach: Any = breach) -> Any:
            return list_affected(actor=None, breach=breach)

        def real(breach: Any = breach) -> int:
            return int(listing(breach).patrons)

        def raw(params: dict[str, Any] = params) -> int:
            with connection.cursor() as cursor:
                cursor.cursor.execute(RAW_LISTING, params)
                return int(cursor.cursor.rowcount)

        found = _rolled_back(listing)()
        patrons, events = found.patrons, found.events
        raw_patrons = _rolled_back(raw)()
        if patrons != raw_patrons:
            raise SystemExit(f"{name}: the listing found {patrons} patrons, raw SQL {raw_patrons}")
        sqls = [s for s in _selects(_rolled_back(real)) if "audit_auditevent" in s]
        log(f"  breach, {name}: {events:,} openings, {patrons:,} patrons, {rounds} rounds")
        real_ms, raw_ms = _interleaved_medians([_rolled_back(real), _rolled_back(raw)], rounds)
        rows.append(
            {
                "scope": name,
                "events": events,
                "patrons": patrons,
                "ms": round(real_ms, 1),
                "raw_ms": round(raw_ms, 1),
                "ratio": round(real_ms / raw_ms, 1) if raw_ms else None,
                "indexes": _indexes_used(sqls),
                "large_scans": large_scans(sqls),
            }
        )
    # At full size, an extrapolation: the listing's cost beyond its fixed part (the lock,
    # its audit event, the note on the incident: the 2-account scope's time) grows with the
    # openings and patrons found, about one patron an opening over 30 days, both 1/factor
    # times more at full size.  The rate is the 30-day scope of every account's.
    small, month = rows[0], rows[1]
    rate = (month["ms"] - small["ms"]) / max(month["events"] - small["events"], 1)
    raw_rate = (month["raw_ms"] - small["raw_ms"]) / max(month["events"] - small["events"], 1)
    for row in rows[:2]:
        row["full_events"] = round(row["events"] / factor)
        extra = row["full_events"] - small["events"]
        row["full_s_extrapolated"] = round((small["ms"] + rate * extra) / 1000, 1)
        row["full_raw_s_extrapolated"] = round((small["raw_ms"] + raw_rate * extra) / 1000, 1)
    rows[1]["ok"] = rows[1]["full_s_extrapolated"] < BREACH_TARGET_S
    return rows


def _indexes_used(sqls: list[str]) -> list[str]:
    from django.db import connection

    found: set[str] = set()
    with connection.cursor() as cursor:
        for sql in sqls:
            cursor.cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            stack = [cursor.cursor.fetchone()[0][0]["Plan"]]
            while stack:
                node = stack.pop()
                stack.extend(node.get("Plans", []))
                if node.get("Index Name"):
                    found.add(node["Index Name"])
    return sorted(found)


# ------------------------------------------------------------------------------------------
# 2. Library scoping: 1, 10 and 60 libraries
# ------------------------------------------------------------------------------------------


def director_of(count: int) -> Any:
    """``bench-roles-<count>``: a director of the ``count`` largest libraries, with an
    authenticator app (a director needs one), made through the actions the first time."""
    from bookwarden.core.actions.sign_in import enroll_totp
    from bookwarden.core.actions.staff import assign_role, create_staff
    from bookwarden.core.models import Library, Membership, User
    from bookwarden.core.roles import Role

    username = f"bench-roles-{count}"
    libraries = list(Library.objects.order_by("pk")[:count])
    user = User.objects.filter(username=username).first()
    if user is None:
        user = create_staff(
            actor=None,
            library=libraries[0],
            username=username,
            email=f"{username}@example.org",
            password=None,
            role=Role.DIRECTOR,
        ).user
        for library in libraries[1:]:
            assign_role(actor=None, user=user, library=library, role=Role.DIRECTOR)
        enroll_totp(actor=None, user=user, secret="JBSWY3DPEHPK3PXP")
    held = Membership.objects.filter(user=user, revoked_at__isnull=True).count()
    if held != count:
        raise SystemExit(f"{username} holds {held} roles, not {count}")
    return user


def plan_reads(sql: str, table: str) -> list[tuple[str, str]]:
    """How the plan of ``sql`` reads ``table`` (node type and index of each read), and
    whether it sorts: the plan's shape where the rows are, without costs or lists."""
    from django.db import connection

    reads = []
    sorts = False
    with connection.cursor() as cursor:
        cursor.cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        stack = [cursor.cursor.fetchone()[0][0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        sorts = sorts or node["Node Type"] == "Sort"
        if node.get("Relation Name") == table:
            reads.append((node["Node Type"], node.get("Index Name", "")))
    return [*reads, ("Sort", "yes" if sorts else "no")]


#: (page, url name, query, what identifies its main query, the large table it reads)
SCOPED_PAGES = (
    ("card number search", "patron_search", ('"patrons_card"', "UNION"), "patrons_card"),
    (
        "audit log, newest",
        "audit:list",
        ('FROM "audit_auditevent"', "LIMIT 51"),
        "audit_auditevent",
    ),
    (
        "operations log",
        "operations:list",
        ('FROM "operations_logentry"', "LIMIT"),
        "operations_logentry",
    ),
)


def measure_scoping(rounds: int) -> list[dict[str, Any]]:
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from bookwarden.patrons.models import Card

    card = (
        Card.objects.filter(library__slug="new-madrid", status="active")
        .order_by("pk")
        .values_list("number", flat=True)[500]
    )
    backend = "allauth.account.auth_backends.AuthenticationBackend"
    requests: list[tuple[str, int, Callable[[], Any]]] = []
    main = {name: (needles, table) for name, _, needles, table in SCOPED_PAGES}
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        for count in ROLE_COUNTS:
            client = Client(HTTP_HOST="localhost")
            client.force_login(director_of(count), backend=backend)
            for name, url_name, _, _ in SCOPED_PAGES:
                data = {"q": card} if url_name == "patron_search" else {}

                def get(
                    client: Any = client, url: str = reverse(url_name), data: dict = data
                ) -> Any:
                    response = client.get(url, data)
                    if response.status_code != 200:
                        raise SystemExit(f"{url}: {response.status_code}")
                    return response

                requests.append((name, count, get))
        sqls = [_selects(fn) for _, _, fn in requests]
        log(f"  scoping: {len(requests)} pages and their raw SELECTs, {rounds} rounds")
        page_ms = _interleaved_medians([fn for _, _, fn in requests], rounds)
        raw_ms = _interleaved_medians([_raw(q) for q in sqls], rounds)
    reads = {}
    for (name, count, _), q in zip(requests, sqls, strict=True):
        needles, table = main[name]
        (sql,) = [s for s in q if all(n in s for n in needles)]
        reads[(name, count)] = plan_reads(sql, table)
    rows = []
    for (name, count, _), ms, raw, q in zip(requests, page_ms, raw_ms, sqls, strict=True):
        kinds = [kind for kind, _ in reads[(name, count)]]
        first = [kind for kind, _ in reads[(name, ROLE_COUNTS[0])]]
        rows.append(
            {
                "page": name,
                "libraries": count,
                "ms": round(ms, 1),
                "raw_ms": round(raw, 1),
                "reads": reads[(name, count)],
                "same_plan": kinds == first
                and reads[(name, count)][-1] == reads[(name, ROLE_COUNTS[0])][-1],
                "large_scans": large_scans(q),
            }
        )
    return rows


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------


def print_tables(info: dict[str, Any], breach: list[dict], scoping: list[dict]) -> bool:
    ok = True
    print(
        f"\nScale set at factor {info['factor']} ({info['written']['audit_events']:,} audit events)"
    )
    print("\nBreach: list the affected patrons (list_affected) vs one raw INSERT ... SELECT")
    print(
        f"{'scope':<28} {'openings':>9} {'patrons':>8} {'ms':>8} {'raw ms':>8} {'ratio':>6}"
        f"  {'openings at full size: s (extrapolated)':<40} indexes; tables read whole"
    )
    for row in breach:
        full = "-"
        if "full_events" in row:
            full = (
                f"{row['full_events']:,}: {row['full_s_extrapolated']} s "
                f"(raw {row['full_raw_s_extrapolated']} s)"
            )
        mark = verdict(row["ok"]) if "ok" in row else ""
        ok = ok and row.get("ok", True) and not row["large_scans"]
        print(
            f"{row['scope']:<28} {row['events']:>9,} {row['patrons']:>8,} {row['ms']:>8} "
            f"{row['raw_ms']:>8} {row['ratio']:>6}  {full:<40} {mark:<4} "
            f"{', '.join(row['indexes'])}; {', '.join(row['large_scans']) or '-'}"
        )
    print(f"(target: the worst 30-day scope under {BREACH_TARGET_S:.0f} s at full size)")
    print("\nLibrary scoping: a director of 1, 10 and 60 libraries (median ms; raw SELECTs)")
    print(
        f"{'page':<22} "
        + " ".join(f"{str(n) + ' libraries':>22}" for n in ROLE_COUNTS)
        + "  same plan"
    )
    for name in dict.fromkeys(row["page"] for row in scoping):
        mine = [row for row in scoping if row["page"] == name]
        same = all(row["same_plan"] and not row["large_scans"] for row in mine)
        ok = ok and same
        cells = " ".join("{:>22}".format(f"{r['ms']} ({r['raw_ms']})") for r in mine)
        print(f"{name:<22} {cells}  {verdict(same)}")
        for r in mine:
            plan = ", ".join(f"{kind} {index}".strip() for kind, index in r["reads"])
            print(f"{'':<22}   {r['libraries']:>2} libraries: {plan}")
    return ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, default=0.01, help="of the full consortium")
    parser.add_argument("--libraries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds of each")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    info = ensure_set(args.factor, args.libraries)
    t0 = time.perf_counter()
    log("the breach listing")
    breach = measure_breach(args.rounds, args.factor)
    log("library scoping")
    scoping = measure_scoping(args.rounds)
    ok = print_tables(info, breach, scoping)
    log(f"done in {time.perf_counter() - t0:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
