"""The pages staff use all day, under load: a real server and 50 clients (issue 16, CC-6).

Run from the project root, with a PostgreSQL database of its own (``make bench-load``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bw_load_scale_bench \\
        .venv/bin/python bench/load.py --factor 0.01 --clients 50 --duration 60

It builds the scale data set at ``--factor`` with ``bench/scale.py`` (or reuses the one
already in that database), then serves it with ``bookwarden serve`` (gunicorn, in
production mode: ``BOOKWARDEN_PRODUCTION=1``, static files collected, secure cookies, behind
the TLS proxy's header as deploy/ sets it) on a free loopback port, as a subprocess stopped
at the end.

**Signing in.** ``bjohnson`` (desk staff at New Madrid) and ``mreyes`` (New Madrid's
director) each sign in once through the real pages: the password, then the code of their
authenticator app (the demo's TOTP secret).  A code is accepted once per person per 30 s,
so the clients' sessions are copies of those two: each client gets a session of its own,
made with Django's session store from the data the real sign-in left (same person, same
second factor), and its own cookie.  Half the clients are the desk staff, half the director.

**The load.** ``--clients`` threads (each its own keep-alive connection, reopened when the
server closes it, as gunicorn's sync workers do after every response) loop without pause
over: the health check, the home page, a patron search by card number and one by name, and
for the director the operations log and the audit log's newest page; every search and every
view of the audit log appends an audit event, so the log grows during the test.  Nothing is
counted until every client has been through its pages once and ``--warmup`` seconds have
passed (a worker's first request of a page compiles its templates).  Each request's time
is measured by the client, from sending to the last byte of the answer: the queue in front
of the workers included.  The time each path took inside a worker (the queue excluded) is
read from the server's access log, and the CPU used by the clients, gunicorn's processes
and PostgreSQL's is read from /proc.

**The baseline** in the same run is the health check (four small queries, no template, no
session write): each page's 95th percentile is given as a multiple of the health check's.
The target (the issue's): every page's p95 within 5 times the health check's, and no error
(any answer other than 200, or no answer within 30 s).  ``--strict``: exit 1 on a miss.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import os
import random
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from harness import ROOT, log, verdict
from load_server import (
    SESSION_COOKIE,
    Browser,
    collect_static,
    copy_session,
    production_passwords,
    server_env,
    server_times,
    serving,
    sign_in,
)

#: The issue's target: a page's p95 within this multiple of the health check's.
TARGET_RATIO = 5.0
HEALTH = "health check"
PAGE_ORDER = [
    HEALTH,
    "home (desk staff)",
    "home (director)",
    "search by card number",
    "search by name",
    "operations log",
    "audit log, newest",
]

# ------------------------------------------------------------------------------------------
# Figures
# ------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of ``values`` by the nearest rank: the smallest value at or
    below which at least ``q`` percent of them lie (0.0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class PageFigures:
    page: str
    count: int
    errors: int
    median_ms: float
    p95_ms: float
    p99_ms: float
    x_health: float | None = None
    ok: bool = True


def summarize(
    times: dict[str, list[float]], errors: dict[str, int], ratio: float = TARGET_RATIO
) -> list[PageFigures]:
    """Each page's figures, the health check first; a page misses when it had an error or
    its p95 is above ``ratio`` times the health check's (the health check itself misses
    only on an error)."""
    order = {page: i for i, page in enumerate(PAGE_ORDER)}
    pages = [HEALTH, *sorted((p for p in times if p != HEALTH), key=lambda p: order.get(p, 99))]
    rows = []
    for page in pages:
        ms = times.get(page, [])
        rows.append(
            PageFigures(
                page=page,
                count=len(ms),
                errors=errors.get(page, 0),
                median_ms=round(percentile(ms, 50), 1),
                p95_ms=round(percentile(ms, 95), 1),
                p99_ms=round(percentile(ms, 99), 1),
            )
        )
    health_p95 = rows[0].p95_ms
    for row in rows:
        row.x_health = round(row.p95_ms / health_p95, 2) if health_p95 else None
        within = row.page == HEALTH or (row.x_health is not None and row.x_health <= ratio)
        row.ok = row.errors == 0 and row.count > 0 and within
    return rows


# ------------------------------------------------------------------------------------------
# What the server and the database use
# ------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system) process ``pid`` has used so far; None once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@dataclass
class CpuMeter:
    """The CPU used by a changing set of processes (workers restarted, database connections
    reopened), read often: a process's use counts from when it was first seen (or from 0,
    when it began after the start) to when it was last seen."""

    first: dict[int, float] = field(default_factory=dict)
    last: dict[int, float] = field(default_factory=dict)
    started: bool = False

    def read(self, pids: Sequence[int]) -> None:
        for pid in pids:
            used = cpu_seconds(pid)
            if used is None:
                continue
            self.first.setdefault(pid, used if not self.started else 0.0)
            self.last[pid] = used
        self.started = True

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)


def children(pid: int) -> list[int]:
    """``pid`` and its child processes (gunicorn's master and workers)."""
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def database_backends() -> list[int]:
    """The PostgreSQL server processes serving this database (on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def sample_waits(waits: dict[str, int]) -> None:
    """Add what each busy PostgreSQL process of this database is doing now: running
    (``CPU``), or the event it waits for (``Lock:advisory`` is the audit chain's lock,
    ``IO:WALSync`` a commit's flush)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active'"
        )
        for (what,) in cursor.fetchall():
            waits[what] = waits.get(what, 0) + 1
    waits["samples"] = waits.get("samples", 0) + 1


# ------------------------------------------------------------------------------------------
# The clients
# ------------------------------------------------------------------------------------------


@dataclass
class Workload:
    """What the clients ask for: the paths of each person's loop (cards and names drawn
    from New Madrid's own patrons, so that searches find someone)."""

    cards: list[str]
    names: list[str]

    def loop(self, director: bool, rng: random.Random) -> list[tuple[str, str]]:
        pages = [
            (HEALTH, "/healthz"),
            ("home (director)" if director else "home (desk staff)", "/"),
            ("search by card number", "/patrons/?" + urlencode({"q": rng.choice(self.cards)})),
            ("search by name", "/patrons/?" + urlencode({"q": rng.choice(self.names)})),
        ]
        if director:
            pages += [("operations log", "/operations/"), ("audit log, newest", "/audit/")]
        return pages


def workload(size: int = 300) -> Workload:
    from bookwarden.core.models import Library
    from bookwarden.patrons.models import Card, Patron

    library = Library.objects.get(slug="new-madrid")
    cards = list(
        Card.objects.filter(library=library, status="active")
        .order_by("?")
        .values_list("number", flat=True)[:size]
    )
    names = [
        f"{first} {last}"
        for first, last in Patron.objects.filter(library=library)
        .order_by("?")
        .values_list("first_name", "last_name")[:size]
    ]
    return Workload(cards=cards, names=names)


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: str, ms: float | None, problem: str = "") -> None:
        with self.lock:
            if ms is None:
                self.errors[page] = self.errors.get(page, 0) + 1
                if len(self.samples) < 10:
                    self.samples.append(f"{page}: {problem}")
            else:
                self.times.setdefault(page, []).append(ms)


@dataclass
class Clock:
    """When the counted part of the run starts and stops (set by the main thread once every
    client has been through its loop once, so that every worker has served every page
    before anything is counted: its first request of a page compiles the templates)."""

    count_from: float = math.inf
    stop_at: float = math.inf
    first_loops: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def loop_done(self) -> None:
        with self.lock:
            self.first_loops += 1


def client(
    browser: Browser, director: bool, work: Workload, results: Results, clock: Clock, seed: int
) -> None:
    rng = random.Random(seed)
    first = True
    while time.monotonic() < clock.stop_at:
        for page, path in work.loop(director, rng):
            started = time.monotonic()
            if started >= clock.stop_at:
                return
            try:
                status, where, _ = browser.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                status, where = 0, type(exc).__name__
            ms = (time.monotonic() - started) * 1000
            if started < clock.count_from:
                continue
            if status == 200:
                results.add(page, ms)
            else:
                results.add(page, None, f"{status} {where}")
        if first:
            clock.loop_done()
            first = False


def audit_events() -> int:
    from bookwarden.audit.models import AuditEvent

    return AuditEvent.objects.count()


def load_average() -> str:
    return "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def run_load(args: argparse.Namespace, secret_key: str, data_dir: Path) -> dict[str, Any]:
    import resource

    from django.db import connection

    from bookwarden.jobs.actions import loop_beat

    work = workload()
    # The health check says "down" (503) when no job loop has been seen for ten minutes;
    # none runs beside the benchmark, so its heartbeat is written once, as the loop does.
    loop_beat(worker="bench-load")
    production_passwords(["bjohnson", "mreyes"])
    env = server_env(data_dir, secret_key, args.workers, args.threads)
    collect_static(env)
    access_log = data_dir / "server.log"
    with serving(env, access_log) as (port, server_pid):
        log(f"server on 127.0.0.1:{port}: {args.workers} worker(s) x {args.threads} thread(s)")
        people = {name: sign_in(port, name) for name in ("bjohnson", "mreyes")}
        browsers = []
        for i in range(args.clients):
            browser = Browser(port)
            director = i % 2 == 1
            key = copy_session(people["mreyes" if director else "bjohnson"])
            browser.cookies[SESSION_COOKIE] = key
            browsers.append((browser, director))
        events_before = audit_events()
        results = Results()
        log(f"{args.clients} clients: warm-up, then {args.duration} s counted")
        clock = Clock()
        threads = [
            threading.Thread(target=client, args=(b, d, work, results, clock, i), daemon=True)
            for i, (b, d) in enumerate(browsers)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        while clock.first_loops < len(threads) or time.monotonic() < start + args.warmup:
            if not all(t.is_alive() for t in threads):
                raise SystemExit("a client stopped during the warm-up")
            time.sleep(0.1)
        warmup = time.monotonic() - start
        clock.count_from = time.monotonic()
        clock.stop_at = clock.count_from + args.duration
        log(f"every client went through its pages once in {warmup:.0f} s; counting now")
        # What each side used while the requests were counted: this process (the clients),
        # gunicorn's processes, and PostgreSQL's processes serving this database.
        log_offset = access_log.stat().st_size
        load_before = load_average()
        started_cpu = resource.getrusage(resource.RUSAGE_SELF)
        gunicorn, postgresql = CpuMeter(), CpuMeter()
        peak = 0.0
        waits: dict[str, int] = {}
        while any(t.is_alive() for t in threads):
            gunicorn.read(children(server_pid))
            postgresql.read(database_backends())
            peak = max(peak, os.getloadavg()[0])
            sample_waits(waits)
            time.sleep(0.5)
        for t in threads:
            t.join()
        me = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {
            "clients": me.ru_utime + me.ru_stime - started_cpu.ru_utime - started_cpu.ru_stime,
            "gunicorn": gunicorn.seconds(),
            "postgresql": postgresql.seconds(),
        }
        load_after = load_average()
        with access_log.open() as f:
            f.seek(log_offset)
            served = server_times(f.readlines())
        events_after = audit_events()
        connection.close()
    requests = sum(len(v) for v in results.times.values()) + sum(results.errors.values())
    return {
        "rows": summarize(results.times, results.errors),
        "served": served,
        "waits": waits,
        "requests": requests,
        "cpu": {k: round(v, 1) for k, v in cpu.items()},
        "error_samples": results.samples,
        "events_before": events_before,
        "events_after": events_after,
        "load_before": load_before,
        "load_after": load_after,
        "load_peak": round(peak, 1),
        "warmup": round(warmup),
    }


# ------------------------------------------------------------------------------------------
# The report
# ------------------------------------------------------------------------------------------


def print_report(info: dict[str, Any], args: argparse.Namespace, run: dict[str, Any]) -> bool:
    written = info["written"]
    print(
        f"\nScale set at factor {info['factor']}: {info['libraries']} libraries, "
        f"{written['patrons']:,} patrons, {written['audit_events']:,} audit events; set-up "
        f"{'reused, built' if info['reused'] else 'built'} in {info['setup_seconds']} s"
    )
    print(
        f"gunicorn: {args.workers} worker(s) x {args.threads} thread(s) on {os.cpu_count()} "
        f"cores; {args.clients} clients for {args.duration} s (after {run['warmup']} s of "
        "warm-up); load average "
        f"{run['load_before']} before, {run['load_after']} after (peak {run['load_peak']})"
    )
    print(
        f"{'page':<24} {'count':>6} {'errors':>6} {'median':>8} {'p95':>8} {'p99':>8}"
        f" {'p95 x health':>13}"
    )
    ok = True
    for row in run["rows"]:
        ok = ok and row.ok
        print(
            f"{row.page:<24} {row.count:>6} {row.errors:>6} {row.median_ms:>8} "
            f"{row.p95_ms:>8} {row.p99_ms:>8} {row.x_health or 0:>13.2f}  {verdict(row.ok)}"
        )
    seconds = args.duration
    grew = run["events_after"] - run["events_before"]
    print(
        f"{run['requests']:,} requests counted ({run['requests'] / seconds:.1f} a second); "
        f"the audit log grew from {run['events_before']:,} to {run['events_after']:,} events "
        f"during the run, warm-up included (+{grew:,}, "
        f"{grew / (seconds + run['warmup']):.1f} a second)  {verdict(grew > 0)}"
    )
    cpu = run["cpu"]
    per_request = {k: v * 1000 / max(1, run["requests"]) for k, v in cpu.items()}
    print(
        "CPU while counted: "
        + ", ".join(f"{k} {v} s ({per_request[k]:.0f} ms a request)" for k, v in cpu.items())
    )
    print("Time in the worker per path (its access log; the queue before excluded):")
    health_p95 = percentile(run["served"].get("/healthz", []), 95) or 1
    for path, ms in sorted(run["served"].items(), key=lambda kv: -len(kv[1])):
        p95 = percentile(ms, 95)
        print(
            f"  {path:<22} {len(ms):>6} median {percentile(ms, 50):>6.0f} ms, "
            f"p95 {p95:>6.0f} ms ({p95 / health_p95:.1f} x health)"
        )
    waits = dict(run["waits"])
    samples = waits.pop("samples", 0) or 1
    print(
        f"PostgreSQL's busy processes, sampled {samples} times (mean number in each state): "
        + ", ".join(
            f"{k} {v / samples:.2f}" for k, v in sorted(waits.items(), key=lambda kv: -kv[1])
        )
    )
    for sample in run["error_samples"]:
        print(f"  error: {sample}")
    return ok and grew > 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factor", type=float, default=0.01, help="of the full consortium")
    parser.add_argument("--libraries", type=int, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds counted")
    parser.add_argument(
        "--warmup",
        type=int,
        default=5,
        help="seconds first, not counted (at least until every client has looped once)",
    )
    parser.add_argument("--workers", type=int, help="gunicorn's (default: serve's default)")
    parser.add_argument("--threads", type=int, default=1, help="per worker (gthread above 1)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    # The server and this process share the secret key: the sessions made here are read
    # there.  Set before Django reads its settings.
    secret_key = secrets.token_urlsafe(60)
    os.environ["SECRET_KEY"] = secret_key
    sys.path.insert(0, str(ROOT))
    args = parse_args(argv)
    from harness import setup_django
    from scale import ensure_set

    with tempfile.TemporaryDirectory(prefix="bookwarden_bench_load_") as tmp:
        os.environ.setdefault("BOOKWARDEN_DATA_DIR", tmp)
        setup_django()
        from bookwarden.core.management.commands.serve import default_workers

        args.workers = args.workers or default_workers()
        info = ensure_set(args.factor, args.libraries)
        run = run_load(args, secret_key, Path(tmp))
    ok = print_report(info, args, run)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
