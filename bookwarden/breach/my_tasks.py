""" "My tasks" for those who handle breaches (CR-6e): patrons not yet notified, letters not
yet mailed, and breaches without a post-incident review.  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse

from bookwarden.core import when as formats
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm
from bookwarden.core.wording import counted

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
        title = f"Breach #{breach.pk}, declared {formats.day(breach.declared_at)}"
        key = f"breach:{breach.pk}"
        if breach.not_notified:
            n = breach.not_notified
            yield Task(
                title,
                f"Send the notices to the {counted(n, 'affected patron')} not yet told.",
                url + "#affected",
                urgent=True,
                key=key,
            )
        if breach.letters:
            yield Task(
                title,
                "Print the letter to the patron and mark it as mailed."
                if breach.letters == 1
                else f"Print the {breach.letters} letters to patrons and mark each as mailed.",
                url + "#affected",
                urgent=True,
                key=key,
            )
        if breach.reviewed_at is None:
            yield Task(
                title,
                "Once the patrons are told, review what allowed it and record the procedures "
                "you changed.",
                url + "#review",
                key=key,
            )
