"""The demo's joiner (CC-1): Olivia Bennett, IT staff at New Madrid since last week, opened
by the director through core's ``create_staff``.  She owes what her role asks: two-step
sign-in (her role needs it, and she has not set it up yet), and whatever the policies and
training parts of the demo require of her audience.  Then the reminders job runs once, so
that the outbox holds the reminder mails and human resources has heard of anyone far
overdue.  Runs after policies (60), training (61) and people (62)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.actions import create_staff
from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.roles import Role

from .reminders import RunCounts, send_reminders

JOINER_USERNAME = "obennett"
#: How long ago the joiner's account was opened.
JOINER_DAYS_AGO = 8


def add_joiner(people: dict[str, User]) -> User:
    """The joiner's account, opened by the director; her role dates from a week ago."""
    library = Library.objects.get(slug="new-madrid")
    membership = create_staff(
        actor=people["director"],
        library=library,
        username=JOINER_USERNAME,
        email=f"{JOINER_USERNAME}@new-madrid.example.org",
        password=None,
        role=Role.IT_STAFF,
        first_name="Olivia",
        last_name="Bennett",
    )
    # The demo tells of a past week: the role was given then (the audit event of its
    # granting is today's, as the demo was loaded today).
    Membership.objects.filter(pk=membership.pk).update(
        granted_at=timezone.now() - datetime.timedelta(days=JOINER_DAYS_AGO)
    )
    return membership.user


@demo_part(order=63)
def _onboarding_part(world: DemoWorld) -> RunCounts:
    add_joiner(world.people)
    return send_reminders()
