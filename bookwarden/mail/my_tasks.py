""" "My tasks": mail that could not be sent, for those who look after the system
(``view_jobs``): a library's people for their library's mail, the installation role for the
installation's own mail (no library).  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm

from .models import MailStatus, OutboxMessage

if TYPE_CHECKING:
    from bookwarden.core.models import User


@task_provider
def failed_mail(user: User) -> Iterable[Task]:
    if not has_perm_anywhere(user, Perm.VIEW_JOBS):
        return
    mine = OutboxMessage.objects.for_user(user, Perm.VIEW_JOBS)
    count = mine.filter(status=MailStatus.FAILED).count()
    if count:
        yield Task(
            f"{count} message{'s' if count != 1 else ''} could not be sent",
            "The mail server refused them or could not be reached after repeated tries. "
            "Check the mail settings, then send them again from the outbox.",
            reverse("mail:outbox") + "?status=failed",
            urgent=True,
        )
