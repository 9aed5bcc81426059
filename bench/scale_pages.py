"""The pages staff use all day, timed on the consortium-scale data set (issue 16).

Run from the project root, with a PostgreSQL database of its own (``make bench-scale``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_scale_bench \\
        .venv/bin/python bench/scale_pages.py --factor 0.02

It builds the set at ``--factor`` with ``bench/scale.py`` (or reuses the one already in
that database, built at the same factor), then times each page: the median server time of
``--rounds`` requests through Django's test client, warm (one request first, not timed),
the pages taking turns round by round (a burst of load weighs on all alike),
as the demo's people (``bjohnson``, staff at New Madrid, for the patron pages; ``mreyes``,
New Madrid's director, for the audit log, the operations log and the home page; New Madrid
is the consortium's largest library in the set).

The first row, the health check, shows what any request costs on this machine in this
run (the floor under every page).  The baseline, in the same run: **the raw SELECTs
alone**.  The SQL of every SELECT the page ran (captured from its last request, the
session and sign-in reads included) is run again on a plain cursor and fetched, without
Django's models or the template; the page's writes (its audit event, the session's save)
are not repeated.  The ratio says what the page costs on top of its database reads ("x health":
the page against the health check); the target is the issue's, in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from harness import log, setup_django, verdict
from scale import BIG_PATRON_CARD, ensure_set


def _interleaved_medians(fns: list[Callable[[], Any]], rounds: int) -> list[float]:
    """The median ms of each function over ``rounds`` rounds, each round calling every
    function once in turn (after one warm call each: templates, caches, plans), so that a
    burst of load on a shared machine weighs on every page alike, not on one."""
    for fn in fns:
        fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for i, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i].append((time.perf_counter() - t0) * 1000)
    return [statistics.median(t) for t in times]


def _selects(fn: Callable[[], Any]) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        fn()
    sqls = [q["sql"].lstrip() for q in queries.captured_queries]
    return [
        sql
        for sql in sqls
        if (
            sql.upper().startswith("SELECT")
            # A table made from a SELECT (the breach listing's): EXPLAIN shows its plan.
            or (sql.upper().startswith("CREATE TEMP TABLE") and " AS SELECT " in sql.upper())
        )
        and "pg_advisory" not in sql
    ]


def _raw(sqls: list[str]) -> Callable[[], int]:
    from django.db import connection

    def run() -> int:
        n = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            for sql in sqls:
                raw.execute(sql)
                n += len(raw.fetchall())
        return n

    return run


class Pages:
    """The requests to time, each a function returning the response."""

    def __init__(self) -> None:
        from django.test import Client
        from django.urls import reverse

        from bookwarden.audit.models import AuditEvent
        from bookwarden.core.models import User
        from bookwarden.patrons.models import Card

        backend = "allauth.account.auth_backends.AuthenticationBackend"
        self.staff = Client(HTTP_HOST="localhost")
        self.staff.force_login(User.objects.get(username="bjohnson"), backend=backend)
        self.director = Client(HTTP_HOST="localhost")
        self.director.force_login(User.objects.get(username="mreyes"), backend=backend)
        card = Card.objects.get(number=BIG_PATRON_CARD)
        self.patron_id = card.patron_id
        # A card of an ordinary patron of New Madrid, and two words of a common name.
        self.card = (
            Card.objects.filter(library_id=card.library_id, status="active")
            .exclude(number=BIG_PATRON_CARD)
            .order_by("pk")
            .values_list("number", flat=True)[500]
        )
        self.search = reverse("patron_search")
        self.audit = reverse("audit:list")
        head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        self.middle_seq = head // 2
        self.opening_url = ""

    def get(self, client: Any, url: str, data: dict[str, Any] | None = None) -> Any:
        response = client.get(url, data or {})
        if response.status_code != 200:
            raise SystemExit(f"{url} {data}: {response.status_code}")
        return response

    def open_records(self) -> str:
        from django.urls import reverse

        from bookwarden.patrons.record_access import Purpose
        from bookwarden.patrons.records import RECORD_TYPES

        response = self.staff.post(
            reverse("patron_records", args=[self.patron_id]),
            {
                "purpose": Purpose.DESK,
                "card_number": BIG_PATRON_CARD,
                "record_types": list(RECORD_TYPES),
            },
        )
        if response.status_code != 302:
            raise SystemExit(f"opening the records: {response.status_code}")
        return str(response["Location"])

    def all(self) -> list[tuple[str, float, Callable[[], Any]]]:
        """(name, target in ms, request); the health check, first, is the floor of any
        request through the middleware here (no target)."""
        from django.urls import reverse

        s, d = self.staff, self.director
        self.opening_url = self.open_records()
        detail = reverse("patron_detail", args=[self.patron_id])
        action = {"action": "patron.records_opened"}
        before = {"before": self.middle_seq}
        return [
            # 503 here: no job loop runs beside the benchmark; the answer costs the same.
            ("health check (reference)", 0, lambda: s.get(reverse("healthz"))),
            ("card number search", 20, lambda: self.get(s, self.search, {"q": self.card})),
            ("name words search", 100, lambda: self.get(s, self.search, {"q": "maria okafor"})),
            ("patron page (5,000 loans)", 300, lambda: self.get(s, detail)),
            ("records opening page", 300, lambda: self.get(s, self.opening_url)),
            ("audit log, newest", 100, lambda: self.get(d, self.audit)),
            ("audit log, middle page", 100, lambda: self.get(d, self.audit, before)),
            ("audit log, filtered", 100, lambda: self.get(d, self.audit, action)),
            (
                "audit log, filtered, middle",
                100,
                lambda: self.get(d, self.audit, {**action, **before}),
            ),
            ("operations log", 100, lambda: self.get(d, reverse("operations:list"))),
            ("director's home", 100, lambda: self.get(d, reverse("home"))),
        ]


def large_scans(sqls: list[str], min_rows: int = 10_000) -> list[str]:
    """The tables of ``min_rows`` or more that the plans of ``sqls`` read whole."""
    from django.db import connection

    found = []
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for sql in sqls:
            raw.execute("EXPLAIN (FORMAT JSON) " + sql)
            stack = [raw.fetchone()[0][0]["Plan"]]
            while stack:
                node = stack.pop()
                stack.extend(node.get("Plans", []))
                if node["Node Type"] == "Seq Scan":
                    raw.execute(
                        "SELECT reltuples FROM pg_class WHERE relname = %s",
                        [node["Relation Name"]],
                    )
                    if raw.fetchone()[0] >= min_rows:
                        found.append(node["Relation Name"])
    return sorted(set(found))


def measure(rounds: int) -> list[dict[str, Any]]:
    from django.test.utils import override_settings

    # The test client's host; DEBUG stays off (no query log outside the capture).
    with override_settings(ALLOWED_HOSTS=["localhost"]):
        pages = Pages().all()
        log("  the pages' SQL")
        sqls = [_selects(request) for _, _, request in pages]
        log(f"  the pages and their raw SELECTs, interleaved, {rounds} rounds")
        page_ms = _interleaved_medians([request for _, _, request in pages], rounds)
        raw_ms = _interleaved_medians([_raw(q) for q in sqls], rounds)
    return [
        {
            "page": name,
            "ms": round(ms, 1),
            "raw_selects_ms": round(raw, 1),
            "ratio": round(ms / raw, 1) if raw else None,
            "target_ms": target,
            "ok": not target or ms <= target,
            "queries": len(q),
            "large_scans": large_scans(q),
        }
        for (name, target, _), ms, raw, q in zip(pages, page_ms, raw_ms, sqls, strict=True)
    ]


def print_table(info: dict[str, Any], rows: list[dict[str, Any]]) -> bool:
    written = info["written"]
    print(
        f"\nScale set at factor {info['factor']}: {info['libraries']} libraries, "
        f"{written['patrons']:,} patrons, {written['loans']:,} loans, "
        f"{written['audit_events']:,} audit events; set-up "
        f"{'reused, built' if info['reused'] else 'built'} in {info['setup_seconds']} s"
    )
    print(
        f"{'page':<30} {'median ms':>10} {'raw SELECTs':>12} {'ratio':>6} {'x health':>9}"
        f" {'target':>7}        tables read whole"
    )
    health = rows[0]["ms"] or 1
    ok = True
    for row in rows:
        ok = ok and row["ok"]
        print(
            f"{row['page']:<30} {row['ms']:>10} {row['raw_selects_ms']:>12} "
            f"{row['ratio']:>6} {row['ms'] / health:>9.1f} {row['target_ms'] or '-':>7}"
            f"  {verdict(row['ok']):<5}"
            f" {', '.join(row['large_scans']) or '-'}"
        )
    return ok


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, default=0.01, help="of the full consortium")
    parser.add_argument("--libraries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=15, help="timed requests per page")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup_django()
    info = ensure_set(args.factor, args.libraries)
    log(f"timing the pages, {args.rounds} rounds each")
    rows = measure(args.rounds)
    ok = print_table(info, rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
