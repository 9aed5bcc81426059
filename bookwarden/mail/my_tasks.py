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
from bookwarden.core.wording import counted

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
            "Mail that could not be sent",
            "Check the mail settings, then send "
            + ("it" if count == 1 else "them")
            + " again from the outbox.",
            reverse("mail:outbox") + "?status=failed",
            urgent=True,
            state=f"{counted(count, 'message')} could not be sent: the mail server refused "
            + ("it" if count == 1 else "them")
            + " or could not be reached after repeated tries.",
        )
