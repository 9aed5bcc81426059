"""The account review (CC-1, LV-3): the director reviews every account of the library,
decides on each (confirm, remove roles through core's revoke_role, end through the
departure action), saves as they go and finishes when every account has a decision; the
finished review is kept as evidence."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.actions import assign_role
from bookwarden.core.models import Membership
from bookwarden.core.my_tasks import tasks_for
from bookwarden.core.roles import Role
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.people import actions
from bookwarden.people.actions.reviews import REMOVED_AT_REVIEW
from bookwarden.people.models import AccountReview, Decision, Departure, Flag


def _item(review: AccountReview, user):
    return review.items.select_related("user", "review__library").get(user=user)


def test_review_flow_partial_save_finish_and_evidence(people, new_madrid, sudo_as) -> None:
    director, staff, volunteer = people["director"], people["staff"], people["volunteer"]
    extra = assign_role(actor=director, user=staff, library=new_madrid, role=Role.VOLUNTEER)
    head = audit_head()
    review = actions.start_review(actor=director, library=new_madrid)
    holders = set(
        Membership.objects.active().filter(library=new_madrid).values_list("user_id", flat=True)
    )
    assert set(review.items.values_list("user_id", flat=True)) == holders
    with pytest.raises(ValidationError, match="under way"):
        actions.start_review(actor=director, library=new_madrid)

    # Saved partly: one decision, then the finish is refused and nothing is finished.
    actions.decide_account(actor=director, item=_item(review, director), decision="confirmed")
    with pytest.raises(ValidationError, match="still have no decision"):
        actions.finish_review(actor=director, review=review)
    review.refresh_from_db()
    assert review.finished_at is None

    # Remove a role: through core's revoke_role, recorded as a revoked role by the director.
    with pytest.raises(ValidationError, match="end the account instead"):
        actions.decide_account(
            actor=director,
            item=_item(review, staff),
            decision=Decision.ROLES_REMOVED,
            memberships=Membership.objects.filter(user=staff, library=new_madrid),
        )
    actions.decide_account(
        actor=director,
        item=_item(review, staff),
        decision=Decision.ROLES_REMOVED,
        memberships=[extra],
        note="No longer volunteers.",
    )
    extra.refresh_from_db()
    assert extra.revoked_at is not None and extra.revoked_by == director
    (revoked,) = events_since(head, AuditAction.ROLE_REVOKED)
    assert revoked.actor_id == director.pk and revoked.purpose == REMOVED_AT_REVIEW
    staff_item = _item(review, staff)
    assert staff_item.roles == ["Staff at Portageville", "Volunteer"]
    assert staff_item.roles_removed == ["Volunteer"]

    # End an account: a departure with today as last day, ended now.
    actions.decide_account(
        actor=director, item=_item(review, volunteer), decision=Decision.ENDED, end_now=True
    )
    volunteer.refresh_from_db()
    assert not volunteer.is_active
    assert Departure.objects.get(user=volunteer).last_day == timezone.localdate()

    for item in review.items.filter(decision="").select_related("user", "review__library"):
        actions.decide_account(actor=director, item=item, decision=Decision.CONFIRMED)
    actions.finish_review(actor=director, review=review)
    review.refresh_from_db()
    assert review.finished_at is not None and review.finished_by == director
    with pytest.raises(ValidationError, match="finished"):
        actions.decide_account(actor=director, item=_item(review, staff), decision="confirmed")

    (finished,) = events_since(head, AuditAction.ACCOUNT_REVIEW_FINISHED)
    assert finished.after == {
        "review": review.pk,
        "accounts": len(holders),
        "confirmed": len(holders) - 2,
        "roles_removed": 1,
        "ended": 1,
    }
    assert len(events_since(head, AuditAction.ACCOUNT_REVIEW_DECIDED)) == len(holders)

    # The evidence: kept and readable later, each account as the director saw it.
    client = sudo_as("director")
    page = client.get(f"/people/new-madrid/account-reviews/{review.pk}/").content.decode()
    assert "Roles removed" in page and "Removed: Volunteer" in page
    assert "Account ended" in page and str(volunteer) in page
    listing = client.get("/people/account-reviews/").content.decode()
    assert f"/people/new-madrid/account-reviews/{review.pk}/" in listing


def test_a_confirmed_account_may_be_decided_again_until_the_end(people, new_madrid) -> None:
    director, staff = people["director"], people["staff"]
    review = actions.start_review(actor=director, library=new_madrid)
    actions.decide_account(actor=director, item=_item(review, staff), decision="confirmed")
    actions.decide_account(actor=director, item=_item(review, staff), decision=Decision.ENDED)
    departure = Departure.objects.get(user=staff)
    assert departure.is_pending and departure.last_day == timezone.localdate()
    with pytest.raises(ValidationError, match="decision already"):
        actions.decide_account(actor=director, item=_item(review, staff), decision="confirmed")


def test_only_the_director_reviews(people, new_madrid) -> None:
    with pytest.raises(PermissionDenied):
        actions.start_review(actor=people["human_resources"], library=new_madrid)
    with pytest.raises(PermissionDenied):
        actions.start_review(actor=people["outsider"], library=new_madrid)
    review = actions.start_review(actor=people["director"], library=new_madrid)
    with pytest.raises(PermissionDenied):
        actions.decide_account(
            actor=people["human_resources"],
            item=_item(review, people["staff"]),
            decision="confirmed",
        )


def test_flags(people, new_madrid) -> None:
    """No sign-in for 90 days, access ending within 14 days, a last day recorded."""
    director = people["director"]
    actions.record_departure(
        actor=director,
        user=people["staff"],
        library=new_madrid,
        last_day=timezone.localdate() + datetime.timedelta(days=20),
    )
    contractor_ends = Membership.objects.get(user=people["contractor"]).ends_on
    assert contractor_ends is not None
    with time_machine.travel(
        datetime.datetime.combine(
            contractor_ends - datetime.timedelta(days=10),
            datetime.time(9),
            tzinfo=timezone.get_current_timezone(),
        ),
        tick=False,
    ):
        review = actions.start_review(actor=director, library=new_madrid)
        flags = {}
        for item in review.items.select_related("user", "review__library"):
            flags[item.user.username] = actions.decide_account(
                actor=director, item=item, decision="confirmed"
            ).flags
    assert Flag.LEAVING in flags[people["staff"].username]
    assert Flag.ENDING_SOON in flags[people["contractor"].username]
    # Nobody has signed in, but the accounts were made only 50 days before: not idle.
    assert all(Flag.IDLE not in f for f in flags.values())


def test_no_sign_in_for_90_days_is_flagged(people, new_madrid, client_as) -> None:
    director = people["director"]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=60), tick=False):
        client_as("staff")  # signs in (last_login) on day 60
    with time_machine.travel(timezone.now() + datetime.timedelta(days=100), tick=False):
        review = actions.start_review(actor=director, library=new_madrid)
        flags = {
            item.user_id: actions.decide_account(
                actor=director, item=item, decision="confirmed"
            ).flags
            for item in review.items.select_related("user", "review__library")
        }
    assert Flag.IDLE in flags[people["it_staff"].pk]
    assert Flag.IDLE not in flags[people["staff"].pk]


def test_review_due_on_my_tasks(people, new_madrid) -> None:
    """Due when the last finished review is older than the period (or there is none);
    urgent once overdue; the director's alone."""
    from bookwarden.people.tests.factories import all_decided

    director = people["director"]

    def review_tasks(user):
        return [t for t in tasks_for(user) if t.key == f"account-review:{new_madrid.pk}"]

    (first,) = review_tasks(director)
    assert "No account review has been done yet." in first.state
    assert review_tasks(people["human_resources"]) == []

    review = actions.start_review(actor=director, library=new_madrid)
    (going,) = review_tasks(director)
    total = review.items.count()
    assert going.state == f"0 of {total} accounts decided."
    actions.finish_review(actor=director, review=all_decided(review))
    assert review_tasks(director) == []

    def at(days: int) -> datetime.datetime:
        return timezone.now() + datetime.timedelta(days=days)

    with time_machine.travel(at(80), tick=False):
        assert review_tasks(director) == []
    with time_machine.travel(at(100), tick=False):
        (due,) = review_tasks(director)
        assert due.urgent
    actions.update_review_settings(actor=director, library=new_madrid, every_months=6)
    with time_machine.travel(at(100), tick=False):
        assert review_tasks(director) == []


def test_confirm_every_account_with_nothing_flagged(people, new_madrid) -> None:
    """The flagged accounts are left for the director to look at one by one."""
    director = people["director"]
    actions.record_departure(
        actor=director,
        user=people["staff"],
        library=new_madrid,
        last_day=timezone.localdate() + datetime.timedelta(days=30),
    )
    review = actions.start_review(actor=director, library=new_madrid)
    head = audit_head()
    confirmed = actions.confirm_unflagged(actor=director, review=review)
    assert confirmed == review.items.count() - 1
    assert _item(review, people["staff"]).decision == ""
    assert len(events_since(head, AuditAction.ACCOUNT_REVIEW_DECIDED)) == confirmed
    assert actions.confirm_unflagged(actor=director, review=review) == 0
