"""What each staff member owes the security program (IT-1, IT-11, LV-8, CC-10, CC-1).

A *duty* is one thing a person must do for one library: sign a policy version, acknowledge
the monitoring notice, complete a course this cycle, set up two-factor.  Duties are not
stored: each app computes its own from what it holds (a policy's audience, a course's
recurrence, the person's roles and branches today), so a new account, a new role or a new
branch brings its duties the moment it exists, and a role given up takes them away.

Apps register a provider with ``@duty_provider`` in their ``duties.py``, imported from their
AppConfig.ready().  A provider is ``(user, library) -> iterable of Duty`` and must cost a
bounded number of queries (never one per duty).  Readers:

* the onboarding progress of a new account, and the person's own list ("What I owe");
* the reminders job, which mails each duty once on assignment, once before its due date
  and once when overdue, and tells human resources of people overdue by a library's
  number of days (the reminder ledger keeps each mail to once);
* the compliance pages, later, as evidence.

A provider may also register its many-people form with ``@duty_batch(provider)``, for the
pages and the job that read a whole library at once (:func:`duties_for_people`).

The spine stays free of domain apps: this module knows nothing of policies or courses.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from .models import Library, User

#: How long a person has to carry out a new duty when its source names no period.
DEFAULT_DAYS_TO_COMPLETE = 30

#: How many days before the due date the "due soon" reminder goes out.
REMINDER_DAYS_BEFORE = 7


@dataclass(frozen=True)
class Duty:
    """One thing one person owes one library.

    ``key`` names the duty for good, for this person ("policies:version:12",
    "training:course:3:2026"): the reminder ledger and the onboarding page use it, so it must
    not change while the duty stands.  ``kind`` groups duties for people ("policy",
    "notice", "training", "account").  ``title`` is plain words ("Sign the Staff Computer
    Use Policy"); ``url`` is where the person carries it out.  ``done_on`` is the day it was
    done, None while open.
    """

    key: str
    kind: str
    title: str
    library_id: int
    assigned_on: datetime.date
    due_on: datetime.date | None = None
    done_on: datetime.date | None = None
    url: str = ""

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return not self.done and self.due_on is not None and self.due_on < today

    def days_overdue(self, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        if not self.overdue(today):
            return 0
        assert self.due_on is not None
        return (today - self.due_on).days


def due_after(assigned_on: datetime.date, days: int | None = None) -> datetime.date:
    """The due date of a duty assigned on ``assigned_on`` with ``days`` to complete it."""
    return assigned_on + datetime.timedelta(days=DEFAULT_DAYS_TO_COMPLETE if days is None else days)


DutyProvider = Callable[["User", "Library"], Iterable[Duty]]
_providers: list[DutyProvider] = []


def duty_provider(provider: DutyProvider) -> DutyProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


#: The same as a provider, for many people of one library at once:
#: ``(users, library) -> {user id: duties}`` (a person with none may be left out).
DutyBatchProvider = Callable[[Sequence["User"], "Library"], Mapping[int, Iterable[Duty]]]
_batches: dict[DutyProvider, DutyBatchProvider] = {}


def duty_batch(provider: DutyProvider) -> Callable[[DutyBatchProvider], DutyBatchProvider]:
    """Register the many-people form of ``provider`` (optional): pages and the reminders job
    that list a whole library call it once, in a bounded number of queries, instead of
    ``provider`` once per person.  It must give each person what ``provider`` gives them.

        @duty_provider
        def _courses(user, library): ...

        @duty_batch(_courses)
        def _courses_of_many(users, library): ...
    """

    def register(batch: DutyBatchProvider) -> DutyBatchProvider:
        _batches[provider] = batch
        return batch

    return register


def _in_order(duties: Iterable[Duty]) -> list[Duty]:
    return sorted(duties, key=lambda d: (d.done, d.due_on or datetime.date.max, d.title))


def duties_for(user: User, library: Library) -> list[Duty]:
    """Every duty ``user`` owes ``library`` today, open ones first, then by due date."""
    return _in_order(d for provider in _providers for d in provider(user, library))


def duties_for_people(users: Sequence[User], library: Library) -> dict[int, list[Duty]]:
    """:func:`duties_for` of each of ``users`` at ``library``, by user id: through each
    provider's many-people form where it has one (:func:`duty_batch`)."""
    found: dict[int, list[Duty]] = {user.pk: [] for user in users}
    for provider in _providers:
        batch = _batches.get(provider)
        if batch is not None:
            for user_id, duties in batch(users, library).items():
                if user_id in found:
                    found[user_id].extend(duties)
        else:
            for user in users:
                found[user.pk].extend(provider(user, library))
    return {user_id: _in_order(duties) for user_id, duties in found.items()}


def open_duties_for(user: User, library: Library) -> list[Duty]:
    return [d for d in duties_for(user, library) if not d.done]
