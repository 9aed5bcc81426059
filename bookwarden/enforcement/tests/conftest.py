"""Fixtures of the enforcement tests, on top of ``people`` and ``client_as``."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from bookwarden.core.models import Library
from bookwarden.operations.models import EntryKind, LogEntry

from ..demo import log_entry


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
def violation(new_madrid, people) -> LogEntry:
    return log_entry(new_madrid, EntryKind.STAFF_VIOLATION, "Password shared with a volunteer")


@pytest.fixture
def patrons(demo_patrons) -> dict[str, Any]:
    return demo_patrons
