"""Duties of the shared logins (IT-2, IT-4): each holder owes the change of a login due
within 14 days, overdue, or to change now.  The onboarding reminders job mails each duty
once on assignment, once before it is due and once when overdue.  The key names the login
and its last change, so each period of a login is one duty."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.obligations import Duty, duty_provider

from .models import DUE_SOON_DAYS, Credential, due_on, status_of

if TYPE_CHECKING:
    from bookwarden.core.models import Library, User


def duty_key(credential: Credential) -> str:
    return f"credentials:{credential.pk}:{credential.last_changed_on.isoformat()}"


@duty_provider
def credential_rotations(user: User, library: Library) -> Iterable[Duty]:
    """One query: the logins of ``library`` that ``user`` holds."""
    held = (
        Credential.objects.in_use()
        .filter(library=library, holders=user)
        .select_related("library__credential_settings")
        .order_by("pk")
    )
    for credential in held:
        if status_of(credential) == "ok":
            continue
        due = due_on(credential)
        if credential.due_now_since is not None:
            assigned = timezone.localdate(credential.due_now_since)
        else:
            assigned = due - datetime.timedelta(days=DUE_SOON_DAYS)
        yield Duty(
            key=duty_key(credential),
            kind="credential",
            title=f"Change the shared login of {credential.system} ({credential.account_name})",
            library_id=library.pk,
            assigned_on=assigned,
            due_on=due,
            url=reverse("credentials:detail", args=[credential.pk]),
        )
