"""The demo's devices (order 70): devices at each New Madrid branch, one overdue, the
computers named by the enforcement demo isolated, Rhodes Memorial's weekly check missing."""

from __future__ import annotations

import pytest

from bookwarden.core.models import Branch, Library
from bookwarden.devices.demo import build_devices_demo
from bookwarden.devices.models import Device, PatchRecord
from bookwarden.devices.overdue import branches_missing_check, overdue_devices
from bookwarden.enforcement.demo import build_enforcement_demo
from bookwarden.operations.demo import build_operations_demo

pytestmark = pytest.mark.django_db


def test_the_demo(people) -> None:
    build_operations_demo(people)
    build_enforcement_demo(people)
    build_devices_demo(people)
    library = Library.objects.get(slug="new-madrid")
    assert {d.name for d in overdue_devices(Device.objects.all(), [library])} == {"RH-PC-01"}
    assert {d.name for d in Device.objects.filter(isolated_at__isnull=False)} == {
        "CIRC-PC-03",
        "PUBLIC-PC-07",
    }
    assert [b.slug for b in branches_missing_check(Branch.objects.filter(library=library))] == [
        "rhodes"
    ]
    assert PatchRecord.objects.filter(entry__isnull=False).count() == 3
