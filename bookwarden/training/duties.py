"""What each person owes the training program (CC-10), for the duty registry
(:mod:`bookwarden.core.obligations`): one duty per course of their audience, its key naming
the cycle by its due date (``training:course:<id>:<due date>``), done once that cycle is
completed.  Three queries per person and library."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from bookwarden.core.obligations import Duty, duty_provider

from .progress import standings_of

if TYPE_CHECKING:
    from bookwarden.core.models import Library, User


@duty_provider
def training_duties(user: User, library: Library) -> Iterable[Duty]:
    for s in standings_of(user, library):
        yield Duty(
            key=s.key,
            kind="training",
            title=f"Complete the course {s.course.title}",
            library_id=library.pk,
            assigned_on=s.assigned_on,
            due_on=s.due_on,
            done_on=s.done_on,
            url=reverse("training:course", args=[s.course.pk]),
        )
