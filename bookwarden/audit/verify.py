"""Walking the chain: ``bookwarden audit verify``.

Streams the events in ``seq`` order (memory stays flat however long the log is) and stops at
the first event whose position, link or content does not match.  That catches an edited
event (its hash), a deleted one (a gap in ``seq`` and a broken link), an inserted one (a
link that does not match) and a reordering (links out of order).
"""

from __future__ import annotations

from dataclasses import dataclass

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

    def as_dict(self) -> dict[str, object]:
        return {"events": self.events, "ok": self.ok, "first_bad": self.first_bad}


def verify_chain(chunk_size: int = 5000) -> VerifyResult:
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
        expected_prev = stored_hash
        expected_seq += 1
    return VerifyResult(count, True, None, None, expected_seq - 1, expected_prev)
