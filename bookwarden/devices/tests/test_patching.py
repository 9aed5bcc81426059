"""CC-7: a device is overdue when its last patch is older than the library's target (30
days unless the director chose another); patches recorded one at a time or many at once,
one audit event each; a patching entry of the operations log updates the devices it names,
once."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.my_tasks import tasks_for
from bookwarden.devices import actions
from bookwarden.devices.models import Device, PatchRecord
from bookwarden.devices.overdue import overdue_devices
from bookwarden.devices.sync import sync_from_other_apps

from .factories import a_device

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 15, tzinfo=datetime.UTC))


def _aged(library, name, days):
    return a_device(library, name, last_patched_on=TODAY - datetime.timedelta(days=days))


def test_overdue_follows_the_librarys_target(new_madrid, people) -> None:
    fresh, old = _aged(new_madrid, "A", 20), _aged(new_madrid, "B", 31)
    never = a_device(new_madrid, "C", last_patched_on=None)
    overdue = set(overdue_devices(Device.objects.all(), [new_madrid]))
    assert overdue == {old, never}
    assert fresh not in overdue
    actions.update_settings(actor=people["director"], library=new_madrid, patch_target_days=14)
    assert set(overdue_devices(Device.objects.all(), [new_madrid])) == {fresh, old, never}
    with pytest.raises(PermissionDenied):
        actions.update_settings(
            actor=people["tech_coordinator"], library=new_madrid, patch_target_days=60
        )


def test_overdue_devices_are_one_task_for_the_coordinator_and_it_staff(new_madrid, people) -> None:
    _aged(new_madrid, "A", 45)
    _aged(new_madrid, "B", 31)
    _aged(new_madrid, "C", 2)
    for who in ("tech_coordinator", "it_staff"):
        titles = [t.title for t in tasks_for(people[who])]
        assert "2 devices need patches" in titles, who
    assert not any("patches" in t.title for t in tasks_for(people["staff"]))


def test_record_one_patch(new_madrid, people) -> None:
    device = _aged(new_madrid, "A", 45)
    [patch] = actions.record_patches(actor=people["it_staff"], devices=[device], patched_on=TODAY)
    device.refresh_from_db()
    assert device.last_patched_on == TODAY
    event = AuditEvent.objects.filter(action=AuditAction.DEVICE_PATCHED).latest("seq")
    assert event.target_id == str(device.pk) and event.actor_id == people["it_staff"].pk
    assert patch.recorded_by == people["it_staff"]


def test_record_many_patches_at_once(new_madrid, people) -> None:
    devices = [_aged(new_madrid, name, 40) for name in ("A", "B", "C")]
    before = AuditEvent.objects.filter(action=AuditAction.DEVICE_PATCHED).count()
    actions.record_patches(
        actor=people["tech_coordinator"],
        devices=devices,
        patched_on=TODAY - datetime.timedelta(days=1),
    )
    assert AuditEvent.objects.filter(action=AuditAction.DEVICE_PATCHED).count() == before + 3
    assert not overdue_devices(Device.objects.all(), [new_madrid]).exists()


def test_an_older_patch_keeps_the_later_day_and_the_future_is_refused(new_madrid) -> None:
    device = _aged(new_madrid, "A", 1)
    actions.record_patches(actor=None, devices=[device], patched_on=TODAY - datetime.timedelta(9))
    device.refresh_from_db()
    assert device.last_patched_on == TODAY - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        actions.record_patches(
            actor=None, devices=[device], patched_on=TODAY + datetime.timedelta(1)
        )


def test_staff_cannot_record_a_patch(new_madrid, people) -> None:
    with pytest.raises(PermissionDenied):
        actions.record_patches(
            actor=people["staff"], devices=[_aged(new_madrid, "A", 40)], patched_on=TODAY
        )


def test_a_patching_entry_updates_the_devices_it_names_once(new_madrid, people) -> None:
    from bookwarden.operations.actions import create_entry
    from bookwarden.operations.models import EntryKind

    pc, other = _aged(new_madrid, "PV-PUB-01", 40), _aged(new_madrid, "RH-PC-01", 40)
    entry = create_entry(
        actor=people["it_staff"],
        library=new_madrid,
        kind=EntryKind.PATCHING,
        title="Windows updates",
        narrative="Monthly updates.",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        devices="pv-pub-01\nA PRINTER NOBODY KNOWS",
    )
    assert sync_from_other_apps()[0] == 1
    pc.refresh_from_db()
    other.refresh_from_db()
    assert pc.last_patched_on == TODAY - datetime.timedelta(days=2)
    assert other.last_patched_on == TODAY - datetime.timedelta(days=40)
    assert PatchRecord.objects.get(device=pc).entry == entry
    assert sync_from_other_apps()[0] == 0
