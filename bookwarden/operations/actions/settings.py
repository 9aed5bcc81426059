"""The library's settings of the operations log (IT-7, CC-9): the escalation time of an
unacknowledged incident and the timeliness targets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from ..models import DEFAULT_ESCALATION_MINUTES, OperationsSettings, Severity
from ..timeliness import DEFAULT_TARGET_DAYS, MAX_TARGET_DAYS


def escalation_minutes(library_id: int) -> int:
    """Minutes before an unacknowledged incident is escalated at this library (CC-9)."""
    row = OperationsSettings.objects.filter(library_id=library_id).first()
    return row.escalation_minutes if row else DEFAULT_ESCALATION_MINUTES


@transaction.atomic
def update_settings(
    *,
    actor: User | None,
    library: Library,
    escalation_minutes: int,
    target_days: dict[str, dict[str, int]],
) -> OperationsSettings:
    """IT-7: the library's escalation time and timeliness targets (the director)."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    row, _ = OperationsSettings.objects.select_for_update().get_or_create(library=library)
    overrides: dict[str, dict[str, int]] = {}
    for category, per_severity in target_days.items():
        if category not in DEFAULT_TARGET_DAYS:
            raise ValidationError(f"Unknown category {category!r}.")
        for severity, days in per_severity.items():
            if severity not in Severity.values:
                raise ValidationError(f"Unknown severity {severity!r}.")
            if not isinstance(days, int) or not 0 < days <= MAX_TARGET_DAYS:
                raise ValidationError(f"Targets are 1 to {MAX_TARGET_DAYS} days.")
            if DEFAULT_TARGET_DAYS[category][severity] != days:
                overrides.setdefault(category, {})[severity] = days
    before = {"escalation_minutes": row.escalation_minutes, "target_days": row.target_days}
    row.escalation_minutes = escalation_minutes
    row.target_days = overrides
    row.full_clean(exclude=["library"])
    row.save()
    after = {"escalation_minutes": row.escalation_minutes, "target_days": row.target_days}
    record(
        AuditAction.OPS_SETTINGS_CHANGED,
        actor=actor,
        target=row,
        library=library,
        before=before,
        after=after,
    )
    return row
