"""Fixtures of the reports' tests: the two libraries of the personas."""

from __future__ import annotations

import pytest

from bookwarden.core.models import Library


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")
