"""Fixtures of the training tests: the libraries, the training demo built once per session
(bookwarden/core/tests/snapshots.py), and a course with a quiz."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bookwarden.core.models import Library
from bookwarden.core.tests.snapshots import Snapshot, thaw

from ..demo import build_training_demo
from ..models import Course
from .factories import quiz_course


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


@pytest.fixture(scope="session")
def training_demo_snapshot(people_snapshot, django_db_blocker) -> Snapshot:
    with django_db_blocker.unblock():
        return Snapshot.build(
            lambda: build_training_demo(thaw(people_snapshot.result)), people_snapshot
        )


@pytest.fixture
def demo_courses(people, training_demo_snapshot) -> dict[str, Course]:
    """The training demo (bookwarden/training/demo.py): yearly, phishing, patron_data."""
    result: dict[str, Course] = training_demo_snapshot.restore()
    return result


@pytest.fixture
def make_course(people, new_madrid) -> Callable[..., Course]:
    """``make_course(title=..., **fields)``: an online course of New Madrid for all staff,
    with two questions, added by the technology coordinator."""

    def make(title: str = "Test course", **kwargs: Any) -> Course:
        return quiz_course(new_madrid, people["tech_coordinator"], title=title, **kwargs)

    return make
