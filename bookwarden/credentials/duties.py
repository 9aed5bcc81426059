"""Duties of the shared logins (IT-2, IT-4): each holder owes the change of a login due
within 14 days, overdue, or to change now.  The onboarding reminders job mails each duty
once on assignment, once before it is due and once when overdue.  The key names the login
and its last change, so each period of a login is one duty."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.core.obligations import Duty, duty_batch, duty_provider
from bookwarden.core.roles import Role

from .models import DUE_SOON_DAYS, Credential, due_on, status_of

if TYPE_CHECKING:
    from bookwarden.core.models import Library, User


def duty_key(credential: Credential) -> str:
    return f"credentials:{credential.pk}:{credential.last_changed_on.isoformat()}"


#: Only the library's IT staff hold a shared login (and owe its change).
IT_ROLES = frozenset({Role.TECH_COORDINATOR, Role.IT_STAFF})


def _duty(credential: Credential, library: Library) -> Duty | None:
    if status_of(credential) == "ok":
        return None
    due = due_on(credential)
    if credential.due_now_since is not None:
        assigned = timezone.localdate(credential.due_now_since)
    else:
        assigned = due - datetime.timedelta(days=DUE_SOON_DAYS)
    return Duty(
        key=duty_key(credential),
        kind="credential",
        title=f"Change the shared login of {credential.system} ({credential.account_name})",
        library_id=library.pk,
        assigned_on=assigned,
        due_on=due,
        url=reverse("credentials:detail", args=[credential.pk]),
    )


def _it_role(library: Library, user: object) -> QuerySet[Membership]:
    """The person's IT role at ``library`` in force (a holder who left owes nothing)."""
    return Membership.objects.active().filter(user_id=user, library=library, role__in=IT_ROLES)


@duty_provider
def credential_rotations(user: User, library: Library) -> Iterable[Duty]:
    """One query: the logins of ``library`` that ``user`` holds while in an IT role."""
    if not user.roles_in(library) & IT_ROLES:  # the roles are read once per person
        return
    held = (
        Credential.objects.filter(library=library, holders=user, retired_at__isnull=True)
        .select_related("library__credential_settings")
        .order_by("pk")
    )
    for credential in held:
        if (duty := _duty(credential, library)) is not None:
            yield duty


@duty_batch(credential_rotations)
def credential_rotations_of_many(
    users: Sequence[User], library: Library
) -> Mapping[int, Iterable[Duty]]:
    """The same for many people of ``library``, in one query."""
    found: dict[int, list[Duty]] = {}
    holdings = (
        Credential.holders.through.objects.filter(
            credential__library=library,
            credential__retired_at__isnull=True,
            user_id__in=[u.pk for u in users],
        )
        .filter(Exists(_it_role(library, OuterRef("user_id"))))
        .select_related("credential__library__credential_settings")
        .order_by("credential_id")
    )
    for holding in holdings:
        if (duty := _duty(holding.credential, library)) is not None:
            found.setdefault(holding.user_id, []).append(duty)
    return found
