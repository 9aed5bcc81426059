"""Where each person of a library stands with what they owe it (CC-1, IT-1, IT-11, LV-8,
CC-10): read by the pages and by the reminders job, from the duty registry
(:mod:`bookwarden.core.obligations`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from bookwarden.core.models import Library, Membership, User
from bookwarden.core.obligations import Duty, duties_for, duties_for_people

WHOLE_LIBRARY = "Whole library"


@dataclass
class Progress:
    """One person at one library: their roles in force and every duty they owe it."""

    person: User
    memberships: list[Membership]
    duties: list[Duty] = field(default_factory=list)
    today: datetime.date = field(default_factory=timezone.localdate)

    @property
    def joined_on(self) -> datetime.date:
        """The day of their first role in force here."""
        return min(timezone.localdate(m.granted_at) for m in self.memberships)

    @property
    def roles(self) -> list[str]:
        return sorted({m.get_role_display() for m in self.memberships})

    @property
    def branches(self) -> list[str]:
        return sorted({m.branch.name if m.branch else WHOLE_LIBRARY for m in self.memberships})

    @property
    def open(self) -> list[Duty]:
        return [d for d in self.duties if not d.done]

    @property
    def done(self) -> list[Duty]:
        return [d for d in self.duties if d.done]

    @property
    def overdue(self) -> list[Duty]:
        return [d for d in self.duties if d.overdue(self.today)]

    @property
    def days_overdue(self) -> int:
        """How late the latest of their overdue duties is, in days (0: none overdue)."""
        return max((d.days_overdue(self.today) for d in self.duties), default=0)

    def is_new(self, days: int) -> bool:
        return self.joined_on > self.today - datetime.timedelta(days=days)

    def rows(self) -> list[DutyRow]:
        return [DutyRow(d, self.today, self.joined_on) for d in self.duties]


@dataclass(frozen=True)
class DutyRow:
    """A duty as a page shows it: late by how much, and whether it came after the person's
    first role (a later role or branch brought it, or a new policy or course)."""

    duty: Duty
    today: datetime.date
    joined_on: datetime.date

    @property
    def overdue(self) -> bool:
        return self.duty.overdue(self.today)

    @property
    def days_overdue(self) -> int:
        return self.duty.days_overdue(self.today)

    @property
    def days_left(self) -> int | None:
        if self.duty.due_on is None or self.duty.done:
            return None
        return (self.duty.due_on - self.today).days

    @property
    def new_since(self) -> datetime.date | None:
        return self.duty.assigned_on if self.duty.assigned_on > self.joined_on else None


def progress_of(library: Library, memberships: Iterable[Membership]) -> list[Progress]:
    """Each person holding one of ``memberships`` (roles in force at ``library``, with
    ``user`` and ``branch`` selected), with their duties, by name."""
    people: dict[int, Progress] = {}
    for m in memberships:
        if m.library_id != library.pk:
            continue
        entry = people.setdefault(m.user_id, Progress(person=m.user, memberships=[]))
        entry.memberships.append(m)
    users = [p.person for p in people.values()]
    duties = duties_for_people(users, library) if users else {}
    today = timezone.localdate()
    for p in people.values():
        p.duties = duties.get(p.person.pk, [])
        p.today = today
    return sorted(
        people.values(),
        key=lambda p: (p.person.last_name.lower(), p.person.first_name.lower(), p.person.pk),
    )


def progress_for(person: User, library: Library, memberships: list[Membership]) -> Progress:
    """One person's progress at ``library`` (``memberships``: their roles in force there)."""
    return Progress(
        person=person,
        memberships=memberships,
        duties=duties_for(person, library),
        today=timezone.localdate(),
    )


def library_memberships(library: Library) -> list[Membership]:
    """Every role in force at ``library`` (for the job, which acts as the installation)."""
    return list(
        Membership.objects.active().filter(library=library).select_related("user", "branch")
    )
