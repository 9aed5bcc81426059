"""IT-9, LV-12: a device isolated shows as isolated with the time until it is returned to
service; an enforcement case's isolation or a workstation suspension that names a device
marks it isolated (the ``devices`` job), once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bookwarden.devices import actions
from bookwarden.devices.sync import sync_from_other_apps

pytestmark = pytest.mark.django_db


def test_isolate_and_return(people, staff_pc) -> None:
    device = actions.isolate_device(
        actor=people["it_staff"], device=staff_pc, reason="Malware found."
    )
    assert device.is_isolated and device.isolated_at is not None
    with pytest.raises(ValidationError):
        actions.isolate_device(actor=people["it_staff"], device=device, reason="Again")
    with pytest.raises(PermissionDenied):
        actions.return_to_service(actor=people["staff"], device=device)
    device = actions.return_to_service(actor=people["it_staff"], device=device)
    assert not device.is_isolated and device.returned_at is not None


def test_a_suspended_workstation_is_isolated_until_the_suspension_ends(
    people, new_madrid, public_pc
) -> None:
    from bookwarden.enforcement.actions import end_suspension, suspend

    suspension = suspend(
        actor=people["tech_coordinator"],
        library=new_madrid,
        workstation="pv-pub-01",
        reason="Keylogger found.",
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    assert sync_from_other_apps()[1:] == (1, 0)
    public_pc.refresh_from_db()
    assert public_pc.is_isolated
    assert sync_from_other_apps()[1:] == (0, 0)
    end_suspension(actor=people["tech_coordinator"], suspension=suspension, reason="Reimaged.")
    assert sync_from_other_apps()[1:] == (0, 1)
    public_pc.refresh_from_db()
    assert not public_pc.is_isolated


def test_returned_by_hand_is_not_isolated_again(people, new_madrid, public_pc) -> None:
    from bookwarden.enforcement.actions import suspend

    suspend(
        actor=people["tech_coordinator"],
        library=new_madrid,
        workstation="PV-PUB-01",
        reason="Keylogger found.",
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    sync_from_other_apps()
    public_pc.refresh_from_db()
    actions.return_to_service(actor=people["it_staff"], device=public_pc)
    assert sync_from_other_apps()[1] == 0


def test_the_job_says_counts_only(people, new_madrid, public_pc) -> None:
    from bookwarden.devices.jobs import devices
    from bookwarden.enforcement.actions import suspend

    suspend(
        actor=people["tech_coordinator"],
        library=new_madrid,
        workstation="PV-PUB-01",
        reason="Keylogger found.",
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    assert devices() == "0 patches recorded, 1 device isolated, 0 returned to service."
