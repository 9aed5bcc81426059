"""The demo at New Madrid (CC-1, LV-3): a leaver whose account ended, a last day next week,
a finished account review of last month with its decisions; every persona still signs in."""

from __future__ import annotations

from django.utils import timezone

from bookwarden.core.models import Membership
from bookwarden.people.demo import build_people_demo
from bookwarden.people.models import Decision


def test_the_demo_shows_leavers_and_a_finished_review(people, client_as) -> None:
    demo = build_people_demo(people)
    ended, scheduled, review = demo["ended"], demo["scheduled"], demo["review"]
    assert ended.ended_at is not None and ended.account_turned_off
    assert not ended.user.is_active
    assert scheduled.is_pending and scheduled.last_day > timezone.localdate()
    assert review.finished_at is not None
    decisions = list(review.items.values_list("decision", flat=True))
    assert decisions.count(Decision.ROLES_REMOVED) == 1
    assert set(decisions) == {Decision.CONFIRMED, Decision.ROLES_REMOVED}
    assert Membership.objects.filter(user=demo["helper"], revoked_at__isnull=True).count() == 1
    for person in people.values():
        person.refresh_from_db()
        assert person.is_active
    director = client_as("director")
    assert director.get("/people/departures/").status_code == 200
    page = director.get("/people/account-reviews/").content.decode()
    assert "Next review due" in page
