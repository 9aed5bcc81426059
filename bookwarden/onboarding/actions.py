"""Writes of the onboarding app: the library's settings (CC-1, IT-11).  The reminders are
written by the job (:mod:`bookwarden.onboarding.reminders`)."""

from __future__ import annotations

from django.db import transaction

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from .models import OnboardingSettings

_FIELDS = ("new_account_days", "tell_hr_after_days")


@transaction.atomic
def update_settings(
    *, actor: User | None, library: Library, new_account_days: int, tell_hr_after_days: int
) -> OnboardingSettings:
    """How long a person counts as new, and how late someone is before human resources is
    told (the director)."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    row, _ = OnboardingSettings.objects.select_for_update().get_or_create(library=library)
    before = {name: getattr(row, name) for name in _FIELDS}
    row.new_account_days = new_account_days
    row.tell_hr_after_days = tell_hr_after_days
    row.full_clean(exclude=["library"])
    row.save()
    record(
        AuditAction.ONBOARDING_SETTINGS_CHANGED,
        actor=actor,
        target=row,
        library=library,
        before=before,
        after={name: getattr(row, name) for name in _FIELDS},
    )
    return row
