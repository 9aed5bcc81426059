"""Patron restrictions (CC-3, CC-11): a patron's computer use restricted for a period
after a patron policy violation, and lifted early."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.operations.models import LogEntry

from ..models import PatronRestriction, RestrictionKind
from .case_steps import required_text


@transaction.atomic
def restrict_patron(
    *,
    actor: Any,
    patron: Any,
    reason: str,
    ends_on: datetime.date | None,
    starts_on: datetime.date | None = None,
    entry: LogEntry | None = None,
    kind: str = RestrictionKind.COMPUTER_USE,
) -> PatronRestriction:
    """CC-3, CC-11: restrict a patron's computer use for a period after a patron policy
    violation.  The audit event names the patron and the dates, never the reason."""
    require(actor, Perm.RESTRICT_PATRONS, patron.library_id)
    today = timezone.localdate()
    starts_on = starts_on or today
    reason = required_text(reason, "reason", "Say which policy was broken and how.")
    errors: dict[str, str] = {}
    if kind not in RestrictionKind.values:
        errors["kind"] = "Unknown restriction."
    if starts_on < today:
        errors["starts_on"] = "The start cannot be in the past."
    if ends_on is None:
        errors["ends_on"] = "A restriction needs an end date: it is for a period."
    elif ends_on <= starts_on:
        errors["ends_on"] = "The end date must be after the start."
    if entry is not None and (entry.library_id != patron.library_id or not entry.is_violation):
        errors["entry"] = "Choose a violation recorded at the patron's library."
    if errors:
        raise ValidationError(errors)
    assert ends_on is not None
    restriction = PatronRestriction.objects.create(
        library_id=patron.library_id,
        patron=patron,
        kind=kind,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        entry=entry,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    record(
        AuditAction.PATRON_RESTRICTED,
        actor=actor,
        target=restriction,
        library=patron.library_id,
        patron=patron.pk,
        after={
            "restriction": restriction.pk,
            "kind": kind,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "entry": entry.pk if entry is not None else None,
        },
    )
    return restriction


@transaction.atomic
def lift_restriction(
    *, actor: Any, restriction: PatronRestriction, reason: str
) -> PatronRestriction:
    """End a patron's restriction before its end date."""
    require(actor, Perm.RESTRICT_PATRONS, restriction.library_id)
    restriction = PatronRestriction.objects.select_for_update().get(pk=restriction.pk)
    if restriction.lifted_at is not None or restriction.ends_on <= timezone.localdate():
        raise ValidationError("That restriction has already ended.")
    required_text(reason, "reason", "Say why the restriction is lifted early.")
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actor if getattr(actor, "is_authenticated", False) else None
    restriction.save(update_fields=["lifted_at", "lifted_by"])
    record(
        AuditAction.PATRON_RESTRICTION_ENDED,
        actor=actor,
        target=restriction,
        library=restriction.library_id,
        patron=restriction.patron_id,
        after={"restriction": restriction.pk},
    )
    return restriction
