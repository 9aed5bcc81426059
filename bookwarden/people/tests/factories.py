"""Objects of New Madrid for the authorization matrix (bookwarden/core/tests) and the
people tests: a leaver with a last day to come, an account review under way, made through
the actions.  The leaver is an account of its own, never a persona."""

from __future__ import annotations

import datetime
from typing import Any

from bookwarden.core.actions import create_staff
from bookwarden.core.models import Library, User
from bookwarden.core.roles import Role

from .. import actions
from ..models import AccountReview, Decision, Departure, local_today

#: The account whose last day the matrix changes and cancels.
LEAVER_USERNAME = "matrixleaver"


def extra_account(library: Library, username: str, role: str = Role.STAFF, **extra: Any) -> User:
    """A staff account that is not a persona (made once)."""
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    return create_staff(
        actor=None,
        library=library,
        username=username,
        email=f"{username}@example.org",
        password=None,
        role=role,
        **extra,
    ).user


def pending_departure(library: Library) -> Departure:
    """A last day a month from now of :data:`LEAVER_USERNAME` (made once)."""
    leaver = extra_account(library, LEAVER_USERNAME)
    existing = Departure.objects.pending().filter(user=leaver, library=library).first()
    if existing is not None:
        return existing
    return actions.record_departure(
        actor=None,
        user=leaver,
        library=library,
        last_day=local_today(library) + datetime.timedelta(days=30),
    )


def open_review(library: Library) -> AccountReview:
    review = AccountReview.objects.filter(library=library, finished_at__isnull=True).first()
    return review or actions.start_review(actor=None, library=library)


def no_open_review(library: Library) -> dict[str, str]:
    """Finish the review under way, so that a new one may start (the matrix's control)."""
    review = AccountReview.objects.filter(library=library, finished_at__isnull=True).first()
    if review is not None:
        all_decided(review)
        actions.finish_review(actor=None, review=review)
    return {"slug": library.slug}


def all_decided(review: AccountReview) -> AccountReview:
    for item in review.items.filter(decision="").select_related("user", "review__library"):
        actions.decide_account(actor=None, item=item, decision=Decision.CONFIRMED)
    return review


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of the people pages (for ``new_madrid_ids``): the leaver's departure,
    the review under way and the staff persona's account in it."""
    departure = pending_departure(library)
    review = open_review(library)
    item = review.items.get(user=people["staff"])
    return {"departure_id": departure.pk, "review_id": review.pk, "item_id": item.pk}
