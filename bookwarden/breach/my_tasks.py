""" "My tasks" for those who handle breaches (CR-6e): patrons not yet notified, letters not
yet mailed, and breaches without a post-incident review.  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

from .models import Breach, NoticeStatus

if TYPE_CHECKING:
    from bookwarden.core.models import User


@task_provider
def breach_tasks(user: User) -> Iterable[Task]:
    if not has_perm_anywhere(user, Perm.MANAGE_BREACH):
        return
    not_notified = Q(affected__notice_status=NoticeStatus.PENDING) | Q(
        affected__notice_status=NoticeStatus.QUEUED, affected__outbox_message__status="failed"
    )
    letters = Q(affected__notice_status__in=[NoticeStatus.LETTER_PENDING, NoticeStatus.PRINTED])
    breaches = (
        Breach.objects.for_user(user, Perm.MANAGE_BREACH)
        .annotate(
            not_notified=Count("affected", filter=not_notified, distinct=True),
            letters=Count("affected", filter=letters, distinct=True),
        )
        .filter(Q(not_notified__gt=0) | Q(letters__gt=0) | Q(reviewed_at__isnull=True))
        .order_by("declared_at", "pk")
    )
    for breach in breaches:
        url = reverse("breach:detail", args=[breach.pk])
        if breach.not_notified:
            n = breach.not_notified
            yield Task(
                f"Breach #{breach.pk}: {n} affected patron{'s' if n != 1 else ''} not yet notified",
                "Send the notices from the breach page.",
                url + "#affected",
                urgent=True,
            )
        if breach.letters:
            n = breach.letters
            yield Task(
                f"Breach #{breach.pk}: {n} letter{'s' if n != 1 else ''} not yet mailed",
                "Print the letters and mark each one as mailed.",
                url + "#affected",
                urgent=True,
            )
        if breach.reviewed_at is None:
            yield Task(
                f"Breach #{breach.pk}: record the post-incident review",
                "Evaluate the practice that allowed it and record the procedures changed.",
                url + "#review",
            )
