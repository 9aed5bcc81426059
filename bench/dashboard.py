"""Benchmark of the compliance dashboard (issue 17) on PostgreSQL.

Run from the project root::

    .venv/bin/python bench/dashboard.py [--scale 1.0] [--rounds 3]

At ``--scale 1`` the database holds a consortium of 50 libraries with 2,000 staff (40 per
library, each holding a role since two years), 2,000,000 patrons, 1,000,000 audit events,
60,000 entries of the operations log, 10,000 requests for records, 2,000 shared logins with
12,000 recorded changes, 4,000 training completions, a retention run every day for a year and
a year of daily control snapshots of every library (the history the dashboard reads).  The
rows are written with ``INSERT ... SELECT ... FROM generate_series`` (the set-up time is
printed, not measured), then ``VACUUM ANALYZE``.

Measured, in the same run and alternating over ``--rounds`` rounds (the best of each), the
page ``/reports/`` as the consortium's board member or auditor, with a role at all 50
libraries (CC-6):

* the page: the controls counted from the day's record of every control (the view of many
  libraries; the data set holds a year of records, today's included) and every trend and
  history chart computed;
* the baseline: the same page with the controls and the trends stubbed by their results
  (what is left: the request, the sign-in, drawing the charts and the template).

Goal: the page under 1 second.  The database ``bw_dashboard_bench`` is created and dropped
through the server's ``test`` database.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from typing import Any

from harness import emit, log, run_worker, setup_django, verdict
from retention_proof import fill

PG_DB_NAME = "bw_dashboard_bench"
GOAL_SECONDS = 1.0
LIBRARIES = 50
STAFF = 2_000
PATRONS = 2_000_000
AUDIT_EVENTS = 1_000_000
ENTRIES = 60_000
REQUESTS = 10_000
LOGINS = 2_000
CHANGES = 12_000


def _consortium(count: int) -> list[int]:
    """The consortium's libraries, each with a branch and a yearly security course."""
    from bookwarden.core.models import Branch, Consortium, Library
    from bookwarden.training.models import Course

    consortium = Consortium.objects.create(name="Bench Consortium", slug="bench")
    libraries = Library.objects.bulk_create(
        Library(
            name=f"Library {n:02d}",
            slug=f"lib-{n:02d}",
            consortium=consortium,
            jurisdiction="US-MO",
        )
        for n in range(count)
    )
    Branch.objects.bulk_create(Branch(library=lib, name="Main", slug="main") for lib in libraries)
    Course.objects.bulk_create(
        Course(
            library=lib, title="Yearly security", kind="cybersecurity", delivery="online_elsewhere"
        )
        for lib in libraries
    )
    return [lib.pk for lib in libraries]


def build(scale: float) -> dict[str, Any]:
    """Fill the database; returns the sizes."""
    from django.db import connection

    from bookwarden.audit.models import AuditEvent
    from bookwarden.compliance.controls import builtin_catalog
    from bookwarden.compliance.models import ControlSnapshot
    from bookwarden.core.models import Membership, User
    from bookwarden.credentials.models import Credential, Rotation
    from bookwarden.disclosures.models import DisclosureRequest
    from bookwarden.operations.models import LogEntry
    from bookwarden.patrons.models import Patron, RetentionRun
    from bookwarden.training.models import Completion, Course

    staff, patrons, events, entries, requests, logins, changes = (
        max(int(n * scale), LIBRARIES)
        for n in (STAFF, PATRONS, AUDIT_EVENTS, ENTRIES, REQUESTS, LOGINS, CHANGES)
    )
    ids = _consortium(LIBRARIES)
    lib = f"(ARRAY{ids})[1 + g.i % {len(ids)}]"
    two_years = "now() - interval '730 days'"
    day_in_year = "now() - (g.i % 400) * interval '1 day' - (g.i % 7) * interval '1 hour'"

    log(f"filling {staff:,} staff, {patrons:,} patrons, {events:,} audit events, ...")
    fill(
        User,
        staff,
        {
            "username": "'bench' || g.i",
            "email": "'bench' || g.i || '@example.org'",
            "password": "''",
            "is_active": "true",
            "date_joined": two_years,
        },
    )
    first_user = (
        User.objects.filter(username__startswith="bench")
        .order_by("pk")
        .values_list("pk", flat=True)[0]
    )
    fill(
        Membership,
        staff,
        {
            "user_id": f"{first_user} + g.i - 1",
            "library_id": lib,
            "role": "CASE WHEN g.i % 40 = 0 THEN 'director' ELSE 'staff' END",
            "granted_at": two_years,
        },
    )
    courses = dict(Course.objects.values_list("library_id", "pk"))
    course_ids = [courses[i] for i in ids]
    fill(
        Completion,
        staff * 2,
        {
            # Person p (1..staff) works at library p % 50, as their role says: each of them
            # completes twice, a little under two years apart.
            "library_id": f"(ARRAY{ids})[1 + ((g.i - 1) % {staff} + 1) % {len(ids)}]",
            "course_id": f"(ARRAY{course_ids})[1 + ((g.i - 1) % {staff} + 1) % {len(ids)}]",
            "user_id": f"{first_user} + (g.i - 1) % {staff}",
            "completed_on": "current_date - (g.i % 700)",
            "cycle_due_on": "current_date - (g.i % 700)",
            "how": "'recorded'",
            "recorded_at": "now()",
        },
    )
    fill(Patron, patrons, {"library_id": lib, "last_name": "'Reader'"})
    base = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    fill(
        AuditEvent,
        events,
        {
            "seq": f"{base} + g.i",
            "created_at": f"now() - ({events} - g.i) * interval '30 seconds'",
            "action": "'patron.viewed'",
            "actor_id": f"{first_user} + (g.i % {staff})",
            "target_type": "'patrons.patron'",
            "target_id": "g.i::text",
            "library_id": lib,
            "request_id": "''",
            "prev_hash": "md5('p' || g.i) || md5('q' || g.i)",
            "hash": "md5('h' || g.i) || md5('k' || g.i)",
        },
    )
    kinds = "(ARRAY['phishing','malware','intrusion','backup','server_change','patching'])"
    fill(
        LogEntry,
        entries,
        {
            "library_id": lib,
            "kind": f"{kinds}[1 + g.i % 6]",
            "severity": "'medium'",
            "status": "CASE WHEN g.i % 9 = 0 THEN 'open' ELSE 'closed' END",
            "title": "'Entry'",
            "narrative": "'What happened.'",
            "occurred_at": day_in_year,
            "recorded_at": day_in_year,
            "closed_at": f"CASE WHEN g.i % 9 = 0 THEN NULL "
            f"ELSE {day_in_year} + (g.i % 11) * interval '1 day' END",
            "submission_token": "''",
        },
    )
    fill(
        DisclosureRequest,
        requests,
        {
            "library_id": lib,
            "status": "CASE WHEN g.i % 5 = 0 THEN 'recorded' ELSE 'closed' END",
            "requester_name": "'Requester'",
            "requester_type": "(ARRAY['parent','law_enforcement','attorney'])[1 + g.i % 3]",
            "instrument": "'none'",
            "verdict": "CASE WHEN g.i % 5 = 0 THEN '' "
            "WHEN g.i % 3 = 0 THEN 'release_all' ELSE 'refuse' END",
            "received_at": day_in_year,
            "closed_at": f"CASE WHEN g.i % 5 = 0 THEN NULL "
            f"ELSE {day_in_year} + interval '3 days' END",
        },
    )
    fill(
        Credential,
        logins,
        {
            "library_id": lib,
            "system": "'Router ' || g.i",
            "kind": "'router'",
            "account_name": "'admin'",
            "manager_kind": "'bitwarden'",
            "manager_item": "'Network'",
            "last_changed_on": "current_date - (g.i % 240)",
        },
    )
    first_login = Credential.objects.order_by("pk").values_list("pk", flat=True)[0]
    fill(
        Rotation,
        changes,
        {
            "credential_id": f"{first_login} + (g.i % {logins})",
            "changed_on": "current_date - (g.i % 500)",
            "reason": "''",
            "note": "''",
        },
    )
    fill(
        RetentionRun,
        365,
        {
            "started_at": "now() - g.i * interval '1 day'",
            "status": "CASE WHEN g.i % 30 = 0 THEN 'failed' ELSE 'completed' END",
            "counts": "'{}'::jsonb",
            "details": "'{}'::jsonb",
        },
    )
    controls = [c.id for c in builtin_catalog()]
    days = 365
    per_day = len(ids) * len(controls)
    fill(
        ControlSnapshot,
        days * per_day,
        {
            "library_id": f"(ARRAY{ids})[1 + (g.i / {len(controls)}) % {len(ids)}]",
            "day": f"current_date - ((g.i - 1) / {per_day})::int",
            "control_id": f"(ARRAY{controls})[1 + g.i % {len(controls)}]",
            "status": "(ARRAY['operating','failing','no_evidence'])[1 + (g.i / 7) % 3]",
            "summary": "''",
        },
    )
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return {
        "libraries": len(ids),
        "staff": staff,
        "patrons": patrons,
        "audit_events": events,
        "entries": entries,
        "requests": requests,
        "logins": logins,
        "changes": changes,
        "snapshots": days * per_day,
    }


def worker(scale: float, rounds: int) -> None:
    setup_django()
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bookwarden.core.demo import build_demo
    from bookwarden.core.models import Library, Membership, User
    from bookwarden.core.roles import Role
    from bookwarden.reports import views
    from bookwarden.reports.dashboard import build as build_dashboard

    call_command("migrate", verbosity=0)
    build_demo(with_mfa=False)
    started = time.monotonic()
    sizes = build(scale)
    setup_seconds = time.monotonic() - started
    log(f"set-up took {setup_seconds:.0f} s: {sizes}")

    # The consortium's board member (read only, no second factor to set up).
    director = User.objects.create(username="consortium", email="consortium@example.org")
    Membership.objects.bulk_create(
        Membership(user=director, library=lib, role=Role.AUDITOR)
        for lib in Library.objects.filter(consortium__slug="bench")
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(director, backend="allauth.account.auth_backends.AuthenticationBackend")

    def page() -> float:
        t = time.monotonic()
        response = client.get("/reports/")
        elapsed = time.monotonic() - t
        assert response.status_code == 200, (response.status_code, response.get("Location"))
        assert b"Compliance at a glance: Bench Consortium" in response.content
        return elapsed

    computed: list[Any] = []

    def keep(scope: Any) -> Any:
        computed.append(build_dashboard(scope))
        return computed[-1]

    with mock.patch.object(views.dashboard_data, "build", keep):
        page()  # warm up, and keep the results for the stub
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        page()
    # Where the time goes: the controls and each chart alone.
    from bookwarden.reports import controls_state
    from bookwarden.reports.dashboard import CHARTS
    from bookwarden.reports.months import last_months
    from bookwarden.reports.scope import Scope

    libraries = list(Library.objects.filter(consortium__slug="bench"))
    scope = Scope.of_person(director, libraries)
    parts: dict[str, float] = {}
    t = time.monotonic()
    controls_state.current(libraries)
    parts["evaluate"] = time.monotonic() - t
    months = last_months(12)
    today = datetime.date.today()
    for key, builder in CHARTS.items():
        t = time.monotonic()
        builder(scope, months, today)
        parts[key] = time.monotonic() - t
    log("parts: " + ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in parts.items()))
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(build_dashboard, scope)
        stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative")
        stats.print_stats(30)
        stats.print_stats("compliance/checks/", 40)  # each check's own time
    full_times, stub_times = [], []
    for n in range(rounds):
        full_times.append(page())
        with mock.patch.object(views.dashboard_data, "build", lambda scope: computed[0]):
            stub_times.append(page())
        log(f"round {n + 1}: page {full_times[-1]:.3f} s, stubbed {stub_times[-1]:.3f} s")
    emit(
        {
            "scale": scale,
            **sizes,
            "setup_seconds": setup_seconds,
            "queries": len(queries),
            "page_seconds": min(full_times),
            "stub_seconds": min(stub_times),
            "parts": parts,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--_worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._worker:
        worker(args.scale, args.rounds)
        return
    r = run_worker(
        __file__,
        "postgres",
        args.pg_url,
        PG_DB_NAME,
        lambda _data_dir: ["--scale", str(args.scale), "--rounds", str(args.rounds)],
    )
    ratio = r["page_seconds"] / max(r["stub_seconds"], 1e-9)
    print(
        f"compliance dashboard of a consortium of {r['libraries']} libraries (PostgreSQL, "
        f"scale {r['scale']}): {r['staff']:,} staff, {r['patrons']:,} patrons, "
        f"{r['audit_events']:,} audit events, {r['entries']:,} log entries, "
        f"{r['requests']:,} requests for records, {r['logins']:,} shared logins with "
        f"{r['changes']:,} changes, {r['snapshots']:,} control snapshots\n"
        f"  set-up (generate_series fill, VACUUM ANALYZE): {r['setup_seconds']:.0f} s\n"
        f"  page: {1000 * r['page_seconds']:.0f} ms ({r['queries']} queries)   "
        f"controls and trends stubbed: {1000 * r['stub_seconds']:.0f} ms   ratio {ratio:.2f}\n"
        f"  of which, alone: "
        + ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in r["parts"].items())
        + f"\n  goal: page under {GOAL_SECONDS:.0f} s: {verdict(r['page_seconds'] < GOAL_SECONDS)}"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
