"""Keeping the audit log's head where the database cannot change it (LV-3, CC-9): the
nightly anchor in the anchor folder and the directors' weekly mail.

Both run as the installation (the job loop or the server's command line), never for a
person of a library.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from bookwarden.core import when as formats

from .actions import record
from .anchors import ANCHOR_FILE, Anchor, append_anchors, read_anchors
from .models import AuditAction, AuditEvent
from .verify import verify_since_anchors


class AnchorRefused(Exception):
    """The log does not pass ``verify``: no anchor is written over a damaged log."""


def _installation_only(actor: Any) -> None:
    if actor is not None:
        raise PermissionDenied("This is done by the job loop or on the server's command line.")


def anchor_head(*, actor: Any = None) -> Anchor | None:
    """Check the log against its anchors (every anchor, and each chain from its newest
    anchored event on: not a walk of the whole log), append the checked head of every chain to
    the anchor file (the newest event of each library's chain and of the installation's:
    cutting any chain's end is then caught), then record that it was written
    (``audit.anchored``).  ``None`` for an empty log.

    The order matters.  The anchor is written first and names an event already committed,
    so it is valid even if recording fails afterwards; the event is recorded second, so it
    never claims an anchor that was not written.  Right after a run, ``audit verify``
    therefore reports one event since the newest anchor: this record of it.

    Not one transaction: walking the chain must not hold the database's write lock (on
    SQLite a transaction takes it when it begins); ``record`` is a transaction of its own.
    A damaged log, or one that no longer matches an earlier anchor, raises
    :class:`AnchorRefused` and nothing is written (the job fails, visibly)."""
    _installation_only(actor)
    result = verify_since_anchors(read_anchors())
    if not result.ok:
        raise AnchorRefused(
            f"The audit log fails its check, so no anchor was written: {result.reason}. "
            "Run: bookwarden audit verify"
        )
    if result.head_seq == 0:
        return None
    heads = sorted(
        ((chain, seq, hash_) for chain, (seq, hash_) in result.heads.items()),
        key=lambda head: head[1],
    )
    anchors = append_anchors(heads, timezone.now())
    anchor = anchors[-1]  # the newest event of all chains
    record(
        AuditAction.AUDIT_ANCHORED,
        actor=actor,
        after={
            "seq": anchor.seq,
            "hash": anchor.hash,
            "chains": len(anchors),
            "written_at": anchor.as_dict()["written_at"],
            "file": ANCHOR_FILE,
        },
    )
    return anchor


HEAD_MAIL_BODY = """\
This is Bookwarden's weekly note of where the audit log stands, for the director of
{library}. Keep it outside Bookwarden: in this mailbox, or printed with the board minutes.

  Newest event of {library}: #{seq}
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

Each library's events are linked in a chain of their own: this number and fingerprint are
those of the newest event of {library}.
"""


def library_head(library_id: int) -> tuple[int, str] | None:
    """The newest event of the library's chain (or, for a log written before per-library
    chains, the newest event of that one chain)."""
    for events in (
        AuditEvent.objects.filter(chain=library_id).order_by("-chain_seq"),
        AuditEvent.objects.filter(chain__isnull=True).order_by("-seq"),
    ):
        head = events.values_list("seq", "hash").first()
        if head is not None:
            return head
    return None


@transaction.atomic
def mail_head_to_directors(*, actor: Any = None) -> int:
    """The weekly mail (LV-3, CC-9): each library's directors receive the head of their
    library's chain (``seq`` and hash) through the outbox, to keep outside the system.
    Only where mail is set up; once per library per week (a rerun the same week queues
    nothing).  Each mail queued is recorded (``audit.head_mailed``, naming the directors).
    Returns the number of libraries whose directors were mailed."""
    from bookwarden.core.models import Membership
    from bookwarden.core.roles import Role
    from bookwarden.mail.actions import queue_mail
    from bookwarden.mail.delivery import mail_is_set_up

    _installation_only(actor)
    if not mail_is_set_up():
        return 0
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
        head = library_head(library_id)
        if head is None:
            continue
        seq, hash_ = head
        queued = queue_mail(
            to=[person.email for person in people.values()],
            subject=f"Audit log check number for {library.name}: event #{seq}",
            body=HEAD_MAIL_BODY.format(
                library=library.name,
                seq=seq,
                hash=hash_,
                when=formats.when(when, library=library),
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
