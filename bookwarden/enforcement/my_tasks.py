""" "My tasks" of the enforcement steps (IT-9, LV-12): human resources sees the cases waiting
for its decision; whoever opened a case sees its next step; those who may lock accounts are
offered the lock once the failed contacts reach the library's threshold.  One query each,
and none for people without the permissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere, libraries_with_perm
from bookwarden.core.roles import Perm

from .models import CaseStatus, EnforcementCase, Stage

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: At most this many cases are listed per kind of task (the case list shows them all).
TASK_LIMIT = 20


@task_provider
def hr_decisions(user: User) -> Iterable[Task]:
    """IT-9: human resources decides whether discipline is needed, before any action."""
    if not has_perm_anywhere(user, Perm.DECIDE_DISCIPLINE):
        return
    waiting = (
        EnforcementCase.objects.for_user(user, Perm.DECIDE_DISCIPLINE)
        .filter(status=CaseStatus.OPEN, stage=Stage.HR_DECISION)
        .order_by("opened_at", "pk")[:TASK_LIMIT]
    )
    for case in waiting:
        yield Task(
            f"Enforcement case #{case.pk}: decide whether discipline is needed",
            "Nothing disciplinary can happen on the case before your decision.",
            reverse("enforcement:case", args=[case.pk]),
            urgent=True,
        )


@task_provider
def next_steps(user: User) -> Iterable[Task]:
    """The next step of the cases one opened, and the lock once it may be offered."""
    owner = has_perm_anywhere(user, Perm.MANAGE_ENFORCEMENT)
    lockers = libraries_with_perm(user, Perm.LOCK_ACCOUNTS)
    if not owner and not lockers:
        return
    cases = EnforcementCase.objects.none()
    if owner:
        cases |= EnforcementCase.objects.filter(opened_by=user).exclude(stage=Stage.HR_DECISION)
    if lockers:
        cases |= EnforcementCase.objects.for_user(user, Perm.LOCK_ACCOUNTS).filter(stage=Stage.LOCK)
    cases = (
        cases.filter(status=CaseStatus.OPEN)
        .select_related("subject_user")
        .order_by("opened_at", "pk")[:TASK_LIMIT]
    )
    for case in cases:
        url = reverse("enforcement:case", args=[case.pk])
        if case.stage == Stage.LOCK and case.library_id in lockers:
            yield Task(
                f"Enforcement case #{case.pk}: offer to lock the account of {case.subject_user}",
                "Repeated attempts to reach the account user failed.",
                url,
                urgent=True,
            )
        else:
            yield Task(
                f"Enforcement case #{case.pk}: next, {case.get_stage_display().lower()}",
                "The enforcement steps of IT-9 and LV-12, in order.",
                url,
            )
