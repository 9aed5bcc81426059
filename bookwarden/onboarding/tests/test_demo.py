"""The demo's joiner (CC-1): opened by the director last week as IT staff, owing two-step
sign-in; the demo's run of the reminders job mails her once, and a rerun sends nothing."""

from __future__ import annotations

import pytest

from bookwarden.core.demo import DemoWorld
from bookwarden.core.models import Library
from bookwarden.core.obligations import open_duties_for
from bookwarden.mail.models import OutboxMessage
from bookwarden.onboarding.demo import _onboarding_part
from bookwarden.onboarding.duties import SECOND_FACTOR_KEY
from bookwarden.onboarding.reminders import REMINDER_REASON, send_reminders


@pytest.mark.django_db
def test_the_joiner_has_open_duties_and_is_reminded_once(people) -> None:
    counts = _onboarding_part(DemoWorld(people=people))
    assert counts.reminders >= 1
    joiner = Library.objects.get(slug="new-madrid").memberships.get(user__username="obennett")
    assert joiner.granted_by == people["director"]
    duties = open_duties_for(joiner.user, joiner.library)
    assert SECOND_FACTOR_KEY in [d.key for d in duties]
    mails = OutboxMessage.objects.filter(reason=REMINDER_REASON, to=[joiner.user.email])
    # A week after her role, the seven days to set up two-step sign-in have passed.
    assert [m.subject for m in mails] == ["Overdue: Set up two-step sign-in"]
    assert send_reminders().reminders == 0
