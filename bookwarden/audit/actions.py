"""Appending to the audit log: the only way an event is written (DESIGN mechanism 3).

Every action in every app calls :func:`record` inside its own transaction. Each library's
events form a chain of their own, and the events of no library one more (``chain`` 0), so
that the writers of 60 libraries do not queue behind one lock (issue 16, CC-6). ``record``
serialises the writers of one chain so that it never forks: on PostgreSQL the database
function ``audit_append`` takes a transaction-level advisory lock on that chain before
reading its head, and takes ``seq`` from the table's id sequence (no lock: numbers in the
order written, unique, a number skipped where a write rolled back), all in one round trip
(issue 16: appending costs about what a plain INSERT costs); on SQLite every transaction
begins IMMEDIATE (see settings), which already holds the database's write lock, and ``seq``
has no gaps. A unique (``chain``, ``chain_seq``) is the last line of defence: a forked
append fails instead of being stored.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .chain import (
    GENESIS_HASH,
    HASHED_FIELDS,
    canonical_middle,
    event_hash,
    json_for_column,
    normalize_ip,
)
from .context import current_origin
from .models import AuditAction, AuditEvent

# ``AuditAction.values`` rebuilds the choices list on every access (tens of microseconds).
_ACTION_VALUES = frozenset(AuditAction.values)
_TABLE = AuditEvent._meta.db_table
# SQLite: the chain's head and the number for the new event, under the database's write
# lock.  The chain is an integer formatted in (never text from outside).
_SQLITE_HEAD = (
    f"SELECT COALESCE((SELECT MAX(seq) FROM {_TABLE}), 0) + 1, head.chain_seq, head.hash "  # noqa: S608
    f"FROM (SELECT 1) AS one LEFT JOIN (SELECT chain_seq, hash FROM {_TABLE} "
    "WHERE chain = {chain} ORDER BY chain_seq DESC LIMIT 1) AS head ON TRUE"
)
#: The event's columns in the model's order (the row ``_append_postgresql`` returns).
_COLUMNS = [field.attname for field in AuditEvent._meta.concrete_fields]
_PG_APPEND = "SELECT * FROM audit_append(" + ", ".join(["%s"] * 15) + ")"  # noqa: S608


def _append_sqlite(event: AuditEvent) -> None:
    """Number, link, hash and insert ``event`` (SQLite: the transaction, begun IMMEDIATE,
    already holds the database's write lock)."""
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_HEAD.format(chain=int(event.chain or 0)))
        seq, place, prev_hash = cursor.fetchone()
    event.seq, event.chain_seq = seq, (place or 0) + 1
    event.prev_hash = prev_hash or GENESIS_HASH
    event.hash = event_hash(event.prev_hash, hashed_values(event))
    event.save(force_insert=True)


def _append_postgresql(
    values: tuple[Any, ...], before: str | None, after: str | None
) -> AuditEvent:
    """One round trip: ``audit_append`` locks the chain, reads its head, numbers, hashes
    and inserts the event (migration 0014).  It is sent the canonical JSON of the hashed
    ``values`` but the two numbers it assigns, so its hash is :func:`chain.event_hash`'s;
    ``before`` and ``after`` go as the JSON text they were normalised from."""
    chain = values[-2]
    # In the function's order: the chain, the canonical text, created_at ... ip, the JSON.
    params = [chain, canonical_middle(values), *values[1:12], before, after]
    with connection.cursor() as cursor:
        cursor.execute(_PG_APPEND, params)
        seq, place, prev_hash, digest = cursor.fetchone()
    # In the model's order: id, seq, chain, chain_seq, created_at ... after, the hashes.
    stored = (seq, seq, chain, place, *values[1:14], prev_hash, digest)
    return AuditEvent.from_db(connection.alias, _COLUMNS, stored)


def target_ref(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    meta = obj._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk)


def _pk(obj: Any) -> int | None:
    if obj is None:
        return None
    return obj if isinstance(obj, int) else obj.pk


def record(
    action: AuditAction | str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    library: Any = None,
    subject_user: Any = None,
    patron: Any = None,
    purpose: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event and return it.  Joins the caller's transaction if there is one."""
    if not isinstance(action, str) or action not in _ACTION_VALUES:
        raise ValueError(f"Unknown audit action {action!r}")
    origin = current_origin()
    target_type, target_id = target_ref(target)
    actor_id = _pk(actor) if getattr(actor, "is_authenticated", True) else None
    library_id = _pk(library)
    before_text, before = json_for_column(before)
    after_text, after = json_for_column(after)
    # The hashed values in the order of ``chain.HASHED_FIELDS``; the two numbers are
    # assigned under the chain's lock.
    values = (
        None,
        timezone.now(),
        actor_id,
        str(action),
        target_type,
        target_id,
        library_id,
        _pk(subject_user),
        _pk(patron),
        purpose or None,
        origin.request_id,
        normalize_ip(origin.ip),
        before,
        after,
        library_id or 0,
        None,
    )
    # No savepoint: inside a caller's transaction the event and the action stand or fall
    # together (a failed append dooms the whole transaction), and SAVEPOINT/RELEASE would
    # cost two more round trips per event.  Alone, this block is the transaction.
    with transaction.atomic(savepoint=False):
        if connection.vendor == "postgresql":
            return _append_postgresql(values, before_text, after_text)
        if connection.vendor == "sqlite":
            event = AuditEvent(**dict(zip(HASHED_FIELDS, values, strict=True)))
            _append_sqlite(event)
            return event
    raise RuntimeError(f"The audit log does not support {connection.vendor}.")


def hashed_values(event: AuditEvent) -> tuple[Any, ...]:
    """The values the hash covers, in order: format 2 for an event of a chain, format 1
    for one written before per-library chains."""
    legacy = (
        event.seq,
        event.created_at,
        event.actor_id,
        event.action,
        event.target_type,
        event.target_id,
        event.library_id,
        event.subject_user_id,
        event.patron_id,
        event.purpose,
        event.request_id,
        event.ip,
        event.before,
        event.after,
    )
    return legacy if event.chain is None else (*legacy, event.chain, event.chain_seq)


def changes(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` (foreign keys by id), for before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = getattr(obj, attname)
    return out
