"""Appending to the audit log: the only way an event is written (DESIGN mechanism 3); and
keeping its head outside the database (anchors, the directors' weekly mail).

Every action in every app calls :func:`record` inside its own transaction.  ``record``
serialises writers so that the chain never forks: on PostgreSQL it takes a transaction-level
advisory lock before reading the chain head; on SQLite every transaction begins IMMEDIATE
(see settings), which already holds the database's write lock.  A unique ``seq`` is the
last line of defence: a forked append fails instead of being stored.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.utils import timezone

from .anchors import ANCHOR_FILE, Anchor, append_anchor, read_anchors
from .chain import GENESIS_HASH, event_hash, normalize_ip, normalize_json
from .context import current_origin
from .models import AuditAction, AuditEvent
from .verify import verify_chain

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


# --- Anchors: the head kept where the database cannot change it (LV-3, CC-9) ---------------


class AnchorRefused(Exception):
    """The log does not pass ``verify``: no anchor is written over a damaged log."""


def _installation_only(actor: Any) -> None:
    if actor is not None:
        raise PermissionDenied("This is done by the job loop or on the server's command line.")


def anchor_head(*, actor: Any = None) -> Anchor | None:
    """Check the whole log against its anchors, append the checked head to the anchor file,
    then record that it was written (``audit.anchored``).  ``None`` for an empty log.

    The order matters.  The anchor is written first and names an event already committed,
    so it is valid even if recording fails afterwards; the event is recorded second, so it
    never claims an anchor that was not written.  Right after a run, ``audit verify``
    therefore reports one event since the newest anchor: this record of it.

    Not one transaction: walking the chain must not hold the database's write lock (on
    SQLite a transaction takes it when it begins); ``record`` is a transaction of its own.
    A damaged log, or one that no longer matches an earlier anchor, raises
    :class:`AnchorRefused` and nothing is written (the job fails, visibly)."""
    _installation_only(actor)
    result = verify_chain(anchors=read_anchors())
    if not result.ok:
        raise AnchorRefused(
            f"The audit log fails its check, so no anchor was written: {result.reason}. "
            "Run: bookwarden audit verify"
        )
    if result.head_seq == 0:
        return None
    anchor = append_anchor(result.head_seq, result.head_hash, timezone.now())
    record(
        AuditAction.AUDIT_ANCHORED,
        actor=actor,
        after={
            "seq": anchor.seq,
            "hash": anchor.hash,
            "written_at": anchor.as_dict()["written_at"],
            "file": ANCHOR_FILE,
        },
    )
    return anchor


_LOCAL_MAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    }
)


def mail_is_set_up() -> bool:
    """Mail leaves the machine: a mail server is configured (``EMAIL_HOST``)."""
    return settings.EMAIL_BACKEND not in _LOCAL_MAIL_BACKENDS


HEAD_MAIL_BODY = """\
This is Bookwarden's weekly note of where the audit log stands, for the director of
{library}. Keep it outside Bookwarden: in this mailbox, or printed with the board minutes.

  Newest event: #{seq}
  Its fingerprint: {hash}
  As of: {when}

Why keep it: every event in the audit log is linked to the one before it, so a change to an
old event is always found. But someone in control of the database server could remove the
newest events, or rewrite the log from some point on, and the log would still look whole.
This number and fingerprint, kept where the server cannot reach them, prove later what the
log held today.

To check, the person who runs the server types:

  bookwarden audit verify --anchor {seq}:{hash}

The answer must say "ok": true. If it says false, the log has been changed since this mail:
tell your board, and keep this mail as evidence.

The number counts the events of every library on this installation, not only yours.
"""


@transaction.atomic
def mail_head_to_directors(*, actor: Any = None) -> int:
    """The weekly mail (LV-3, CC-9): each library's directors receive the log's head
    (``seq`` and hash) through the outbox, to keep outside the system.  Only where mail is
    set up; once per library per week (a rerun the same week queues nothing).  Each mail
    queued is recorded (``audit.head_mailed``, naming the directors).  Returns the number of
    libraries whose directors were mailed."""
    from bookwarden.core.models import Membership
    from bookwarden.core.roles import Role
    from bookwarden.mail.actions import queue_mail

    _installation_only(actor)
    if not mail_is_set_up():
        return 0
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return 0
    seq, hash_ = head
    when = timezone.localtime()
    year, week, _ = when.isocalendar()
    directors: dict[int, dict[int, Any]] = {}
    libraries: dict[int, Any] = {}
    memberships = (
        Membership.objects.active().filter(role=Role.DIRECTOR).select_related("user", "library")
    )
    for membership in memberships:
        if (membership.user.email or "").strip():
            libraries[membership.library_id] = membership.library
            directors.setdefault(membership.library_id, {})[membership.user_id] = membership.user
    mailed = 0
    for library_id, people in sorted(directors.items()):
        library = libraries[library_id]
        queued = queue_mail(
            to=[person.email for person in people.values()],
            subject=f"Audit log check number for {library.name}: event #{seq}",
            body=HEAD_MAIL_BODY.format(
                library=library.name,
                seq=seq,
                hash=hash_,
                when=when.strftime("%Y-%m-%d %H:%M %Z"),
            ),
            reason="audit.head",
            library=library_id,
            dedupe_key=f"audit.head:{library_id}:{year}-W{week:02d}",
            actor=actor,
        )
        if queued is None:
            continue  # already mailed this week
        record(
            AuditAction.AUDIT_HEAD_MAILED,
            actor=actor,
            library=library_id,
            after={"seq": seq, "hash": hash_, "directors": sorted(people)},
        )
        mailed += 1
    return mailed
