"""Fixtures of the core tests, on top of ``people`` and ``client_as`` (bookwarden/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from bookwarden.core.models import Library

from .helpers import mark_reauthenticated, new_madrid_ids
from .snapshots import Snapshot, thaw


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache outlives the database rollback: allauth keeps used TOTP codes and rate
    limits there, and a primary key reused by the next test would meet them."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


@pytest.fixture
def sudo_as(people, client_as) -> Callable[[str], Client]:
    """``sudo_as("director")``: logged in and just reauthenticated (allauth's sudo mode)."""

    def make(key: str) -> Client:
        return mark_reauthenticated(client_as(key), people[key])

    return make


@pytest.fixture(scope="session")
def url_objects_snapshot(people_snapshot, django_db_blocker) -> Snapshot:
    def build() -> dict[str, Any]:
        return new_madrid_ids(thaw(people_snapshot.result), Library.objects.get(slug="new-madrid"))

    with django_db_blocker.unblock():
        return Snapshot.build(build, people_snapshot)


@pytest.fixture
def ids(people, url_objects_snapshot) -> dict[str, Any]:
    """Arguments for every URL of the project, naming New Madrid's objects (built once per
    session with :func:`new_madrid_ids`, put back for each test)."""
    return url_objects_snapshot.restore()
