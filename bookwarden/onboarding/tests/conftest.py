"""Fixtures of the onboarding tests: a board of duties a test sets by hand, served by a
duty provider of the tests' own (removed after each test), since the policies and training
apps bring theirs separately."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from bookwarden.core import obligations
from bookwarden.core.models import Library, User
from bookwarden.core.obligations import Duty

CHICAGO = ZoneInfo("America/Chicago")


class DutyBoard:
    """Duties by (person, library), as a provider gives them."""

    def __init__(self) -> None:
        self.duties: dict[tuple[int, int], list[Duty]] = {}

    def give(
        self,
        user: User,
        library: Library,
        key: str = "policies:version:1",
        *,
        title: str = "Sign the Staff Computer Use Policy",
        assigned_on: datetime.date,
        due_on: datetime.date | None,
        done_on: datetime.date | None = None,
    ) -> Duty:
        duty = Duty(
            key=key,
            kind="policy",
            title=title,
            library_id=library.pk,
            assigned_on=assigned_on,
            due_on=due_on,
            done_on=done_on,
            url="/policies/",
        )
        self.duties.setdefault((user.pk, library.pk), []).append(duty)
        return duty

    def mark_done(self, user: User, library: Library, on: datetime.date) -> None:
        key = (user.pk, library.pk)
        self.duties[key] = [replace(d, done_on=on) for d in self.duties[key]]

    def provide(self, user: User, library: Library) -> list[Duty]:
        return list(self.duties.get((user.pk, library.pk), []))


@pytest.fixture
def board(monkeypatch: pytest.MonkeyPatch) -> Iterator[DutyBoard]:
    """A duty provider of the test's own, beside the registered ones; gone after the test."""
    found = DutyBoard()
    monkeypatch.setattr(obligations, "_providers", [*obligations._providers, found.provide])
    yield found


@pytest.fixture
def at() -> Callable[..., time_machine.travel]:
    """``with at(day): ...``: the clock stands at noon of ``day`` in Chicago (the demo
    libraries' time zone)."""

    def travel(day: datetime.date, hour: int = 12) -> time_machine.travel:
        return time_machine.travel(
            datetime.datetime.combine(day, datetime.time(hour), tzinfo=CHICAGO), tick=False
        )

    return travel


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


@pytest.fixture
def today() -> datetime.date:
    return timezone.localdate()
