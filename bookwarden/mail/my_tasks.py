""" "My tasks": mail that could not be sent, for those who look after the system
(``view_jobs``), in their libraries (and mail of no library, for those who hold the
permission everywhere it is needed).  One query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import libraries_with_perm
from bookwarden.core.roles import Perm

from .models import MailStatus, OutboxMessage

if TYPE_CHECKING:
    from bookwarden.core.models import User


def visible_to(user: User) -> Q:
    libraries = libraries_with_perm(user, Perm.VIEW_JOBS)
    return Q(library_id__in=libraries) | Q(library__isnull=True) if libraries else Q(pk__in=[])


@task_provider
def failed_mail(user: User) -> Iterable[Task]:
    if not libraries_with_perm(user, Perm.VIEW_JOBS):
        return
    count = OutboxMessage.objects.filter(visible_to(user), status=MailStatus.FAILED).count()
    if count:
        yield Task(
            f"{count} message{'s' if count != 1 else ''} could not be sent",
            "The mail server refused them or could not be reached after repeated tries. "
            "Check the mail settings, then send them again from the outbox.",
            reverse("mail:outbox") + "?status=failed",
            urgent=True,
        )
