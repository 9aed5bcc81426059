"""Appending to the audit log: the only way an event is written (DESIGN mechanism 3).

Every action in every app calls :func:`record` inside its own transaction.  ``record``
serialises writers so that the chain never forks: on PostgreSQL it takes a transaction-level
advisory lock before reading the chain head; on SQLite every transaction begins IMMEDIATE
(see settings), which already holds the database's write lock.  A unique ``seq`` is the
last line of defence: a forked append fails instead of being stored.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, event_hash, normalize_ip, normalize_json
from .context import current_origin
from .models import AuditAction, AuditEvent

_ADVISORY_LOCK_KEY = 0x6277_6175_6469_74  # "bwaudit": one lock for the one chain
# ``AuditAction.values`` rebuilds the choices list on every access (tens of microseconds).
_ACTION_VALUES = frozenset(AuditAction.values)
_HEAD_SQL = f"SELECT seq, hash FROM {AuditEvent._meta.db_table} ORDER BY seq DESC LIMIT 1"  # noqa: S608 (constant table name)
_LOCK_THEN_HEAD_SQL = f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_KEY}); {_HEAD_SQL}"


def _lock_and_read_head() -> tuple[int, str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The head is read by a statement of its own, with a snapshot taken *after* the
            # lock is granted (READ COMMITTED takes one per statement).  Django's default
            # client-side-binding cursor sends both statements in one simple query: one
            # round trip, each statement still with its own snapshot, in order.
            if connection.settings_dict["OPTIONS"].get("server_side_binding"):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
                cursor.execute(_HEAD_SQL)
            else:
                cursor.execute(_LOCK_THEN_HEAD_SQL)
                cursor.nextset()
        elif connection.vendor == "sqlite":
            cursor.execute(_HEAD_SQL)
        else:
            raise RuntimeError(f"The audit log does not support {connection.vendor}.")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


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
    # No savepoint: inside a caller's transaction the event and the action stand or fall
    # together (a failed append dooms the whole transaction), and SAVEPOINT/RELEASE would
    # cost two more round trips per event.  Alone, this block is the transaction.
    with transaction.atomic(savepoint=False):
        prev_seq, prev_hash = _lock_and_read_head()
        event = AuditEvent(
            seq=prev_seq + 1,
            created_at=timezone.now(),
            actor_id=actor_id,
            action=str(action),
            target_type=target_type,
            target_id=target_id,
            library_id=_pk(library),
            subject_user_id=_pk(subject_user),
            patron_id=_pk(patron),
            purpose=purpose or None,
            request_id=origin.request_id,
            ip=normalize_ip(origin.ip),
            before=normalize_json(before),
            after=normalize_json(after),
            prev_hash=prev_hash,
        )
        event.hash = event_hash(prev_hash, hashed_values(event))
        event.save(force_insert=True)
    return event


def hashed_values(event: AuditEvent) -> tuple[Any, ...]:
    return (
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


def changes(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``obj`` (foreign keys by id), for before/after."""
    out: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = getattr(obj, attname)
    return out
