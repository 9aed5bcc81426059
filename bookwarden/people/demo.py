"""The leavers' and account reviews' demo at New Madrid (CC-1, LV-3): a leaver whose
account ended, a last day next week, and a finished account review of last month with its
decisions (one role removed).  The people who leave or lose a role are accounts of their
own, never the personas the tests sign in as.  Everything goes through the actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.actions import assign_role, create_staff
from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.roles import Role

from . import actions
from .models import AccountReview, Decision, local_today


def _account(
    library: Library, username: str, first: str, last: str, role: str, branch: str
) -> User:
    return create_staff(
        actor=None,
        library=library,
        username=username,
        email=f"{username}@{library.slug}.example.org",
        password=None,
        role=role,
        first_name=first,
        last_name=last,
        branch=Branch.objects.get(library=library, slug=branch),
    ).user


def build_people_demo(people: dict[str, User]) -> dict[str, Any]:
    library = Library.objects.get(slug="new-madrid")
    director, hr = people["director"], people["human_resources"]
    today = local_today(library)

    # A leaver: left ten days ago; the job ended the access at its next run.
    leaver = _account(library, "gwatts", "Grace", "Watts", Role.STAFF, "new-madrid-memorial")
    ended = actions.record_departure(
        actor=hr,
        user=leaver,
        library=library,
        last_day=today - datetime.timedelta(days=10),
        reason="Moved to another county.",
    )
    actions.end_due_accounts()
    ended.refresh_from_db()

    # A finished review of last month: every account confirmed but one, whose extra role
    # is removed.
    helper = _account(library, "ohayes", "Owen", "Hayes", Role.STAFF, "rhodes")
    extra = assign_role(actor=director, user=helper, library=library, role=Role.VOLUNTEER)
    review = actions.start_review(actor=director, library=library)
    for item in review.items.select_related("user", "review__library"):
        if item.user_id == helper.pk:
            actions.decide_account(
                actor=director,
                item=item,
                decision=Decision.ROLES_REMOVED,
                memberships=[Membership.objects.get(pk=extra.pk)],
                note="Volunteers no longer; works at the Rhodes desk.",
            )
        else:
            actions.decide_account(actor=director, item=item, decision=Decision.CONFIRMED)
    review = actions.finish_review(actor=director, review=review)
    # The demo dates the review a month back (its events keep the day the demo was loaded).
    a_month_ago = timezone.now() - datetime.timedelta(days=30)
    AccountReview.objects.filter(pk=review.pk).update(
        started_at=a_month_ago - datetime.timedelta(hours=2), finished_at=a_month_ago
    )
    review.items.update(decided_at=a_month_ago - datetime.timedelta(hours=1))
    review.refresh_from_db()

    # A last day next week: a summer volunteer whose program ends.
    leaving = _account(library, "nprice", "Nora", "Price", Role.VOLUNTEER, "portageville")
    scheduled = actions.record_departure(
        actor=hr,
        user=leaving,
        library=library,
        last_day=today + datetime.timedelta(days=7),
        reason="End of the summer reading program.",
    )
    return {"ended": ended, "scheduled": scheduled, "review": review, "helper": helper}


@demo_part(order=62)
def _people_part(world: DemoWorld) -> None:
    build_people_demo(world.people)
