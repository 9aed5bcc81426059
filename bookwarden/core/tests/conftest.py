"""Fixtures of the core tests, on top of ``people`` and ``client_as`` (bookwarden/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from bookwarden.core.models import Library

from .helpers import mark_reauthenticated, new_madrid_ids


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


@pytest.fixture
def ids(people, new_madrid) -> dict[str, Any]:
    """Arguments for every URL of the project, naming New Madrid's objects."""
    return new_madrid_ids(people, new_madrid)
