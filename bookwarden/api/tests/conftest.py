"""Fixtures of the API tests: the two libraries, tokens of the personas, a client that
sends a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from bookwarden.core.models import Library

from ..models import Scope
from .factories import a_token


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counts live in the cache, which outlives the database rollback."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


def bearer(text: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {text}"})


@pytest.fixture
def api_as(people) -> Callable[..., Client]:
    """``api_as("director")``: a client sending a new write token of that persona, for all
    their libraries (``scope=``, ``libraries=`` to narrow it)."""

    def make(key: str, scope: str = Scope.WRITE, **kwargs: Any) -> Client:
        _token, text = a_token(people[key], scope=scope, **kwargs)
        return bearer(text)

    return make
