"""``bookwarden audit verify`` and ``audit head`` on an intact chain (DESIGN mechanism 3)."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent

from .conftest import run_verify, verify_json


def test_intact_chain_prints_one_json_line_and_exits_0(people) -> None:
    """LV-3, CC-9: the demo's whole chain verifies; the output is exactly one JSON line."""
    n = AuditEvent.objects.count()
    assert n > 40  # the demo wrote its consortium, libraries, people, roles, MFA
    code, text = run_verify()
    assert code == 0
    assert text.count("\n") == 1
    report = json.loads(text)
    [warning] = report.pop("warnings")
    assert warning.startswith("No anchor was found in ")  # more in test_anchors.py
    assert report == {
        "events": n,
        "ok": True,
        "first_bad": None,
        "anchor": None,
        "anchors_checked": 0,
    }


def test_empty_log_is_intact(db) -> None:
    code, result = verify_json()
    assert (code, result) == (0, {"events": 0, "ok": True, "first_bad": None})


def test_small_chunks_walk_the_whole_chain(chain) -> None:
    """The chain is streamed in chunks; a chunk boundary must not break the links."""
    code, result = verify_json("--chunk-size", "5")
    assert (code, result) == (0, {"events": len(chain), "ok": True, "first_bad": None})


def test_head_prints_newest_seq_and_hash(chain) -> None:
    out = io.StringIO()
    call_command("audit", "head", stdout=out)
    assert json.loads(out.getvalue()) == {"seq": chain[-1].seq, "hash": chain[-1].hash}
    assert chain[-1].chain_seq == len(chain)


def test_head_of_one_library_is_the_head_its_directors_are_mailed(people) -> None:
    """The weekly mail names the head of the library's own chain; ``audit head --library``
    prints the same, to compare (LV-3, CC-9)."""
    from bookwarden.audit.anchoring import library_head
    from bookwarden.core.models import Library

    cresco = Library.objects.get(slug="cresco")
    mine = record(AuditAction.AUDIT_VIEWED, library=cresco)
    newest = record(AuditAction.AUDIT_VIEWED)  # of the installation: not Cresco's head
    out = io.StringIO()
    call_command("audit", "head", "--library", "cresco", stdout=out)
    assert json.loads(out.getvalue()) == {"library": "cresco", "seq": mine.seq, "hash": mine.hash}
    assert library_head(cresco.pk) == (mine.seq, mine.hash) != (newest.seq, newest.hash)
    with pytest.raises(CommandError, match=r"No library has the short name 'nowhere'.*cresco"):
        call_command("audit", "head", "--library", "nowhere", stdout=io.StringIO())


def test_head_of_empty_log(db) -> None:
    out = io.StringIO()
    call_command("audit", "head", stdout=out)
    assert json.loads(out.getvalue()) == {"seq": 0, "hash": None}


def test_anchor_still_in_chain_passes(chain) -> None:
    anchor = f"{chain[5].seq}:{chain[5].hash}"
    record(AuditAction.AUDIT_VIEWED)  # the log grows after the anchor was taken
    code, result = verify_json("--anchor", anchor)
    assert (code, result) == (0, {"events": len(chain) + 1, "ok": True, "first_bad": None})


def test_anchor_with_wrong_hash_fails(chain) -> None:
    code, result = verify_json("--anchor", f"{chain[5].seq}:{'f' * 64}")
    assert code == 1
    assert result["ok"] is False
    assert result["first_bad"] == chain[5].pk
    assert result["reason"] == (
        f"event #{chain[5].seq} differs from its anchor (--anchor): the installation's chain "
        "was rewritten at or before this event"
    )


def test_verify_events_carry_chain_links(chain) -> None:
    """Each stored event links to the one before; the first links to the genesis hash."""
    stored = list(AuditEvent.objects.order_by("seq"))
    # All in the installation's chain (they name no library), at places 1, 2, 3 ...
    assert [(e.chain, e.chain_seq) for e in stored] == [(0, n) for n in range(1, len(chain) + 1)]
    assert stored[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(stored):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in stored}) == len(stored)


def test_console_command_verifies_a_fresh_install(tmp_path: Path) -> None:
    """The console command (``python -m bookwarden``, the ``bookwarden`` entry point) works
    end to end on its own SQLite file: migrate, write events, verify (exit 0), tamper
    with the file, verify (exit 1).  The only subprocess test of the audit suite: slow."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="bookwarden.settings",
        BOOKWARDEN_DATA_DIR=str(tmp_path),
        BOOKWARDEN_PRODUCTION="0",
    )

    def bookwarden(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bookwarden", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    setup = bookwarden("migrate", "--no-input", "-v", "0")
    assert setup.returncode == 0, setup.stderr
    # A few events written through the same record() the pages use, from another process.
    shell = bookwarden(
        "shell",
        "-c",
        "from bookwarden.audit.actions import record\n"
        "for _ in range(3): record('system.demo_loaded', purpose='subprocess')",
    )
    assert shell.returncode == 0, shell.stderr
    ok = bookwarden("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("\n") == 1
    assert json.loads(ok.stdout)["events"] == 3
    assert json.loads(ok.stdout)["ok"] is True

    import sqlite3

    db = sqlite3.connect(tmp_path / "bookwarden.sqlite3")
    with db:
        db.execute("UPDATE audit_auditevent SET purpose = 'edited' WHERE seq = 2")
    bad_id = db.execute("SELECT id FROM audit_auditevent WHERE seq = 2").fetchone()[0]
    db.close()
    bad = bookwarden("audit", "verify")
    assert bad.returncode == 1
    assert json.loads(bad.stdout) == {
        "events": 2,
        "ok": False,
        "first_bad": bad_id,
        "reason": "content does not match its hash",
        "anchor": None,
        "anchors_checked": 0,
        "warnings": [],
    }


@pytest.mark.parametrize("args", [(), ("nonsense",)])
def test_subcommand_is_required(db, args: tuple[str, ...]) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("audit", *args)


@pytest.mark.parametrize("anchor", ["12", "x:" + "a" * 64, "0:" + "a" * 64, "3:abc"])
def test_an_anchor_that_is_not_seq_and_hash_is_refused(db, anchor: str) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="is not SEQ:HASH"):
        call_command("audit", "verify", "--anchor", anchor, stdout=io.StringIO())
