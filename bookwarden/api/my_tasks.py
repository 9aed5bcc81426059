""" "My tasks" of the API: a person's token that stops working within 14 days, so that the
system using it is given a new one in time.  One query, and none for someone with no
library role (who has no token)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.my_tasks import Task, task_provider

from .models import ApiToken

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: How long before a token stops working its owner is told.
WARN_DAYS = 14


@task_provider
def tokens_expiring(user: User) -> Iterable[Task]:
    if not user.library_ids():
        return
    soon = timezone.localdate() + datetime.timedelta(days=WARN_DAYS)
    for token in ApiToken.objects.of(user).live().filter(expires_on__lte=soon):
        yield Task(
            f"API token “{token.name}” stops working",
            "Make a new token and give it to the system that uses this one.",
            reverse("api:token", args=[token.pk]),
            due=token.expires_on,
            key=f"api:{token.pk}",
        )
