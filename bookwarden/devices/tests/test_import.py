"""CC-7: the device inventory from CSV: all or nothing, every bad row named by line and
column, a second run changes nothing, another library's branch refused, the command."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import CommandError, call_command

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.devices.importer import import_devices
from bookwarden.devices.models import Device, DeviceKind
from bookwarden.patrons.importer.parsing import ImportFailed

pytestmark = pytest.mark.django_db

GOOD = (
    "Name,Branch,Kind,Operating system,Antivirus,Firewall,Intrusion detection,"
    "Last patched on,Remote access,Remote access authenticated,Remote access encrypted\n"
    "PV-PUB-01,Portageville,Public computer,Windows 11,yes,yes,no,2026-11-20,,,\n"
    "NM-SRV-01,new-madrid-memorial,server,Windows Server 2022,yes,yes,yes,2026-11-25,"
    "VPN,yes,yes\n"
)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 15, tzinfo=datetime.UTC))


def test_import_adds_and_a_second_run_changes_nothing(new_madrid, people) -> None:
    summary = import_devices(
        actor=people["tech_coordinator"], library=new_madrid, content=GOOD.encode()
    )
    assert (summary.created, summary.updated, summary.unchanged) == (2, 0, 0)
    server = Device.objects.get(library=new_madrid, name="NM-SRV-01")
    assert server.kind == DeviceKind.SERVER
    assert server.branch.slug == "new-madrid-memorial"
    assert server.remote_access_authenticated and server.remote_access_encrypted
    assert server.last_patched_on == datetime.date(2026, 11, 25)
    events = AuditEvent.objects.count()
    again = import_devices(
        actor=people["tech_coordinator"], library=new_madrid, content=GOOD.encode()
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    # Only the import's own event: no device changed.
    assert AuditEvent.objects.count() == events + 1


def test_a_changed_row_updates_the_device(new_madrid, people) -> None:
    import_devices(actor=None, library=new_madrid, content=GOOD.encode())
    changed = GOOD.replace("Windows 11,yes,yes,no,2026-11-20", "Windows 11,yes,yes,no,2026-12-01")
    summary = import_devices(actor=None, library=new_madrid, content=changed.encode())
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    pc = Device.objects.get(library=new_madrid, name="PV-PUB-01")
    assert pc.last_patched_on == datetime.date(2026, 12, 1)
    assert AuditEvent.objects.filter(action=AuditAction.DEVICE_CHANGED, target_id=pc.pk).exists()


def test_every_bad_row_is_named_and_nothing_is_imported(new_madrid) -> None:
    bad = (
        GOOD
        + "RH-PC-01,Rhodes Memorial,toaster,Windows,maybe,yes,no,2026-13-01,,,\n"
        + "PV-PUB-01,Main,public computer,,,,,2030-01-01,,,\n"
        + ",,router,,,,,,,,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_devices(actor=None, library=new_madrid, content=bad.encode())
    got = [(e.line, e.column) for e in failed.value.errors]
    assert (4, "kind") in got
    assert (4, "antivirus") in got
    assert (4, "last_patched_on") in got
    assert (5, "branch") in got  # Cresco's branch "Main" is not New Madrid's
    assert (5, "last_patched_on") in got
    assert (6, "name") in got
    assert not Device.objects.filter(library=new_madrid).exists()


def test_another_librarys_branch_is_refused(new_madrid, cresco) -> None:
    row = "name,kind,branch\nCR-PC-01,staff computer,Portageville\n"
    with pytest.raises(ImportFailed) as failed:
        import_devices(actor=None, library=cresco, content=row.encode())
    assert [(e.line, e.column) for e in failed.value.errors] == [(2, "branch")]
    assert "no branch of" in failed.value.errors[0].reason


def test_the_same_name_twice_and_unknown_columns(new_madrid) -> None:
    with pytest.raises(ImportFailed) as failed:
        import_devices(
            actor=None,
            library=new_madrid,
            content=b"name,kind,colour\nA,router,red\n",
        )
    assert [(e.line, e.column) for e in failed.value.errors] == [(1, "colour")]
    with pytest.raises(ImportFailed) as failed:
        import_devices(actor=None, library=new_madrid, content=b"name,kind\nA,router\na,router\n")
    assert str(failed.value.errors[0]) == "line 3, column name: the same device is on line 2"


def test_someone_without_the_permission_cannot_import(new_madrid, people) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_devices(actor=people["staff"], library=new_madrid, content=GOOD.encode())


def test_the_command(new_madrid, tmp_path, capsys) -> None:
    path = tmp_path / "devices.csv"
    path.write_text(GOOD)
    call_command("import", "devices", str(path), "--library", "new-madrid")
    assert "2 added, 0 changed, 0 unchanged" in capsys.readouterr().out
    call_command("import", "devices", str(path), "--library", "new-madrid")
    assert "0 added, 0 changed, 2 unchanged" in capsys.readouterr().out
    path.write_text("name,kind\nX,spaceship\n")
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import", "devices", str(path), "--library", "new-madrid")
    assert "line 2, column kind" in capsys.readouterr().err
