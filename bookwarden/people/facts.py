"""What the account review shows of each account of a library (CC-1, LV-3): roles and
branches, last sign-in, whether a last day is recorded, and the flags.  Two queries for the
whole library, however many people it has."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from bookwarden.core.models import Library, Membership, User

from .models import ENDING_SOON_DAYS, IDLE_DAYS, Departure, Flag, local_today


def role_text(membership: Membership) -> str:
    """ "Staff at Portageville", "Director" (for the whole library)."""
    label = membership.get_role_display()
    return f"{label} at {membership.branch}" if membership.branch_id else label


@dataclass
class AccountFacts:
    user: User
    memberships: list[Membership] = field(default_factory=list)
    departure: Departure | None = None

    @property
    def roles(self) -> list[str]:
        return [role_text(m) for m in self.memberships]

    @property
    def ends_on(self) -> datetime.date | None:
        ends = [m.ends_on for m in self.memberships if m.ends_on is not None]
        return min(ends) if ends else None

    def flags(self, today: datetime.date) -> list[str]:
        flags = []
        seen = self.user.last_login or self.user.date_joined
        if seen < timezone.now() - datetime.timedelta(days=IDLE_DAYS):
            flags.append(Flag.IDLE.value)
        if self.ends_on is not None and self.ends_on <= today + datetime.timedelta(
            days=ENDING_SOON_DAYS
        ):
            flags.append(Flag.ENDING_SOON.value)
        if self.departure is not None:
            flags.append(Flag.LEAVING.value)
        return flags

    def flag_labels(self, today: datetime.date) -> list[str]:
        return [Flag(f).label for f in self.flags(today)]


def current_memberships(library: Library, today: datetime.date) -> QuerySet[Membership]:
    """The roles held at ``library`` today: not revoked, end date not passed.  Unlike
    ``Membership.objects.active()`` it keeps accounts that are turned off for now (locked or
    suspended): they are accounts of the library all the same."""
    return Membership.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), library=library, revoked_at__isnull=True
    )


def account_facts(library: Library, users: Iterable[User] | None = None) -> dict[int, AccountFacts]:
    """The facts of every person holding a role at ``library`` today (and of ``users``,
    who may hold none any more), by user id."""
    today = local_today(library)
    facts: dict[int, AccountFacts] = {}
    for user in users or ():
        facts[user.pk] = AccountFacts(user)
    memberships = (
        current_memberships(library, today).select_related("user", "branch").order_by("role", "pk")
    )
    for m in memberships:
        facts.setdefault(m.user_id, AccountFacts(m.user)).memberships.append(m)
    for departure in Departure.objects.pending().filter(library=library):
        if departure.user_id in facts:
            facts[departure.user_id].departure = departure
    return facts


def facts_of(library: Library, user: User) -> AccountFacts:
    """The facts of one person at ``library`` (two queries)."""
    today = local_today(library)
    return AccountFacts(
        user,
        list(
            current_memberships(library, today)
            .filter(user=user)
            .select_related("branch")
            .order_by("role", "pk")
        ),
        Departure.objects.pending().filter(library=library, user=user).first(),
    )
