"""Each library's events form a chain of their own, and the installation's events one more
(issue 16, CC-6): verified each on its own and all together, covered by the anchors, and
the log written before per-library chains still verifies as the one chain it was."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from bookwarden.audit.actions import hashed_values, record
from bookwarden.audit.anchoring import anchor_head
from bookwarden.audit.anchors import ANCHOR_FILE, anchor_dir, read_anchors
from bookwarden.audit.chain import GENESIS_HASH, event_hash
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.verify import verify_since_anchors
from bookwarden.jobs.registry import get_job

from .conftest import TABLE, verify_json, verify_report

NEW_MADRID, CRESCO = 701, 702


def write_mixed() -> dict[int, list[AuditEvent]]:
    """Events of two libraries and of the installation, interleaved."""
    chains: dict[int, list[AuditEvent]] = {0: [], NEW_MADRID: [], CRESCO: []}
    for n in range(9):
        library = (None, NEW_MADRID, CRESCO)[n % 3]
        event = record(AuditAction.AUDIT_VIEWED, library=library, purpose=f"event {n}")
        chains[library or 0].append(event)
    return chains


def legacy_event(seq: int, prev_hash: str, **fields: object) -> AuditEvent:
    """An event as written before per-library chains: no chain, hashed in format 1."""
    values: dict[str, object] = {"created_at": timezone.now(), **fields}
    event = AuditEvent(seq=seq, action=AuditAction.LOGIN, prev_hash=prev_hash, **values)
    event.hash = event_hash(prev_hash, hashed_values(event))
    event.save(force_insert=True)
    return event


def test_each_library_has_its_own_chain(db) -> None:
    chains = write_mixed()
    for chain, events in chains.items():
        assert [(e.chain, e.chain_seq) for e in events] == [(chain, 1), (chain, 2), (chain, 3)]
        assert events[0].prev_hash == GENESIS_HASH
        assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    # One order for the whole log: seq follows the order written, across chains.
    seqs = [e.seq for events in chains.values() for e in events]
    assert sorted(seqs) == sorted(set(seqs))
    assert verify_json() == (0, {"events": 9, "ok": True, "first_bad": None})


def test_an_event_moved_to_another_library_is_detected(db, raw_sql) -> None:
    """Rewriting an event into another library, with its hash recomputed, breaks it: its
    chain is hashed and must be its library's."""
    chains = write_mixed()
    moved = AuditEvent.objects.get(pk=chains[CRESCO][1].pk)
    moved.library_id = NEW_MADRID
    forged_hash = event_hash(moved.prev_hash, hashed_values(moved))
    raw_sql(
        f"UPDATE {TABLE} SET library_id = %s, hash = %s WHERE id = %s",
        [NEW_MADRID, forged_hash, moved.pk],
    )
    code, result = verify_json()
    assert code == 1
    assert (result["first_bad"], result["reason"]) == (
        moved.pk,
        "the event is not in its library's chain",
    )


def test_a_gap_in_one_librarys_chain_names_that_chain(db, raw_sql) -> None:
    chains = write_mixed()
    raw_sql(f"DELETE FROM {TABLE} WHERE id = %s", [chains[CRESCO][1].pk])
    code, result = verify_json()
    assert code == 1
    assert result["first_bad"] == chains[CRESCO][2].pk
    assert result["reason"] == f"expected event 2 of the chain of library {CRESCO}, found 3"


def test_the_anchor_covers_every_chain(db, raw_sql) -> None:
    """The nightly anchor writes the newest event of every chain: removing the end of one
    library's chain, or the whole of it, is caught though every other chain is intact."""
    chains = write_mixed()
    anchor_head()
    lines = [json.loads(line) for line in (anchor_dir() / ANCHOR_FILE).read_text().splitlines()]
    assert {(line["chain"], line["seq"]) for line in lines} == {
        (chain, events[-1].seq) for chain, events in chains.items()
    }
    raw_sql(f"DELETE FROM {TABLE} WHERE library_id = %s", [CRESCO])
    code, report = verify_report()
    assert code == 1
    assert report["reason"].startswith(f"the anchored event #{chains[CRESCO][-1].seq} is missing")
    assert report["reason"].endswith("so events were removed from the end of a chain")


def test_the_log_before_chains_still_verifies_and_chains_follow_it(db, raw_sql) -> None:
    """An installation upgraded from one chain: its old events (no chain, format 1) verify
    by seq as before, the new ones chain by library after them, and a change to an old one
    is still found."""
    first = legacy_event(1, GENESIS_HASH, purpose="before")
    second = legacy_event(2, first.hash, created_at=timezone.now() + datetime.timedelta(1))
    chains = write_mixed()
    assert min(e.seq for events in chains.values() for e in events) > second.seq
    assert verify_json() == (0, {"events": 11, "ok": True, "first_bad": None})
    anchor_head()
    assert verify_report()[1]["anchors_checked"] == 4  # the old chain's head too
    raw_sql(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["after", first.pk])
    code, result = verify_json()
    assert (code, result["first_bad"], result["reason"]) == (
        1,
        first.pk,
        "content does not match its hash",
    )


def test_the_nightly_anchor_walks_only_what_is_newer_than_the_anchors(db, raw_sql) -> None:
    """At consortium size a whole walk takes minutes (issue 16): the nightly anchor checks
    every anchor by one indexed read and walks each chain from its newest anchored event.
    The weekly full check still walks everything, and finds a change further back."""
    chains = write_mixed()
    anchor_head()  # walks all 9, anchors 3 chains, records audit.anchored (chain 0)
    record(AuditAction.AUDIT_VIEWED, library=CRESCO)
    result = verify_since_anchors(read_anchors())
    assert result.ok
    assert result.events == 2  # the anchor's own event and Cresco's new one
    assert result.heads[CRESCO][0] == AuditEvent.objects.order_by("-seq").first().seq
    raw_sql(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["edited", chains[NEW_MADRID][0].pk])
    with pytest.raises(RuntimeError, match="content does not match its hash"):
        get_job("audit-verify").func()
    # An anchored event that no longer matches is found by the nightly anchor too.
    raw_sql(f"UPDATE {TABLE} SET hash = %s WHERE id = %s", ["e" * 64, chains[CRESCO][-1].pk])
    broken = verify_since_anchors(read_anchors())
    assert (broken.ok, broken.first_bad) == (False, chains[CRESCO][-1].pk)
    assert broken.reason.endswith(
        f"the chain of library {CRESCO} was rewritten at or before this event"
    )


def test_the_event_returned_is_the_row_stored(db) -> None:
    """``record`` builds the event it returns from what it sent and what the append
    assigned (no read back): every column must be what the database holds, JSON included
    as the column gives it back (dates as text, 1e16 as an integer, -0.0 as 0.0)."""
    moment = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    event = record(
        AuditAction.AUDIT_VIEWED,
        actor=None,
        library=NEW_MADRID,
        patron=55,
        purpose="a check",
        before={"when": moment, "big": 1e16, "zero": -0.0},
        after={"names": ["b", "a"], "nested": {"z": 1, "a": [1.5, None]}},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    columns = [f.attname for f in AuditEvent._meta.concrete_fields]
    assert {c: getattr(event, c) for c in columns} == {c: getattr(stored, c) for c in columns}
    assert event.before == {"when": moment.isoformat(" "), "big": 10**16, "zero": 0.0}
    assert event.seq == event.pk and event.chain == NEW_MADRID and event.chain_seq == 1
    assert not event._state.adding
    assert event_hash(event.prev_hash, hashed_values(stored)) == stored.hash
