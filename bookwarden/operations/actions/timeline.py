"""The timeline of a log entry (IT-10, IT-9): who did what, when.  :func:`add_step` is the
public action other apps call (enforcement, breach handling); keep its signature."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import User
from bookwarden.core.permissions import has_perm
from bookwarden.core.roles import Perm

from ..models import AFTER_CLOSE_KINDS, EntryStatus, LogEntry, StepKind, TimelineStep

#: Who may add a step to an entry: those who run the log, and those who run a part of an
#: incident's handling in other apps (enforcement, discipline, breach).
STEP_PERMS = (
    Perm.MANAGE_OPERATIONS,
    Perm.MANAGE_ENFORCEMENT,
    Perm.DECIDE_DISCIPLINE,
    Perm.MANAGE_BREACH,
)


def system_step(entry: LogEntry, text: str, actor: User | None = None) -> TimelineStep:
    """A line Bookwarden writes itself (kind ``system``), dated now."""
    return TimelineStep.objects.create(
        entry=entry, actor=actor, text=text, kind=StepKind.SYSTEM, at=timezone.now()
    )


@transaction.atomic
def add_step(*, actor: Any, entry: LogEntry, text: str, kind: str = "step") -> TimelineStep:
    """Append one line to an entry's timeline (IT-10, IT-9): who, when, what.

    The public action other apps call (enforcement, breach handling).  Allowed to those who
    run the log and to those who run a part of the handling (:data:`STEP_PERMS`); on a
    closed entry only notes and corrections are accepted.  ``system`` steps are Bookwarden's
    own."""
    if actor is not None and not any(has_perm(actor, p, entry.library_id) for p in STEP_PERMS):
        raise PermissionDenied(f"{actor} may not add steps to this entry.")
    if kind not in (StepKind.STEP, StepKind.NOTE, StepKind.CORRECTION):
        raise ValidationError({"kind": "Choose a step, a note or a correction."})
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Say what was done or noticed."})
    locked = LogEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.status == EntryStatus.CLOSED and kind not in AFTER_CLOSE_KINDS:
        raise ValidationError(
            {"kind": "This entry is closed: only a note or a correction can be added."}
        )
    step = TimelineStep.objects.create(entry=locked, actor=actor, text=text, kind=kind)
    record(
        AuditAction.OPS_STEP_ADDED,
        actor=actor,
        target=locked,
        library=locked.library_id,
        after={"step": step.pk, "kind": kind},
    )
    return step


@transaction.atomic
def add_step_as_of(
    *, entry: LogEntry, text: str, at: datetime.datetime, by: User | None, kind: str = "step"
) -> TimelineStep:
    """The command line and the demo: a step taken earlier, written down now by the
    installation on behalf of ``by``."""
    if kind not in (StepKind.STEP, StepKind.NOTE, StepKind.CORRECTION):
        raise ValidationError({"kind": "Choose a step, a note or a correction."})
    step = TimelineStep.objects.create(entry=entry, actor=by, text=text.strip(), kind=kind, at=at)
    record(
        AuditAction.OPS_STEP_ADDED,
        actor=None,
        target=entry,
        library=entry.library_id,
        after={"step": step.pk, "kind": kind, "backdated": True},
    )
    return step
