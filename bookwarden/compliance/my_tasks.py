""" "My tasks" of the compliance controls (CC-8): a control that failed in last night's
snapshot is a task of those who hold its owner's role at that library.  One query, from the
snapshots (the home page never evaluates the controls)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

from .controls import builtin_catalog
from .models import ControlSnapshot, Status

if TYPE_CHECKING:
    from bookwarden.core.models import User


@task_provider
def failing_controls(user: User) -> Iterable[Task]:
    if not has_perm_anywhere(user, Perm.VIEW_COMPLIANCE):
        return
    roles: dict[int, set[str]] = {}
    for m in user.active_memberships():
        roles.setdefault(m.library_id, set()).add(m.role)
    controls = {c.id: c for c in builtin_catalog() if c.framework == "bookwarden"}
    since = timezone.localdate() - datetime.timedelta(days=1)
    latest: dict[tuple[int, str], ControlSnapshot] = {}
    for snapshot in (
        ControlSnapshot.objects.for_user(user, Perm.VIEW_COMPLIANCE)
        .filter(day__gte=since, control_id__in=list(controls))
        .select_related("library")
        .order_by("day", "pk")
    ):
        latest[(snapshot.library_id, snapshot.control_id)] = snapshot
    for (library_id, control_id), snapshot in sorted(latest.items()):
        control = controls[control_id]
        if snapshot.status != Status.FAILING or control.owner_role not in roles[library_id]:
            continue
        yield Task(
            f"Failing control: {control.title}",
            "See what fails and put it right.",
            reverse("compliance:detail", args=[snapshot.library.slug, control_id]),
            key=f"compliance:{library_id}:{control_id}",
            state=snapshot.summary[:200],
        )
