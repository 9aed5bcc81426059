"""The "My tasks" home: each app registers what a person should do next.

A provider is a function ``(user) -> iterable of Task``; apps register theirs with
``@task_provider`` in their ``my_tasks.py``, imported from their AppConfig.ready().  The home
page shows every task, urgent and dated ones first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from . import when as formats
from .models import Membership, User
from .permissions import has_perm_anywhere
from .roles import Perm
from .second_factor import has_totp, needs_mfa


@dataclass(frozen=True)
class Task:
    title: str
    detail: str = ""
    url: str = ""
    due: datetime.date | None = None
    urgent: bool = False


Provider = Callable[[User], Iterable[Task]]
_providers: list[Provider] = []

#: How far ahead a director is told that someone's access is about to end.
EXPIRY_NOTICE_DAYS = 14


def task_provider(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def tasks_for(user: User) -> list[Task]:
    tasks = [task for provider in _providers for task in provider(user)]
    return sorted(tasks, key=lambda t: (not t.urgent, t.due or datetime.date.max, t.title))


@task_provider
def _second_factor(user: User) -> Iterable[Task]:
    if not needs_mfa(user) and not has_totp(user):
        yield Task(
            "Consider turning on two-factor login",
            "It protects your account if your password leaks.",
            reverse("mfa_index"),
        )


@task_provider
def _my_access_ends(user: User) -> Iterable[Task]:
    for m in user.active_memberships():
        if m.ends_on:
            yield Task(
                f"Your access at {m.library} ends on {formats.day(m.ends_on)}",
                "Ask the director if you need it longer.",
                due=m.ends_on,
            )


@task_provider
def _staff_access_ends(user: User) -> Iterable[Task]:
    """Directors see whose access ends soon, to renew it or let it lapse (CC-1)."""
    if not has_perm_anywhere(user, Perm.MANAGE_ROLES):
        return
    today = timezone.localdate()
    ending = (
        Membership.objects.active()
        .for_user(user, Perm.MANAGE_ROLES)
        .filter(ends_on__lte=today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS))
        .exclude(user=user)
        .select_related("user", "library")
        .order_by("ends_on")
    )
    for m in ending:
        yield Task(
            f"{m.user}'s access as {m.get_role_display().lower()} ends on {formats.day(m.ends_on)}",
            "Extend it from the role page, or let it end.",
            reverse("membership_edit", args=[m.library.slug, m.pk]),
            due=m.ends_on,
        )
