"""Fixtures of the software tests: New Madrid and Cresco, devices, catalog entries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bookwarden.core.models import Library
from bookwarden.devices.models import Device

from ..models import Software
from . import factories


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


@pytest.fixture
def make_device(new_madrid) -> Callable[..., Device]:
    def make(name: str = "CIRC-PC-01", library: Library | None = None, **kw: Any) -> Device:
        return factories.device(library or new_madrid, name, **kw)

    return make


@pytest.fixture
def make_software(new_madrid) -> Callable[..., Software]:
    def make(name: str = "Acrobat Reader", library: Library | None = None, **kw: Any) -> Software:
        return factories.software(library or new_madrid, name, **kw)

    return make
