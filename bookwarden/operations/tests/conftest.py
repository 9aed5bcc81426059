"""Fixtures of the operations-log tests: uploads in a temporary folder, the libraries, and
a quick way to record an entry through the actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.operations import actions
from bookwarden.operations.models import LogEntry


@pytest.fixture(autouse=True)
def _uploads_and_cache(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
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
def make_entry(people, new_madrid) -> Callable[..., LogEntry]:
    """``make_entry(kind="backup", ...)``: an entry of New Madrid recorded by IT staff."""

    def make(**kwargs: Any) -> LogEntry:
        values: dict[str, Any] = {
            "actor": people["it_staff"],
            "library": new_madrid,
            "kind": "backup",
            "title": "Nightly backup",
            "narrative": "The nightly backup ran.",
            "occurred_at": timezone.now(),
        }
        values.update(kwargs)
        return actions.create_entry(**values)

    return make
