"""The tables of the consortium-scale data set (see ``bench/scale.py``): the sizes, the
COPY writer, and one function per table, each writing its rows with PostgreSQL COPY."""

from __future__ import annotations

import contextlib
import datetime
import json
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

FULL_SIZE = {
    "staff": 3_000,
    "patrons": 2_000_000,
    "loans": 50_000_000,
    "audit_events": 100_000_000,
    # A year of each, for the whole consortium.
    "operations_entries": 30_000,
    "disclosure_requests": 3_000,
}
PER_LOAN = {"holds": 0.1, "catalog_searches": 0.2, "computer_sessions": 0.1}
BIG_PATRON_LOANS = 5_000
BIG_PATRON_CARD = "29000000005000"
SEED = 16


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Rosa Walter Maria James Linda Robert Patricia John Jennifer Michael Elizabeth David "
    "Barbara William Susan Richard Jessica Joseph Sarah Thomas Karen Charles Nancy Daniel "
    "Lisa Matthew Betty Anthony Sandra Mark Ashley Donald Emily Steven Donna Paul "
    "Michelle Andrew Carol Joshua Amanda Kenneth Melissa Kevin Deborah Brian Stephanie "
    "George Rebecca"
)
LAST_NAMES = _words(
    "Delgado Okafor Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez "
    "Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin "
    "Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young "
    "Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall "
    "Rivera Campbell Mitchell Carter Roberts Schmidt Becker Novak Kowalski Lindqvist "
    "Haugen Yoder Stoltzfus"
)
TITLES = (
    "The Prairie Year",
    "River Towns of Missouri",
    "A Field Guide to Birds",
    "Small Engine Repair",
    "The Quiet Orchard",
    "Cooking for Two",
    "Local History of the Bootheel",
    "Learning Spanish",
)


def counts(factor: float, libraries: int) -> dict[str, int]:
    out = {name: max(1, round(size * factor)) for name, size in FULL_SIZE.items()}
    # A year is a year: the operations log and the requests for records are not scaled.
    out["operations_entries"] = FULL_SIZE["operations_entries"]
    out["disclosure_requests"] = FULL_SIZE["disclosure_requests"]
    out["staff"] = max(out["staff"], 3 * libraries)
    out["patrons"] = max(out["patrons"], 10 * libraries)
    for name, share in PER_LOAN.items():
        out[name] = max(1, round(out["loans"] * share))
    return out


def shares(total: int, libraries: int) -> list[int]:
    """``total`` split over the libraries by rank (the first gets the most), summing exactly."""
    weights = [(rank + 1) ** -0.7 for rank in range(libraries)]
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    parts[0] += total - sum(parts)
    return parts


# ------------------------------------------------------------------------------------------
# COPY
# ------------------------------------------------------------------------------------------


class Copier:
    """COPY rows into a model's table: the columns given, then every other column at its
    field's default (checked: a NOT NULL column without a default is an error here, not a
    failed COPY halfway)."""

    def __init__(self, model: Any, fields: Sequence[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = set(fields) - set(by_attname)
        if unknown:
            raise ValueError(f"{self.table}: no such columns {sorted(unknown)}")
        self.columns = [by_attname[name].column for name in fields]
        rest: list[Any] = []
        for field in meta.concrete_fields:
            if field.attname in fields or field.primary_key:
                continue
            value = field.get_default()
            if value is None and not field.null:
                raise ValueError(f"{self.table}.{field.column} needs a value")
            if isinstance(value, dict | list):
                value = json.dumps(value)
            self.columns.append(field.column)
            rest.append(value)
        self.rest = tuple(rest)

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        from django.db import connection

        columns = ", ".join(f'"{c}"' for c in self.columns)
        n = 0
        rest = self.rest
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row((*row, *rest))
                    n += 1
        return n


@contextlib.contextmanager
def indexes_deferred(*models: Any) -> Iterator[None]:
    """Drop the tables' secondary indexes (not those behind a constraint) for the COPY and
    build them again after it: one sort per index instead of a tree insert per row."""
    from django.db import connection

    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        # The foreign keys are checked at commit (deferred): check them now, before the
        # index builds, which refuse to run with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in found:
            cursor.execute(definition)


def next_id(model: Any) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT coalesce(max(id), 0) + 1 FROM "{model._meta.db_table}"')
        value: int = cursor.fetchone()[0]
    return value


def move_sequences(models: Iterable[Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT coalesce(max(id), 1) FROM "{table}"))'
            )


# ------------------------------------------------------------------------------------------
# The set
# ------------------------------------------------------------------------------------------


class World:
    """What the later tables need of the earlier ones: ids by library."""

    def __init__(self, now: datetime.datetime, rng: random.Random) -> None:
        self.now = now
        self.year_ago = now - datetime.timedelta(days=365)
        self.rng = rng
        self.libraries: list[int] = []
        self.branches: dict[int, list[int]] = {}
        self.staff: dict[int, list[int]] = {}
        self.patrons: dict[int, range] = {}
        self.big_patron = 0

    def moment(self, fraction: float) -> datetime.datetime:
        """A moment in the past year: 0 a year ago, 1 now."""
        return self.year_ago + datetime.timedelta(seconds=fraction * 365 * 86400)


def build_libraries(world: World, n: int) -> None:
    """The demo's people and libraries, then more member libraries through the actions."""
    from django.test.utils import override_settings

    from bookwarden.core import actions
    from bookwarden.core.demo import build_demo
    from bookwarden.core.models import Branch, Consortium, Library, Membership

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        build_demo()  # with the second factor the directors must have
    consortium = Consortium.objects.get()
    for i in range(Library.objects.count(), n):
        library = actions.create_library(
            actor=None,
            name=f"Member Library {i + 1:02d}",
            slug=f"member-{i + 1:02d}",
            jurisdiction="US-MO",
            consortium=consortium,
        )
        for b in range(3):
            actions.create_branch(
                actor=None, library=library, name=f"Branch {b + 1}", slug=f"branch-{b + 1}"
            )
    # The largest library first: New Madrid, where the demo's people work.
    world.libraries = list(Library.objects.order_by("pk").values_list("pk", flat=True))
    for library_id, branch_id in Branch.objects.order_by("pk").values_list("library_id", "pk"):
        world.branches.setdefault(library_id, []).append(branch_id)
    for library_id, user_id in Membership.objects.values_list("library_id", "user_id"):
        world.staff.setdefault(library_id, []).append(user_id)


def build_staff(world: World, total: int) -> int:
    from bookwarden.core.models import Membership, User

    user_id = next_id(User)
    membership_id = next_id(Membership)
    users: list[tuple[Any, ...]] = []
    memberships: list[tuple[Any, ...]] = []
    for library_id, n in zip(world.libraries, shares(total, len(world.libraries)), strict=True):
        for k in range(max(0, n - len(world.staff.get(library_id, [])))):
            role = "director" if k == 0 and library_id > 2 else "staff"
            first = FIRST_NAMES[user_id % len(FIRST_NAMES)]
            last = LAST_NAMES[user_id % len(LAST_NAMES)]
            users.append(
                (user_id, f"s{library_id}-{k}", first, last, f"s{user_id}@example.org", "!")
            )
            branches = world.branches[library_id]
            branch = None if role == "director" else branches[k % len(branches)]
            memberships.append(
                (membership_id, user_id, library_id, branch, role, world.year_ago, None)
            )
            world.staff.setdefault(library_id, []).append(user_id)
            user_id += 1
            membership_id += 1
    fields = ["id", "username", "first_name", "last_name", "email", "password"]
    Copier(User, fields).write(users)
    Copier(
        Membership,
        ["id", "user_id", "library_id", "branch_id", "role", "granted_at", "revoked_at"],
    ).write(memberships)
    return len(users)


def build_patrons(world: World, total: int) -> int:
    """Patrons with a card each (one in ten also has an older, replaced card)."""
    from bookwarden.patrons.models import Card, Patron

    rng = world.rng
    first_id = next_id(Patron)
    card_id = next_id(Card)
    patron_id = first_id
    patrons: list[tuple[Any, ...]] = []
    cards: list[tuple[Any, ...]] = []
    for library_id, n in zip(world.libraries, shares(total, len(world.libraries)), strict=True):
        start = patron_id
        for _ in range(n):
            branch = world.branches[library_id][patron_id % len(world.branches[library_id])]
            first = rng.choice(FIRST_NAMES)
            last = rng.choice(LAST_NAMES)
            created = world.moment(rng.random())
            keeps = patron_id % 10 == 0
            born = datetime.date(1940 + patron_id % 70, 1 + patron_id % 12, 1 + patron_id % 28)
            patrons.append(
                (patron_id, library_id, branch, first, last, born, keeps, created, "koha")
            )
            number = f"2{library_id:03d}{patron_id:010d}"
            issued = created.date()
            cards.append((card_id, library_id, patron_id, number, "active", issued))
            card_id += 1
            if patron_id % 10 == 3:
                cards.append((card_id, library_id, patron_id, "9" + number[1:], "replaced", issued))
                card_id += 1
            patron_id += 1
        world.patrons[library_id] = range(start, patron_id)
    # The patron whose records page is measured: 5,000 loans, reading history kept.
    world.big_patron = patron_id
    library_id = world.libraries[0]
    patrons.append(
        (
            patron_id,
            library_id,
            world.branches[library_id][0],
            "Rosa",
            "Benchmark",
            None,
            True,
            world.year_ago,
            "koha",
        )
    )
    cards.append((card_id, library_id, patron_id, BIG_PATRON_CARD, "active", world.now.date()))
    fields = [
        "id",
        "library_id",
        "home_branch_id",
        "first_name",
        "last_name",
        "birth_date",
        "keeps_reading_history",
        "created_at",
        "ils_source",
    ]
    n = Copier(Patron, fields).write(patrons)
    Copier(Card, ["id", "library_id", "patron_id", "number", "status", "issued_on"]).write(cards)
    return n


def _spread(world: World, total: int) -> Iterator[tuple[int, int]]:
    """(library id, row number) for ``total`` rows split over the libraries."""
    for library_id, n in zip(world.libraries, shares(total, len(world.libraries)), strict=True):
        for i in range(n):
            yield library_id, i


def _record_rows(
    world: World, total: int, linked_share: float, make: Callable[..., tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """Rows of one record type: in time order per library; ``linked_share`` of them (the
    most recent) still linked to a patron, the rest unlinked as retention leaves them."""
    rng = world.rng
    shares_ = shares(total, len(world.libraries))
    for library_id, n in zip(world.libraries, shares_, strict=True):
        patrons = world.patrons[library_id]
        branches = world.branches[library_id]
        linked_from = n - int(n * linked_share)
        for i in range(n):
            at = world.moment(i / max(n, 1))
            patron = rng.choice(patrons) if i >= linked_from else None
            yield make(library_id, branches[i % len(branches)], patron, at, i)


def build_loans(world: World, total: int) -> int:
    from bookwarden.patrons.models import Loan

    day = datetime.timedelta(days=1)
    now = world.now

    def loan(
        library_id: int, branch: int, patron: int | None, at: datetime.datetime, i: int
    ) -> tuple[Any, ...]:
        due = at + 21 * day
        # Returned unless recent: the last weeks' loans are still out, one in three.
        returned = None if (now - at < 21 * day and i % 3 == 0) else at + (3 + i % 17) * day
        if returned is not None and returned > now:
            returned = now
        title = TITLES[i % len(TITLES)]
        return (library_id, branch, patron, f"3{library_id:03d}{i:010d}", title, at, due, returned)

    fields = [
        "library_id",
        "branch_id",
        "patron_id",
        "item_barcode",
        "title",
        "checked_out_at",
        "due_at",
        "returned_at",
    ]
    copier = Copier(Loan, fields)
    n = copier.write(_record_rows(world, total, 0.1, loan))
    # The big patron's 5,000 loans, three hours apart, the newest now.
    library_id = world.libraries[0]
    branch = world.branches[library_id][0]
    big = []
    for i in range(BIG_PATRON_LOANS):
        at = world.now - datetime.timedelta(hours=3 * (BIG_PATRON_LOANS - i))
        returned = None if i % 25 == 0 else min(at + (2 + i % 19) * day, world.now)
        title = TITLES[i % len(TITLES)] + f" (vol. {i})"
        row = (library_id, branch, world.big_patron, f"4{i:013d}", title, at, at + 21 * day)
        big.append((*row, returned))
    return n + copier.write(big)


def build_other_records(world: World, sizes: dict[str, int]) -> dict[str, int]:
    from bookwarden.patrons.models import CatalogSearch, ComputerSession, Hold

    hour = datetime.timedelta(hours=1)

    def hold(lib: int, _b: int, patron: int | None, at: datetime.datetime, i: int) -> tuple:
        done = world.now - at > datetime.timedelta(days=14)
        status = ("fulfilled" if i % 5 else "cancelled") if done else "waiting"
        return (lib, patron, TITLES[i % len(TITLES)], at, status, at + 72 * hour if done else None)

    def search(lib: int, _b: int, patron: int | None, at: datetime.datetime, i: int) -> tuple:
        return (lib, patron, f"{TITLES[i % len(TITLES)].split()[-1].lower()} {i % 97}", at)

    def session(lib: int, _b: int, patron: int | None, at: datetime.datetime, i: int) -> tuple:
        return (lib, patron, f"PC-{i % 12 + 1:02d}", at, at + hour)

    return {
        "holds": Copier(
            Hold, ["library_id", "patron_id", "title", "placed_at", "status", "closed_at"]
        ).write(_record_rows(world, sizes["holds"], 0.1, hold)),
        "catalog_searches": Copier(
            CatalogSearch, ["library_id", "patron_id", "terms", "searched_at"]
        ).write(_record_rows(world, sizes["catalog_searches"], 0.05, search)),
        "computer_sessions": Copier(
            ComputerSession,
            ["library_id", "patron_id", "workstation", "started_at", "ended_at"],
        ).write(_record_rows(world, sizes["computer_sessions"], 0.05, session)),
    }


def build_operations(world: World, total: int) -> int:
    """A year of the security operations log, closed but for the last weeks'."""
    from bookwarden.operations.models import EntryKind, LogEntry, Severity

    kinds = [k for k in EntryKind.values if k != EntryKind.CONCERN]
    severities = Severity.values
    rows = []
    for library_id, i in _spread(world, total):
        n_here = len(world.staff[library_id])
        at = world.moment(world.rng.random())
        recent = world.now - at < datetime.timedelta(days=21)
        status = ("open" if i % 2 else "in_progress") if recent else "closed"
        kind = kinds[i % len(kinds)]
        rows.append(
            (
                library_id,
                world.branches[library_id][i % len(world.branches[library_id])],
                kind,
                severities[i % len(severities)],
                status,
                f"{EntryKind(kind).label} at the branch",
                "What happened, as recorded at the time.",
                at,
                at + datetime.timedelta(hours=2),
                None if recent else at + datetime.timedelta(days=3),
                world.staff[library_id][i % n_here],
            )
        )
    fields = [
        "library_id",
        "branch_id",
        "kind",
        "severity",
        "status",
        "title",
        "narrative",
        "occurred_at",
        "recorded_at",
        "closed_at",
        "reported_by_id",
    ]
    return Copier(LogEntry, fields).write(rows)


def build_disclosures(world: World, total: int) -> int:
    """A year of requests for records: the old ones closed, the recent ones waiting."""
    from bookwarden.disclosures.models import (
        INSTRUMENT_CHOICES,
        REQUESTER_CHOICES,
        DisclosureRequest,
    )

    rows = []
    for library_id, i in _spread(world, total):
        at = world.moment(world.rng.random())
        closed = world.now - at > datetime.timedelta(days=30)
        rows.append(
            (
                library_id,
                "closed" if closed else "recorded",
                f"Requester {i + 1}",
                REQUESTER_CHOICES[i % len(REQUESTER_CHOICES)][0],
                INSTRUMENT_CHOICES[i % len(INSTRUMENT_CHOICES)][0],
                world.staff[library_id][0],
                at,
                at + datetime.timedelta(days=10) if closed else None,
                json.dumps(["loans"]),
            )
        )
    fields = [
        "library_id",
        "status",
        "requester_name",
        "requester_type",
        "instrument",
        "received_by_id",
        "received_at",
        "closed_at",
        "record_types",
    ]
    return Copier(DisclosureRequest, fields).write(rows)


#: (action, share, what it carries): the mix of a consortium's day.
EVENT_MIX = (
    ("patron.searched", 30, "search"),
    ("patron.viewed", 25, "patron"),
    ("auth.login", 10, "account"),
    ("auth.logout", 6, "account"),
    ("audit.viewed", 5, "page"),
    ("patron.records_opened", 6, "opening"),
    ("patron.updated", 8, "patron"),
    ("card.issued", 5, "patron"),
    ("ops.entry_created", 3, "plain"),
    ("ops.step_added", 2, "plain"),
)


def build_audit_events(world: World, total: int) -> int:
    """``total`` events over the past year, in time order, each chained to the one before
    in its library's chain (the installation's for account events) by the hash
    :func:`bookwarden.audit.actions.record` computes."""
    from bookwarden.audit.chain import HASHED_FIELDS, event_hash
    from bookwarden.audit.models import AuditEvent

    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    # Each chain continues from the demo's own events: {chain: (its last place, that hash)}.
    heads: dict[int, tuple[int, str]] = {}
    for chain, place, digest in (
        AuditEvent.objects.filter(chain__isnull=False)
        .order_by("chain", "chain_seq")
        .values_list("chain", "chain_seq", "hash")
    ):
        heads[chain or 0] = (place or 0, digest)
    mix = [(action, kind) for action, share, kind in EVENT_MIX for _ in range(share)]
    libraries = world.libraries
    weights = shares(10_000, len(libraries))
    library_cycle = [lib for lib, w in zip(libraries, weights, strict=True) for _ in range(w)]
    rng = world.rng
    start = world.year_ago
    # Not later than the demo's own events: the log stays in time order.
    step = (world.now - datetime.timedelta(minutes=5) - start) / total

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal seq
        for i in range(total):
            seq += 1
            action, kind = mix[i % len(mix)]
            library_id = library_cycle[rng.randrange(len(library_cycle))]
            staff = world.staff[library_id]
            actor = staff[i % len(staff)]
            created = start + step * i
            target_type, target_id, patron, purpose = "", "", None, None
            after: dict[str, Any] | None = None
            library: int | None = library_id
            if kind == "search":
                after = {"results": i % 7}
            elif kind in ("patron", "opening"):
                patron = rng.choice(world.patrons[library_id])
                target_type, target_id = "patrons.patron", str(patron)
                if kind == "opening":
                    purpose = "desk"
                    after = {"record_types": ["loans", "holds"]}
            elif kind == "account":
                library = None
                target_type, target_id = "core.user", str(actor)
            elif kind == "page":
                after = {"filters": {}, "page": 1}
            chain = library or 0
            place, prev = heads.get(chain, (0, "0" * 64))
            request_id = f"{seq:032x}"
            ip = f"10.{library_id % 256}.{i % 256}.{(i >> 8) % 250 + 1}"
            hashed = (
                seq,
                created,
                actor,
                action,
                target_type,
                target_id,
                library,
                None,
                patron,
                purpose,
                request_id,
                ip,
                None,
                after,
                chain,
                place + 1,
            )
            digest = event_hash(prev, hashed)
            yield (
                *hashed[:12],
                None,
                json.dumps(after) if after is not None else None,
                chain,
                place + 1,
                prev,
                digest,
            )
            heads[chain] = (place + 1, digest)

    fields = [*HASHED_FIELDS, "prev_hash", "hash"]
    return Copier(AuditEvent, fields).write(rows())
