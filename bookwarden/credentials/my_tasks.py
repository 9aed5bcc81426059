""" "My tasks" of the shared logins (IT-2, IT-4): each login to change now, overdue or due
within 14 days, for the IT staff who hold it and the technology coordinator.  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.roles import Perm, Role

from .models import Credential, due_on, status_of

if TYPE_CHECKING:
    from bookwarden.core.models import User


def credential_key(credential: Credential) -> str:
    return f"credentials:{credential.pk}"


def to_change_for(user: User) -> list[Credential]:
    """The logins ``user`` holds, and for a technology coordinator every login of their
    libraries, that are due now, overdue or due soon, the most urgent first."""
    held = Credential.objects.for_user(user, Perm.MANAGE_IT_INVENTORY).filter(holders=user)
    coordinated = Credential.objects.for_user(user, role=Role.TECH_COORDINATOR)
    rows = (
        (held | coordinated)
        .filter(retired_at__isnull=True)
        .distinct()
        .select_related("library__credential_settings")
        .order_by("pk")
    )
    found = [c for c in rows if status_of(c) != "ok"]
    return sorted(found, key=lambda c: (not c.is_due_now, due_on(c), c.system))


@task_provider
def credentials_to_change(user: User) -> Iterable[Task]:
    """IT-2, IT-4: the shared logins to change, on the holders' and the coordinator's home."""
    # Only the library's IT staff hold logins, and the coordinator oversees them: no query
    # for anyone else (the director's home included).
    if not (user.library_ids(role=Role.TECH_COORDINATOR) or user.library_ids(role=Role.IT_STAFF)):
        return
    for credential in to_change_for(user):
        status = status_of(credential)
        due = due_on(credential)
        if status == "now":
            todo = "Change it now in the password manager, then record the change."
            state = credential.due_reason
        else:
            todo = "Change it in the password manager, then record the change."
            state = f"Last changed on {formats.day(credential.last_changed_on)}."
        yield Task(
            f"Shared login: {credential.system} ({credential.account_name})",
            todo,
            reverse("credentials:detail", args=[credential.pk]),
            due=due,
            urgent=status in ("now", "overdue"),
            key=credential_key(credential),
            state=state,
        )
