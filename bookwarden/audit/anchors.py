"""Anchors: the audit log's head, kept where the database cannot change it (LV-3, CC-9).

The chain proves that no event before the newest one was changed; it cannot prove that the
newest events are still there, nor that someone with control of the database did not
rewrite the chain from some point on and recompute every hash after it.  An anchor closes
that gap: the ``seq`` and ``hash`` of an event, with the time it was written, appended as
one JSON line (one for the newest event of each chain: each library's, the installation's)
to ``audit-anchors.jsonl`` in the anchor folder (``AUDIT_ANCHOR_DIR``; by default ``<data
folder>/audit-anchors``, to be put on other storage in production).

``bookwarden audit verify`` reads every ``*.jsonl`` file of the folder and fails if an
anchored event is missing or differs (:mod:`bookwarden.audit.verify`).  The nightly
``audit-anchor`` job appends one anchor (:func:`bookwarden.audit.anchoring.anchor_head`).
"""

from __future__ import annotations

import datetime
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ANCHOR_FILE = "audit-anchors.jsonl"
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class AnchorFileError(ValueError):
    """An anchor file holds a line that is not an anchor (names the file and the line)."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    written_at: datetime.datetime | None
    #: Where it came from: ``/srv/anchors/audit-anchors.jsonl line 3`` or ``--anchor``.
    source: str

    def describe(self) -> str:
        when = f", written {format_written_at(self.written_at)}" if self.written_at else ""
        return f"{self.source}{when}"

    def as_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "hash": self.hash,
            "written_at": format_written_at(self.written_at) if self.written_at else None,
            "source": self.source,
        }


def format_written_at(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def anchor_dir() -> Path:
    """The anchor folder: ``AUDIT_ANCHOR_DIR``, else ``<DATA_DIR>/audit-anchors``."""
    configured = getattr(settings, "AUDIT_ANCHOR_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-anchors"


def parse_anchor_text(text: str, source: str = "--anchor") -> Anchor:
    """``SEQ:HASH`` (what ``audit head`` prints, and what the weekly mail gives)."""
    seq_text, sep, hash_text = text.strip().partition(":")
    hash_text = hash_text.strip().lower()
    seq_text = seq_text.strip()
    if not sep or not seq_text.isdigit() or int(seq_text) < 1 or not _HASH_RE.match(hash_text):
        raise AnchorFileError(
            f"{source}: {text!r} is not SEQ:HASH (an event number, ':', 64 hex digits)."
        )
    return Anchor(int(seq_text), hash_text, None, source)


def _parse_line(line: str, source: str) -> Anchor:
    try:
        data = json.loads(line)
        seq, hash_ = data["seq"], data["hash"]
        written_text = data.get("written_at")
        written_at = datetime.datetime.fromisoformat(written_text) if written_text else None
    except (ValueError, TypeError, KeyError) as exc:
        raise AnchorFileError(f"{source}: not an anchor ({exc.__class__.__name__}).") from None
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        raise AnchorFileError(f"{source}: field 'seq' must be a whole number from 1.")
    if not isinstance(hash_, str) or not _HASH_RE.match(hash_):
        raise AnchorFileError(f"{source}: field 'hash' must be 64 lowercase hex digits.")
    if written_at is not None and written_at.tzinfo is None:
        raise AnchorFileError(f"{source}: field 'written_at' has no time zone.")
    return Anchor(seq, hash_, written_at, source)


def read_anchors(folder: Path | None = None) -> list[Anchor]:
    """Every anchor in every ``*.jsonl`` file of the folder, in file and line order.

    A missing folder holds no anchors.  A line that is not an anchor raises
    :class:`AnchorFileError`: the check must not quietly fall back to an older anchor."""
    folder = folder or anchor_dir()
    if not folder.is_dir():
        return []
    anchors = []
    for path in sorted(folder.glob("*.jsonl")):
        try:
            with path.open(encoding="utf-8") as handle:
                lines = list(handle)
        except (OSError, UnicodeDecodeError) as exc:
            raise AnchorFileError(f"{path}: cannot be read ({exc.__class__.__name__}).") from None
        for number, line in enumerate(lines, start=1):
            if line.strip():
                anchors.append(_parse_line(line, f"{path} line {number}"))
    return anchors


def newest(anchors: list[Anchor]) -> Anchor | None:
    """The anchor of the highest ``seq`` (of two for the same event, the later written)."""
    if not anchors:
        return None
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return max(anchors, key=lambda a: (a.seq, a.written_at or epoch))


def append_anchor(seq: int, hash_: str, written_at: datetime.datetime) -> Anchor:
    """Append one anchor line to the anchor file and flush it to the disk."""
    return append_anchors([(None, seq, hash_)], written_at)[-1]


def append_anchors(
    heads: list[tuple[int | None, int, str]], written_at: datetime.datetime
) -> list[Anchor]:
    """Append one line per (chain, seq, hash) to the anchor file, flushed to the disk once.
    The chain is written for people reading the file; the check needs only seq and hash."""
    folder = anchor_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ANCHOR_FILE
    written = format_written_at(written_at)
    lines = "".join(
        json.dumps({"seq": seq, "hash": hash_, "written_at": written, "chain": chain}) + "\n"
        for chain, seq, hash_ in heads
    )
    # One write in append mode: two writers never interleave their lines.
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())
    with path.open(encoding="utf-8") as handle:
        number = sum(1 for _ in handle)
    first = number - len(heads) + 1
    when = written_at.replace(microsecond=0)
    return [
        Anchor(seq, hash_, when, f"{path} line {first + i}")
        for i, (_, seq, hash_) in enumerate(heads)
    ]
