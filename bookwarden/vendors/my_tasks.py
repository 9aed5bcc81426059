""" "My tasks" of the vendor register (CR-5h): a vendor still under contract whose privacy
review is overdue, or was never made, is a task of those who keep the register (the
director and the technology coordinator).  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

from .models import Vendor

if TYPE_CHECKING:
    from bookwarden.core.models import User


@task_provider
def vendor_reviews_due(user: User) -> Iterable[Task]:
    if not has_perm_anywhere(user, Perm.MANAGE_VENDORS):
        return
    today = timezone.localdate()
    vendors = (
        Vendor.objects.review_due(today)
        .for_user(user, Perm.MANAGE_VENDORS)
        .order_by("next_review_on", "name")
    )
    for vendor in vendors:
        yield Task(
            f"Vendor: {vendor.name}",
            "Review its privacy terms and record the review.",
            reverse("vendors:review", args=[vendor.pk]),
            due=vendor.next_review_on or today,
            key=f"vendors:{vendor.pk}",
            state="Never reviewed." if vendor.last_reviewed_on is None else "Review overdue.",
        )
