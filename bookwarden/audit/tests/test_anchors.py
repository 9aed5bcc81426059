"""Anchors catch what the chain alone cannot: the newest events removed, or the chain
rewritten from some point with fresh hashes (issue 9; LV-3, CC-9).  The nightly
``audit-anchor`` job writes the head to the anchor folder; ``audit verify`` checks every
anchor there and reports the gap since the newest one.

Raw SQL goes past the model's guards (on PostgreSQL the ``raw_sql`` fixture disables the
append-only trigger inside the test's rolled-back transaction)."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from bookwarden.audit.actions import hashed_values, record
from bookwarden.audit.anchoring import AnchorRefused, anchor_head
from bookwarden.audit.anchors import ANCHOR_FILE, anchor_dir, append_anchor
from bookwarden.audit.chain import event_hash
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.verify import verify_chain
from bookwarden.jobs.registry import get_job

from .conftest import TABLE, verify_report

NOW = datetime.datetime(2026, 3, 10, 8, 15, tzinfo=datetime.UTC)


def anchor_lines() -> list[dict[str, object]]:
    path = anchor_dir() / ANCHOR_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_without_an_anchor_verify_works_and_says_none_was_found(chain) -> None:
    code, report = verify_report()
    assert (code, report["ok"], report["events"]) == (0, True, len(chain))
    assert (report["anchor"], report["anchors_checked"]) == (None, 0)
    [warning] = report["warnings"]
    assert warning.startswith(f"No anchor was found in {anchor_dir()}.")
    assert "goes unnoticed" in warning


def test_the_default_folder_is_under_the_data_folder_not_beside_the_database() -> None:
    """Default: <data>/audit-anchors; SQLite's file is <data>/bookwarden.sqlite3."""
    from django.test import override_settings

    with override_settings(AUDIT_ANCHOR_DIR=None):
        assert anchor_dir() == Path(settings.DATA_DIR) / "audit-anchors"
        assert anchor_dir() != Path(settings.DATA_DIR)


def test_the_nightly_job_anchors_the_head_then_records_that_it_did(chain) -> None:
    job = get_job("audit-anchor")
    assert job.every == datetime.timedelta(days=1)
    head = chain[-1]
    with time_machine.travel(NOW, tick=False):
        output = job.func()
    assert output == f"Audit log checked and anchored at event #{head.seq}."
    assert anchor_lines() == [
        {"seq": head.seq, "hash": head.hash, "written_at": "2026-03-10T08:15:00+00:00", "chain": 0}
    ]
    # The job's own event comes after the anchor and names it: the anchor is not stale,
    # it is one event behind, and that event says why.
    recorded = AuditEvent.objects.order_by("-seq").first()
    assert recorded is not None and recorded.chain_seq == head.chain_seq + 1
    assert recorded.action == AuditAction.AUDIT_ANCHORED
    assert recorded.actor_id is None
    assert recorded.after == {
        "seq": head.seq,
        "hash": head.hash,
        "chains": 1,
        "written_at": "2026-03-10T08:15:00+00:00",
        "file": ANCHOR_FILE,
    }
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        code, report = verify_report()
    assert (code, report["ok"], report["warnings"], report["anchors_checked"]) == (0, True, [], 1)
    assert report["anchor"] == {
        "seq": head.seq,
        "hash": head.hash,
        "written_at": "2026-03-10T08:15:00+00:00",
        "source": f"{anchor_dir() / ANCHOR_FILE} line 1",
        "events_since": 1,
        "hours_since": 2.0,
    }


def test_deleting_the_newest_events_fails_naming_the_anchor(chain, raw_sql) -> None:
    anchored = anchor_head()
    assert anchored is not None and anchored.seq == chain[11].seq
    raw_sql(f"DELETE FROM {TABLE} WHERE seq >= %s", [chain[9].seq])
    assert verify_chain().ok  # what is left is a valid chain: alone, it proves nothing
    code, report = verify_report()
    assert code == 1
    assert report["ok"] is False
    assert report["events"] == 9
    assert report["first_bad"] is None
    source = f"{anchor_dir() / ANCHOR_FILE} line 1"
    assert report["reason"].startswith(
        f"the anchored event #{chain[11].seq} is missing ({source}, written "
    )
    assert report["reason"].endswith(
        f"the log now ends at #{chain[8].seq}, so events were removed from the end of a chain"
    )
    assert report["anchor"]["seq"] == chain[11].seq
    assert report["anchor"]["hash"] == chain[11].hash
    assert report["anchor"]["source"] == source


def rewrite_from(place: int, raw_sql) -> None:
    """Change the event at ``place`` of the installation's chain and recompute its hash and
    every link and hash after it: the chain checks out again, as if it had always been so."""
    events = AuditEvent.objects.filter(chain=0)
    prev_hash = events.get(chain_seq=place - 1).hash
    for event in events.filter(chain_seq__gte=place).order_by("chain_seq"):
        if event.chain_seq == place:
            event.purpose = "nothing to see"
        event.prev_hash = prev_hash
        new_hash = event_hash(prev_hash, hashed_values(event))
        raw_sql(
            f"UPDATE {TABLE} SET purpose = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.purpose, prev_hash, new_hash, event.seq],
        )
        prev_hash = new_hash


def test_rewriting_the_chain_with_fresh_hashes_fails_at_the_anchor(chain, raw_sql) -> None:
    anchor_head()  # anchors event 12; event 13 records it
    rewrite_from(6, raw_sql)
    assert AuditEvent.objects.get(pk=chain[5].pk).purpose == "nothing to see"
    assert verify_chain().ok  # the chain alone is fooled
    code, report = verify_report()
    assert code == 1
    assert report["ok"] is False
    assert report["first_bad"] == chain[11].pk
    assert report["reason"].startswith(f"event #{chain[11].seq} differs from its anchor (")
    assert report["reason"].endswith(
        "the installation's chain was rewritten at or before this event"
    )
    assert report["anchor"]["seq"] == chain[11].seq


def test_an_anchor_of_the_cut_log_does_not_hide_the_cut(chain, raw_sql) -> None:
    """Whoever cuts the tail and waits for the next nightly anchor is still caught: the
    job refuses to anchor, and every anchor is checked, not only the newest."""
    anchor_head()
    raw_sql(f"DELETE FROM {TABLE} WHERE seq >= %s", [chain[10].seq])
    with pytest.raises(AnchorRefused, match=f"anchored event #{chain[11].seq} is missing"):
        get_job("audit-anchor").func()
    assert len(anchor_lines()) == 1  # nothing written over a damaged log
    # Even an anchor of the shortened log, written by hand, does not hide the cut.
    shortened = chain[9]
    append_anchor(shortened.seq, shortened.hash, NOW)
    code, report = verify_report()
    assert code == 1
    assert report["anchors_checked"] == 2
    assert f"the anchored event #{chain[11].seq} is missing" in report["reason"]


def test_the_job_writes_no_anchor_over_a_damaged_log(chain, raw_sql) -> None:
    raw_sql(f"UPDATE {TABLE} SET purpose = 'edited' WHERE seq = %s", [chain[4].seq])
    with pytest.raises(AnchorRefused, match="content does not match its hash"):
        get_job("audit-anchor").func()
    assert anchor_lines() == []
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_ANCHORED).exists()


def test_a_gap_since_the_newest_anchor_is_reported(chain) -> None:
    """Older than AUDIT_ANCHOR_MAX_AGE_HOURS (48): a warning; the log is intact, so the
    exit code stays 0, and 2 with --strict (for monitoring)."""
    with time_machine.travel(NOW, tick=False):
        anchor_head()
    assert settings.AUDIT_ANCHOR_MAX_AGE_HOURS == 48
    with time_machine.travel(NOW + datetime.timedelta(hours=47), tick=False):
        code, report = verify_report()
        assert (code, report["warnings"]) == (0, [])
    with time_machine.travel(NOW + datetime.timedelta(days=3, hours=5), tick=False):
        for _ in range(4):
            record(AuditAction.AUDIT_VIEWED)
        code, report = verify_report()
        assert (code, report["ok"]) == (0, True)
        assert report["anchor"]["events_since"] == 5  # the job's own event and four more
        assert report["anchor"]["hours_since"] == 77.0
        [warning] = report["warnings"]
        assert warning.startswith("The newest anchor was written 3 days and 5 hours ago (")
        assert "the 5 events since then are not anchored yet" in warning
        strict, _ = verify_report("--strict")
        assert strict == 2


def test_an_unreadable_anchor_line_fails_naming_the_file_and_line(chain) -> None:
    anchor_head()
    path = anchor_dir() / ANCHOR_FILE
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"seq": 13, "hash": "not a hash"}\n')
    code, report = verify_report()
    assert code == 1
    assert report["ok"] is False
    assert report["reason"] == (
        f"an anchor file cannot be read: {path} line 2: field 'hash' must be 64 lowercase "
        "hex digits."
    )


def test_anchor_command_writes_one_and_prints_it(chain) -> None:
    out = io.StringIO()
    call_command("audit", "anchor", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["ok"] is True
    assert (printed["anchor"]["seq"], printed["anchor"]["hash"]) == (chain[-1].seq, chain[-1].hash)
    assert [line["seq"] for line in anchor_lines()] == [chain[-1].seq]
