""" "My tasks" of leavers and account reviews (CC-1, LV-3), one query each:

- for the director, the account review when it is due (the last finished one is older than
  the library's period, or there is none), urgent once overdue; and the review under way;
- for human resources and the director, the last days coming within two weeks.

No model holds work assigned to a person (entries, requests and cases name who did what,
not who must do it), so a leaver leaves nothing to reassign: their duties, computed from
their roles, end with the roles.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from bookwarden.core import when as formats
from bookwarden.core.models import Library
from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere
from bookwarden.core.roles import Perm
from bookwarden.core.wording import counted

from .models import (
    DEFAULT_REVIEW_MONTHS,
    AccountReview,
    AccountReviewSettings,
    Departure,
    add_months,
    local_today,
)

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: Last days this close are on the home page of those who record them.
LAST_DAY_NOTICE_DAYS = 14


def review_due_on(
    library: Library, last_finished: datetime.datetime | None, months: int | None
) -> datetime.date:
    """The day the next account review of ``library`` is due: the period after the last
    finished one, or today when there is none."""
    if last_finished is None:
        return local_today(library)
    local = timezone.localtime(last_finished, formats.zone_of(library)).date()
    return add_months(local, months or DEFAULT_REVIEW_MONTHS)


def libraries_with_review_dates(user: User) -> list[Library]:
    """The libraries where ``user`` reviews accounts, each with ``last_finished``,
    ``every_months`` and ``open_review`` (the id of a review under way), in one query."""
    return list(
        Library.objects.for_user(user, Perm.REVIEW_ACCOUNTS)
        .annotate(
            last_finished=Max("account_reviews__finished_at"),
            every_months=Subquery(
                AccountReviewSettings.objects.filter(library=OuterRef("pk")).values("every_months")[
                    :1
                ]
            ),
            open_review=Subquery(
                AccountReview.objects.filter(
                    library=OuterRef("pk"), finished_at__isnull=True
                ).values("pk")[:1]
            ),
        )
        .order_by("name")
    )


@task_provider
def _account_reviews(user: User) -> Iterable[Task]:
    """The review when due (urgent once overdue), and the one under way with its progress."""
    if not has_perm_anywhere(user, Perm.REVIEW_ACCOUNTS):
        return
    libraries = libraries_with_review_dates(user)
    open_ids = [lib.open_review for lib in libraries if lib.open_review]  # type: ignore[attr-defined]
    progress = {
        r["pk"]: r
        for r in AccountReview.objects.filter(pk__in=open_ids)
        .annotate(total=Count("items"), decided=Count("items", filter=~Q(items__decision="")))
        .values("pk", "total", "decided")
    }
    for library in libraries:
        due = review_due_on(library, library.last_finished, library.every_months)  # type: ignore[attr-defined]
        today = local_today(library)
        review_id = library.open_review  # type: ignore[attr-defined]
        if review_id:
            done = progress.get(review_id, {"total": 0, "decided": 0})
            yield Task(
                f"Account review of {library}",
                "Finish it: decide on each remaining account, then mark the review finished.",
                reverse("people:review", args=[library.slug, review_id]),
                due=due,
                urgent=due < today,
                key=f"account-review:{library.pk}",
                state=f"{done['decided']} of {counted(done['total'], 'account')} decided.",
            )
        elif due <= today:
            last = library.last_finished  # type: ignore[attr-defined]
            yield Task(
                f"Account review of {library}",
                "Review every account: confirm it, remove roles, or end it.",
                reverse("people:reviews"),
                due=due,
                urgent=due < today,
                key=f"account-review:{library.pk}",
                state=(
                    f"The last one was finished on {formats.day(last)}."
                    if last
                    else "No account review has been done yet."
                ),
            )


@task_provider
def _last_days(user: User) -> Iterable[Task]:
    """Last days coming soon, for those who record them: to check nothing is forgotten."""
    if not has_perm_anywhere(user, Perm.MANAGE_DEPARTURES):
        return
    soon = timezone.localdate() + datetime.timedelta(days=LAST_DAY_NOTICE_DAYS)
    departures = (
        Departure.objects.pending()
        .for_user(user, Perm.MANAGE_DEPARTURES)
        .filter(last_day__lte=soon)
        .exclude(user=user)
        .select_related("user", "library")
        .order_by("last_day", "pk")
    )
    for departure in departures:
        yield Task(
            f"{departure.user} leaves {departure.library}",
            "",
            reverse("people:departure", args=[departure.library.slug, departure.pk]),
            due=departure.last_day,
            info=True,
            state=f"Last day {formats.day(departure.last_day)}; access ends when that day is over.",
        )
