"""Fixtures of the people tests, on top of ``people`` and ``client_as``."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from django.test import Client

from bookwarden.core.models import Library
from bookwarden.core.tests.helpers import mark_reauthenticated


@pytest.fixture(autouse=True)
def _empty_cache():
    """allauth and axes keep rate limits and used codes in the cache, which outlives the
    database rollback."""
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
