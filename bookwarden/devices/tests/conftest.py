"""Fixtures of the devices tests: the two libraries (the demo's people, built once per
session by core/tests/conftest.py) and a few devices of New Madrid."""

from __future__ import annotations

import pytest

from bookwarden.core.models import Branch, Library

from ..models import Device, DeviceKind
from .factories import a_device


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


@pytest.fixture
def branches(new_madrid) -> dict[str, Branch]:
    return {b.slug: b for b in Branch.objects.filter(library=new_madrid)}


@pytest.fixture
def public_pc(new_madrid, branches) -> Device:
    return a_device(new_madrid, "PV-PUB-01", branch=branches["portageville"])


@pytest.fixture
def staff_pc(new_madrid, branches) -> Device:
    return a_device(
        new_madrid, "RH-PC-01", branch=branches["rhodes"], kind=DeviceKind.STAFF_COMPUTER
    )
