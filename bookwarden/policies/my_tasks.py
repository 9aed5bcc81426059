""" "My tasks" of the policy library:

- for each person, the policies they must sign and the notice to acknowledge (IT-11, LV-8),
  urgent once overdue;
- for the director (MANAGE_POLICIES), the policies whose review date has passed (CC-11),
  until a review is recorded or a new version added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.models import libraries_of
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

from .audience import owed_by
from .duties import duty_key
from .models import Policy, PolicyKind

if TYPE_CHECKING:
    from bookwarden.core.models import User


@task_provider
def policies_to_sign(user: User) -> Iterable[Task]:
    """IT-11: each policy the person must sign, by its due date; urgent when overdue."""
    today = timezone.localdate()
    for library in libraries_of(user.active_memberships()):
        for item in owed_by(user, library):
            if item.done or item.policy.kind == PolicyKind.MONITORING_NOTICE:
                continue
            overdue = item.overdue(today)
            yield Task(
                f"Sign the {item.policy.title}",
                "Read it and sign it.",
                reverse("policies:detail", args=[item.policy.pk]),
                due=item.due_on,
                urgent=overdue,
                key=duty_key(item),
                state=f"Version {item.version.number}, in effect since "
                f"{formats.day(item.version.effective_on)}."
                + (f" Overdue by {item.days_overdue(today)} days." if overdue else ""),
            )


@task_provider
def policies_to_review(user: User) -> Iterable[Task]:
    """CC-11: a policy whose review date has passed, until it is reviewed."""
    if not has_perm_anywhere(user, Perm.MANAGE_POLICIES):
        return
    today = timezone.localdate()
    due = (
        Policy.objects.for_user(user, Perm.MANAGE_POLICIES)
        .filter(library__isnull=False, retired_at__isnull=True, next_review_on__lt=today)
        .order_by("next_review_on", "pk")
    )
    for policy in due:
        yield Task(
            f"Review the {policy.title}",
            "Record the review: kept as it is, or add a new version.",
            reverse("policies:detail", args=[policy.pk]) + "#reviews",
            due=policy.next_review_on,
            urgent=True,
            key=f"policies:review:{policy.pk}",
            state=f"The review was due on {formats.day(policy.next_review_on)}.",
        )
