"""Canonical serialization and hashing of audit events.

``hash = SHA-256(prev_hash || "\\n" || canonical(event))`` where ``canonical`` is compact JSON
of a fixed-order list of the event's fields (nested values with sorted keys).  The same
function serves writing, ``audit verify`` and the benchmark, so the bytes never drift.

Format 2 (per-library chains) adds the event's chain and its place in it to the hashed
fields; format 1 is that of the events written before, without them.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import ipaddress
import json
from collections.abc import Sequence
from typing import Any

GENESIS_HASH = "0" * 64
FORMAT_VERSION = 2

#: Columns that entered the hash of an event written before per-library chains (format 1).
LEGACY_HASHED_FIELDS: tuple[str, ...] = (
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
#: Columns that enter the hash, in order.  ``audit verify`` selects exactly these.
HASHED_FIELDS: tuple[str, ...] = (*LEGACY_HASHED_FIELDS, "chain", "chain_seq")
_LEGACY_LENGTH = len(LEGACY_HASHED_FIELDS)

_dumps = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode
_UTC = datetime.UTC


def _parse_float(text: str) -> float | int:
    # PostgreSQL's jsonb keeps numbers as numeric and prints them without an exponent or a
    # sign on zero: 1e+16 comes back as the integer 10000000000000000, -0.0 as 0.0.
    number = float(text)
    if number == 0:
        return 0.0
    if "e" in text.lower() and number.is_integer():
        return int(decimal.Decimal(text))
    return number


def json_for_column(value: Any) -> tuple[str | None, Any]:
    """``value`` as the JSON text to store, and as the JSON column will give it back
    (dates and decimals as text): what the hash covers."""
    if value is None:
        return None, None
    text = json.dumps(value, default=str, allow_nan=False)
    return text, json.loads(text, parse_float=_parse_float)


def normalize_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # Hash what the database gives back: Django stores ::ffff:a.b.c.d where Python writes
    # ::ffff:xxxx:xxxx, and PostgreSQL refuses a zone (%eth0).
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:  # an IPv4 client seen through a dual-stack socket
            return str(address.ipv4_mapped)
        if address.scope_id:
            address = ipaddress.IPv6Address(address.packed)
    return str(address)


def format_time(value: datetime.datetime) -> str:
    if value.tzinfo is not _UTC:
        value = value.astimezone(_UTC)
    return value.isoformat(timespec="microseconds")


def canonical_bytes(row: Sequence[Any]) -> bytes:
    """``row`` holds the values of :data:`HASHED_FIELDS` in order (format 2), or of
    :data:`LEGACY_HASHED_FIELDS` (format 1: an event written before per-library chains)."""
    values = list(row)
    values[1] = format_time(values[1])
    values.insert(0, 1 if len(values) == _LEGACY_LENGTH else FORMAT_VERSION)
    return _dumps(values).encode("utf-8")


def canonical_middle(row: Sequence[Any]) -> str:
    """The canonical text of a format-2 ``row`` between its two numbers: what
    :func:`canonical_bytes` writes after ``[2,seq,`` and before ``,chain_seq]``.  The
    database's ``audit_append`` (migration 0014) adds the numbers it assigns under the
    chain's lock and hashes the whole, as :func:`event_hash` does."""
    values = list(row[1:-1])
    values[0] = format_time(values[0])
    return _dumps(values)[1:-1]


def event_hash(prev_hash: str, row: Sequence[Any]) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_bytes(row))
    return digest.hexdigest()
