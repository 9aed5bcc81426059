"""Canonical serialization and hashing of audit events.

``hash = SHA-256(prev_hash || "\\n" || canonical(event))`` where ``canonical`` is compact JSON
of a fixed-order list of the event's fields (nested values with sorted keys).  The same
function serves writing, ``audit verify`` and the benchmark, so the bytes never drift.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Sequence
from typing import Any

GENESIS_HASH = "0" * 64
FORMAT_VERSION = 1

#: Columns that enter the hash, in order.  ``audit verify`` selects exactly these.
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "created_at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "library_id",
    "subject_user_id",
    "patron_id",
    "purpose",
    "request_id",
    "ip",
    "before",
    "after",
)

_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode
_UTC = datetime.UTC


def normalize_json(value: Any) -> Any:
    """Turn a value into what the JSON column will give back (dates and decimals as text)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, allow_nan=False))


def normalize_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def format_time(value: datetime.datetime) -> str:
    if value.tzinfo is not _UTC:
        value = value.astimezone(_UTC)
    return value.isoformat(timespec="microseconds")


def canonical_bytes(row: Sequence[Any]) -> bytes:
    """``row`` holds the values of :data:`HASHED_FIELDS` in order."""
    values = list(row)
    values[1] = format_time(values[1])
    values.insert(0, FORMAT_VERSION)
    return _dumps(values).encode("utf-8")


def event_hash(prev_hash: str, row: Sequence[Any]) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_bytes(row))
    return digest.hexdigest()
