"""Fixtures of the shared-login tests: New Madrid, a device, a leaving IT person, and a
quick way to add a login through the actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from bookwarden.core.actions import create_staff
from bookwarden.core.models import Library, User
from bookwarden.core.roles import Role
from bookwarden.credentials import actions
from bookwarden.credentials.models import Credential
from bookwarden.devices.models import Device


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def router(new_madrid) -> Device:
    return Device.objects.create(library=new_madrid, kind="router", name="NM-RTR01")


@pytest.fixture
def it_person(new_madrid) -> User:
    """An IT staff member of New Madrid of their own (they may leave in a test)."""
    return create_staff(
        actor=None,
        library=new_madrid,
        username="rlane",
        email="rlane@new-madrid.example.org",
        password=None,
        role=Role.IT_STAFF,
        first_name="Rita",
        last_name="Lane",
    ).user


@pytest.fixture
def make_credential(people, new_madrid) -> Callable[..., Credential]:
    """``make_credential(system=..., days_ago=30, holders=[...])``: a login of New Madrid."""

    def make(days_ago: int = 30, **kwargs: Any) -> Credential:
        values: dict[str, Any] = {
            "actor": people["tech_coordinator"],
            "library": new_madrid,
            "system": "Main router",
            "kind": "router",
            "account_name": "admin",
            "manager_kind": "bitwarden",
            "manager_item": "Network / Main router",
            "last_changed_on": timezone.localdate() - datetime.timedelta(days=days_ago),
            "holders": [people["it_staff"]],
        }
        values.update(kwargs)
        return actions.add_credential(**values)

    return make
