"""Shared test fixtures: the named people of the demo (DESIGN: test personas)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from bookwarden.core.demo import build_demo
from bookwarden.core.models import User


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 is the configured hasher (a test checks it); tests hash many demo passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def people(db) -> dict[str, User]:
    """Everyone of the demo, by key: director, designee, assistant_director,
    tech_coordinator, it_staff, human_resources, staff, volunteer, contractor, auditor,
    outsider (Cresco's director), outsider_staff."""
    return build_demo()


@pytest.fixture
def client_as(people) -> Callable[[str], Client]:
    """``client_as("director")``: a test client logged in as that persona."""

    def make(key: str) -> Client:
        client = Client()
        client.force_login(
            people[key], backend="allauth.account.auth_backends.AuthenticationBackend"
        )
        return client

    return make
