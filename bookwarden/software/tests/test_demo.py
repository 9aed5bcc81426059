"""The software demo (CC-4, LV-6, LV-10): with devices, installations through approved
requests, the refusals over the seats and of unlicensed software, one request waiting."""

from __future__ import annotations

import pytest

from bookwarden.devices.models import DeviceKind
from bookwarden.software.demo import build_software_demo
from bookwarden.software.models import Installation, RequestStatus, SoftwareRequest

from . import factories

pytestmark = pytest.mark.django_db


def test_the_demo_builds_through_the_actions(people, new_madrid):
    for name in ("CIRC-PC-01", "CIRC-PC-02"):
        factories.device(new_madrid, name)
    factories.device(new_madrid, "PUBLIC-PC-01", DeviceKind.PUBLIC_COMPUTER)
    build_software_demo(people)
    assert Installation.objects.current().count() == 6
    assert not Installation.objects.exclude(request__status=RequestStatus.APPROVED).exists()
    refused = SoftwareRequest.objects.filter(status=RequestStatus.REFUSED)
    assert {r.software_name for r in refused} == {"Zoom Workplace", "Free video downloader"}
    assert SoftwareRequest.objects.filter(status=RequestStatus.PENDING).count() == 1
    assert SoftwareRequest.objects.filter(self_approved=True).count() == 1


def test_without_devices_only_the_catalog_is_built(people, new_madrid):
    build_software_demo(people)
    assert new_madrid.software.count() == 7
    assert not SoftwareRequest.objects.exists()
