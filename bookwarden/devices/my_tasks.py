""" "My tasks" of the devices app:

- CC-7: for the technology coordinator and IT staff, one item per library, "N devices need
  patches", linking to the list filtered to them (urgent when more than a few);
- CC-3, CR-6d: the weekly check of a branch's public computers, missing this week, for the
  desk staff of that branch and the technology coordinator.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from bookwarden.core.models import Branch
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.roles import Perm, Role, permissions_for
from bookwarden.core.wording import counted

from .actions import library_today, week_of
from .models import Device
from .overdue import branches_missing_check, overdue_filter

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: More overdue devices than this at one library is urgent.
URGENT_OVERDUE = 5
_PATCHERS = {Role.TECH_COORDINATOR, Role.IT_STAFF}


@task_provider
def devices_to_patch(user: User) -> Iterable[Task]:
    """CC-7: devices past the library's patch target, one summary item per library."""
    libraries = {m.library_id: m.library for m in user.active_memberships() if m.role in _PATCHERS}
    if not libraries:
        return
    counts: dict[int, int] = {}
    for library_id in (
        Device.objects.for_user(user, Perm.MANAGE_IT_INVENTORY)
        .filter(retired_at__isnull=True)
        .filter(overdue_filter(libraries.values()))
        .values_list("library_id", flat=True)
    ):
        if library_id in libraries:  # not where they direct the library only
            counts[library_id] = counts.get(library_id, 0) + 1
    for library_id, n in counts.items():
        library = libraries[library_id]
        suffix = f" at {library.name}" if len(libraries) > 1 else ""
        yield Task(
            f"{counted(n, 'device needs', 'devices need')} patches{suffix}",
            "Patch them, then record the patches.",
            reverse("devices:list") + f"?library={library.slug}&patch=overdue",
            urgent=n > URGENT_OVERDUE,
            key=f"devices:patches:{library_id}",
        )


@task_provider
def public_computers_to_check(user: User) -> Iterable[Task]:
    """CC-3, CR-6d: a branch with public computers and no check this week."""
    libraries = {}
    whole: set[int] = set()  # libraries where every branch is theirs (the coordinator)
    branches: set[int] = set()
    for m in user.active_memberships():
        if m.role == Role.TECH_COORDINATOR:
            whole.add(m.library_id)
        elif m.branch_id and Perm.CHECK_PUBLIC_COMPUTERS in permissions_for(m.role):
            branches.add(m.branch_id)
        else:
            continue
        libraries[m.library_id] = m.library
    if not libraries:
        return
    for branch in branches_missing_check(
        Branch.objects.for_user(user, Perm.CHECK_PUBLIC_COMPUTERS)
    ):
        if branch.library_id not in whole and branch.pk not in branches:
            continue
        monday = week_of(library_today(branch.library))
        yield Task(
            f"Check the public computers at {branch.name}",
            "Log out of a test session and record what was left, if anything.",
            reverse("devices:checks") + f"?branch={branch.pk}",
            due=monday + datetime.timedelta(days=6),
            key=f"devices:check:{branch.pk}",
            state="Not checked this week yet.",
        )
