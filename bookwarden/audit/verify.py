"""Walking the chain: ``bookwarden audit verify``.

Streams the events in ``seq`` order (memory stays flat however long the log is) and stops at
the first event whose position, link or content does not match.  That catches an edited
event (its hash), a deleted one (a gap in ``seq`` and a broken link), an inserted one (a
link that does not match) and a reordering (links out of order).

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

from django.conf import settings
from django.utils import timezone

from .anchors import Anchor, AnchorFileError, anchor_dir, newest, read_anchors
from .chain import GENESIS_HASH, HASHED_FIELDS, event_hash
from .models import AuditEvent


@dataclass
class VerifyResult:
    events: int
    ok: bool
    first_bad: int | None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    #: The anchor that failed, if one did.
    failed_anchor: Anchor | None = None

    def as_dict(self) -> dict[str, object]:
        return {"events": self.events, "ok": self.ok, "first_bad": self.first_bad}


def verify_chain(chunk_size: int = 5000, anchors: Iterable[Anchor] = ()) -> VerifyResult:
    """Walk the whole chain; also check that each of ``anchors`` is in it, unchanged."""
    by_seq: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        by_seq.setdefault(anchor.seq, []).append(anchor)
    rows = (
        AuditEvent.objects.order_by("seq")
        .values_list("id", "prev_hash", "hash", *HASHED_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for row in rows:
        count += 1
        event_id, prev_hash, stored_hash, values = row[0], row[1], row[2], row[3:]
        reason = None
        if values[0] != expected_seq:
            reason = f"expected seq {expected_seq}, found {values[0]}"
        elif prev_hash != expected_prev:
            reason = "link to the previous event does not match"
        elif event_hash(prev_hash, values) != stored_hash:
            reason = "content does not match its hash"
        if reason:
            return VerifyResult(count, False, event_id, reason, expected_seq - 1, expected_prev)
        for anchor in by_seq.get(expected_seq, ()):
            if anchor.hash != stored_hash:
                reason = (
                    f"event #{expected_seq} differs from its anchor ({anchor.describe()}): "
                    "the log was rewritten at or before this event"
                )
                return VerifyResult(
                    count, False, event_id, reason, expected_seq - 1, expected_prev, anchor
                )
        expected_prev = stored_hash
        expected_seq += 1
    head_seq = expected_seq - 1
    missing = [a for seq, group in sorted(by_seq.items()) if seq > head_seq for a in group]
    if missing:
        anchor = missing[0]
        reason = (
            f"the anchored event #{anchor.seq} is missing ({anchor.describe()}): the log now "
            f"ends at #{head_seq}, so events were removed from its end"
        )
        return VerifyResult(count, False, None, reason, head_seq, expected_prev, anchor)
    return VerifyResult(count, True, None, None, head_seq, expected_prev)


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
        "events_since": result.head_seq - latest.seq,
        "hours_since": round(age.total_seconds() / 3600, 1),
    }
    if age > max_anchor_age():
        report.warnings.append(
            f"The newest anchor was written {_age_text(age)} ago ({latest.describe()}); "
            f"the {result.head_seq - latest.seq} events since then are not anchored yet. "
            "Is the job loop running (bookwarden jobs list)?"
        )
    return report


def _age_text(age: datetime.timedelta) -> str:
    hours = int(age.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hours"
    return f"{hours // 24} days and {hours % 24} hours"
