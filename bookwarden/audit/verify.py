"""Walking the chain: ``bookwarden audit verify``.

Streams the events chain by chain, each in its own order (memory stays flat however long
the log is), and stops at the first event whose place, link or content does not match.
That catches an edited event (its hash), a deleted one (a gap in its chain's numbers and a
broken link), an inserted one (a link that does not match), a reordering (links out of
order) and an event moved to another library's chain (the chain is hashed, and must be the
library's).  Each chain is checked on its own, and all of them in the one run.

Anchors (:mod:`bookwarden.audit.anchors`) catch what the chain alone cannot: every anchored
event must still be in the log with the anchored hash.  A missing one means events were
removed from the end; a different one means the chain was rewritten at or before it.  Every
anchor is checked, not only the newest: whoever cut the tail and waited for the next
nightly anchor of the shortened log is still caught by the anchors before it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .anchors import Anchor, AnchorFileError, anchor_dir, newest, read_anchors
from .chain import GENESIS_HASH, HASHED_FIELDS, LEGACY_HASHED_FIELDS, event_hash
from .models import AuditEvent


@dataclass
class VerifyResult:
    events: int
    ok: bool
    first_bad: int | None
    reason: str | None = None
    #: The newest event of all chains (``seq`` and hash).
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    #: The anchor that failed, if one did.
    failed_anchor: Anchor | None = None
    #: Each chain's newest event: {chain: (seq, hash)}; ``None`` names the chain of the
    #: events written before per-library chains.
    heads: dict[int | None, tuple[int, str]] = field(default_factory=dict)
    #: Events newer (by ``seq``) than the newest anchor given.
    events_since_anchor: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"events": self.events, "ok": self.ok, "first_bad": self.first_bad}


class _Broken(Exception):
    def __init__(self, event_id: int | None, reason: str, anchor: Anchor | None = None) -> None:
        self.event_id, self.reason, self.anchor = event_id, reason, anchor


def chain_name(chain: int | None) -> str:
    if chain is None:
        return "the log before per-library chains"
    return "the installation's chain" if chain == 0 else f"the chain of library {chain}"


class _Walk:
    """One pass over the events, chain by chain, in flat memory."""

    def __init__(self, anchors: Iterable[Anchor]) -> None:
        self.by_seq: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            self.by_seq.setdefault(anchor.seq, []).append(anchor)
        self.newest_anchor = max(self.by_seq, default=0)
        self.count = 0
        self.since_anchor = 0
        self.seen_anchored: set[int] = set()
        self.heads: dict[int | None, tuple[int, str]] = {}

    def chain(
        self,
        rows: Iterable[tuple],
        chain: int | None,
        position: int,
        start: tuple[int, str] = (0, GENESIS_HASH),
    ) -> None:
        """Check one chain's rows: (id, prev_hash, hash, *hashed values).  ``position`` is
        the index of the value that numbers the chain (``seq`` or ``chain_seq``); ``start``
        is the place and hash of the event before the first row (none: the chain's start)."""
        expected_prev, expected = start[1], start[0] + 1
        for row in rows:
            self.count += 1
            event_id, prev_hash, stored_hash, values = row[0], row[1], row[2], row[3:]
            if values[position] != expected:
                found = values[position]
                raise _Broken(event_id, f"expected {_place(chain, expected)}, found {found}")
            if prev_hash != expected_prev:
                raise _Broken(event_id, "link to the previous event does not match")
            if chain is not None and values[-2] != (values[6] or 0):
                raise _Broken(event_id, "the event is not in its library's chain")
            if event_hash(prev_hash, values) != stored_hash:
                raise _Broken(event_id, "content does not match its hash")
            seq = values[0]
            if seq > self.newest_anchor:
                self.since_anchor += 1
            for anchor in self.by_seq.get(seq, ()):
                self.seen_anchored.add(seq)
                if anchor.hash != stored_hash:
                    reason = (
                        f"event #{seq} differs from its anchor ({anchor.describe()}): "
                        f"{chain_name(chain)} was rewritten at or before this event"
                    )
                    raise _Broken(event_id, reason, anchor)
            expected_prev, expected = stored_hash, expected + 1
            self.heads[chain] = (seq, stored_hash)

    def result(self, broken: _Broken | None = None) -> VerifyResult:
        """What the walk found: where it broke, or every chain's head."""
        if broken is not None:
            return VerifyResult(
                self.count, False, broken.event_id, broken.reason, failed_anchor=broken.anchor
            )
        head_seq, head_hash = max(self.heads.values(), default=(0, GENESIS_HASH))
        return VerifyResult(
            self.count, True, None, None, head_seq, head_hash, None, self.heads, self.since_anchor
        )

    def missing_anchor(self) -> Anchor | None:
        missing = sorted(seq for seq in self.by_seq if seq not in self.seen_anchored)
        return self.by_seq[missing[0]][0] if missing else None


def _place(chain: int | None, number: int) -> str:
    return f"seq {number}" if chain is None else f"event {number} of {chain_name(chain)}"


def verify_chain(chunk_size: int = 5000, anchors: Iterable[Anchor] = ()) -> VerifyResult:
    """Walk every chain, each on its own from its first event; also check that each of
    ``anchors`` is in the log, unchanged.  The events before per-library chains are walked
    first, by ``seq``, as the one chain they were written in."""
    walk = _Walk(anchors)
    legacy = AuditEvent.objects.filter(chain__isnull=True).order_by("seq")
    chained = AuditEvent.objects.filter(chain__isnull=False).order_by("chain", "chain_seq")
    try:
        walk.chain(_rows(legacy, LEGACY_HASHED_FIELDS, chunk_size), None, 0)
        chained_rows = _rows(chained, HASHED_FIELDS, chunk_size)
        for chain, rows in groupby(chained_rows, key=lambda row: row[-2]):
            walk.chain(rows, chain, len(HASHED_FIELDS) - 1)
    except _Broken as broken:
        return walk.result(broken)
    result = walk.result()
    anchor = walk.missing_anchor()
    if anchor is not None:
        result.ok = False
        result.failed_anchor = anchor
        result.reason = (
            f"the anchored event #{anchor.seq} is missing ({anchor.describe()}): the log "
            f"now ends at #{result.head_seq}, so events were removed from the end of a chain"
        )
    return result


def verify_since_anchors(anchors: Iterable[Anchor], chunk_size: int = 5000) -> VerifyResult:
    """What the nightly anchor needs, without walking the whole log (issue 16: 100,000,000
    events take minutes): every anchor still names its event with the same hash (one
    indexed read per anchor), and each chain is whole from its newest anchored event to
    its head.  A change further back is found by the full check (:func:`verify_chain`,
    the weekly ``audit-verify`` job and ``bookwarden audit verify``).  With no anchor yet,
    every chain is walked whole."""
    walk = _Walk(anchors)
    # {chain: (place, hash, seq)} of the newest anchored event of each chain.
    starts: dict[int | None, tuple[int, str, int]] = {}
    seqs = sorted(walk.by_seq)
    try:
        for lo in range(0, len(seqs), 1000):
            found = AuditEvent.objects.filter(seq__in=seqs[lo : lo + 1000]).values_list(
                "id", "seq", "chain", "chain_seq", "hash"
            )
            for event_id, seq, chain, place, stored_hash in found:
                walk.seen_anchored.add(seq)
                for anchor in walk.by_seq[seq]:
                    if anchor.hash != stored_hash:
                        reason = (
                            f"event #{seq} differs from its anchor ({anchor.describe()}): "
                            f"{chain_name(chain)} was rewritten at or before this event"
                        )
                        raise _Broken(event_id, reason, anchor)
                at = seq if chain is None else (place or 0)
                if at > starts.get(chain, (0, "", 0))[0]:
                    starts[chain] = (at, stored_hash, seq)
        missing = walk.missing_anchor()
        if missing is not None:
            raise _Broken(
                None,
                f"the anchored event #{missing.seq} is missing ({missing.describe()}): "
                "events were removed from the end of a chain",
                missing,
            )
        for chain, (_, digest, seq) in starts.items():
            walk.heads[chain] = (seq, digest)
        legacy_at, legacy_hash, _ = starts.get(None, (0, GENESIS_HASH, 0))
        legacy = AuditEvent.objects.filter(chain__isnull=True, seq__gt=legacy_at).order_by("seq")
        walk.chain(
            _rows(legacy, LEGACY_HASHED_FIELDS, chunk_size), None, 0, (legacy_at, legacy_hash)
        )
        for chain in _chains():
            at, digest, _ = starts.get(chain, (0, GENESIS_HASH, 0))
            newer = AuditEvent.objects.filter(chain=chain, chain_seq__gt=at).order_by("chain_seq")
            position = len(HASHED_FIELDS) - 1
            walk.chain(_rows(newer, HASHED_FIELDS, chunk_size), chain, position, (at, digest))
    except _Broken as broken:
        return walk.result(broken)
    return walk.result()


def _rows(events: Any, fields: tuple[str, ...], chunk_size: int) -> Iterable[tuple]:
    return events.values_list("id", "prev_hash", "hash", *fields).iterator(chunk_size=chunk_size)


def _chains() -> list[int]:
    """Every chain that holds events, found by one index probe per chain (a loose index
    scan): a DISTINCT over the log would read all of it."""
    table = AuditEvent._meta.db_table
    sql = (
        f"WITH RECURSIVE chains(c) AS (SELECT MIN(chain) FROM {table} "  # noqa: S608
        f"UNION ALL SELECT (SELECT MIN(chain) FROM {table} WHERE chain > chains.c) "
        "FROM chains WHERE chains.c IS NOT NULL) SELECT c FROM chains WHERE c IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


@dataclass
class Report:
    """What ``audit verify`` prints: the chain's result, the anchors, and any warnings."""

    result: VerifyResult
    anchor: dict[str, object] | None = None
    anchors_checked: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.result.ok

    def as_dict(self) -> dict[str, object]:
        out = self.result.as_dict()
        if not self.result.ok:
            out["reason"] = self.result.reason
        out["anchor"] = self.anchor
        out["anchors_checked"] = self.anchors_checked
        out["warnings"] = self.warnings
        return out


def max_anchor_age() -> datetime.timedelta:
    return datetime.timedelta(hours=float(getattr(settings, "AUDIT_ANCHOR_MAX_AGE_HOURS", 48)))


def verify_log(chunk_size: int = 5000, extra: Iterable[Anchor] = ()) -> Report:
    """The whole check: the chain, every anchor of the anchor folder and ``extra`` (given
    on the command line), and how long ago the newest anchor was written (the gap)."""
    folder = anchor_dir()
    try:
        anchors = [*read_anchors(folder), *extra]
    except AnchorFileError as exc:
        result = VerifyResult(0, False, None, f"an anchor file cannot be read: {exc}")
        return Report(result)
    result = verify_chain(chunk_size=chunk_size, anchors=anchors)
    report = Report(result, anchors_checked=len(anchors))
    if not result.ok:
        report.anchor = result.failed_anchor.as_dict() if result.failed_anchor else None
        return report
    latest = newest([a for a in anchors if a.written_at is not None])
    if latest is None:
        report.warnings.append(
            f"No anchor was found in {folder}. Without one, removing the newest events, or "
            "rewriting the log and its hashes, goes unnoticed. The nightly audit-anchor job "
            "writes one (or run: bookwarden audit anchor)."
        )
        return report
    age = timezone.now() - (latest.written_at or timezone.now())
    report.anchor = {
        **latest.as_dict(),
        "events_since": result.events_since_anchor,
        "hours_since": round(age.total_seconds() / 3600, 1),
    }
    if age > max_anchor_age():
        report.warnings.append(
            f"The newest anchor was written {_age_text(age)} ago ({latest.describe()}); "
            f"the {result.events_since_anchor} events since then are not anchored yet. "
            "Is the job loop running (bookwarden jobs list)?"
        )
    return report


def _age_text(age: datetime.timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days and {hours % 24} hours"
