"""Every write of the compliance controls (CC-8): marking a control not applicable (and
undoing it), saving the library's own controls, answering an item no check answers.  Each
checks Perm.MANAGE_COMPLIANCE at the library and records its audit event in the same
transaction; the daily snapshots are written by :mod:`.snapshots`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from .controls import Control, builtin_catalog, catalog
from .loader import CatalogError, load_catalog_text
from .models import Answer, ChecklistAnswer, NotApplicable, OwnCatalog

MAX_OWN_TEXT = 100_000


def control_of(library: Library, control_id: str) -> Control:
    """The library's control ``control_id`` (built-in or its own), or a clear refusal."""
    for control in catalog(library):
        if control.id == control_id:
            return control
    raise ValidationError("The library has no such control.")


@transaction.atomic
def mark_not_applicable(
    *, actor: User | None, library: Library, control_id: str, reason: str
) -> NotApplicable:
    """A control the library says does not apply to it, with the reason (shown with it)."""
    require(actor, Perm.MANAGE_COMPLIANCE, library)
    control = control_of(library, control_id)
    reason = " ".join(reason.split())
    if len(reason) < 10:
        raise ValidationError({"reason": "Say why the control does not apply (a sentence)."})
    if NotApplicable.objects.filter(library=library, control_id=control.id).exists():
        raise ValidationError("This control is already marked not applicable.")
    row = NotApplicable.objects.create(
        library=library, control_id=control.id, reason=reason, marked_by=actor
    )
    record(
        AuditAction.COMPLIANCE_NOT_APPLICABLE,
        actor=actor,
        target=row,
        library=library,
        after={"control": control.id},
    )
    return row


@transaction.atomic
def mark_applicable(*, actor: User | None, library: Library, control_id: str) -> None:
    """Undo :func:`mark_not_applicable`: the control counts again."""
    require(actor, Perm.MANAGE_COMPLIANCE, library)
    row = (
        NotApplicable.objects.select_for_update()
        .filter(library=library, control_id=control_id)
        .first()
    )
    if row is None:
        raise ValidationError("This control is not marked not applicable.")
    record(
        AuditAction.COMPLIANCE_APPLICABLE,
        actor=actor,
        target=row,
        library=library,
        before={"control": control_id},
    )
    row.delete()


@transaction.atomic
def save_own_controls(*, actor: User | None, library: Library, text: str) -> list[Control]:
    """Replace the library's own controls with those of ``text`` (the catalog's YAML), after
    validating it; an empty text removes them.  Refused with every error named, nothing
    kept, when the text does not load."""
    require(actor, Perm.MANAGE_COMPLIANCE, library)
    if len(text) > MAX_OWN_TEXT:
        raise ValidationError({"text": "The text is too long (at most 100,000 characters)."})
    text = text.strip()
    controls: list[Control] = []
    if text:
        try:
            controls = load_catalog_text(
                text,
                source="Your controls",
                framework="own",
                taken=(c.id for c in builtin_catalog()),
            )
        except CatalogError as error:
            raise ValidationError({"text": error.errors}) from None
    row = OwnCatalog.objects.select_for_update().filter(library=library).first()
    if row is None:
        row = OwnCatalog(library=library)
    row.text = text
    row.changed_by = actor
    row.changed_at = timezone.now()
    row.save()
    record(
        AuditAction.COMPLIANCE_OWN_CONTROLS_SAVED,
        actor=actor,
        target=row,
        library=library,
        after={"controls": [c.id for c in controls]},
    )
    return controls


@transaction.atomic
def answer_item(
    *, actor: User | None, library: Library, control_id: str, answer: str, note: str = ""
) -> ChecklistAnswer:
    """A person's answer to an item no check answers (an ALA item, a library's own
    control): yes, partly, no or not applicable, with a note (needed unless yes)."""
    require(actor, Perm.MANAGE_COMPLIANCE, library)
    control = control_of(library, control_id)
    if not control.answered_by_person:
        raise ValidationError("This item is answered by the library's records, not by a person.")
    if answer not in Answer.values:
        raise ValidationError({"answer": "Choose yes, partly, no or not applicable."})
    note = note.strip()
    if answer != Answer.YES and not note:
        raise ValidationError({"note": "Say what is missing or why it does not apply."})
    row, _ = ChecklistAnswer.objects.select_for_update().update_or_create(
        library=library,
        control_id=control.id,
        defaults={
            "answer": answer,
            "note": note,
            "answered_by": actor,
            "answered_at": timezone.now(),
        },
    )
    record(
        AuditAction.COMPLIANCE_ITEM_ANSWERED,
        actor=actor,
        target=row,
        library=library,
        after={"control": control.id, "answer": answer},
    )
    return row
