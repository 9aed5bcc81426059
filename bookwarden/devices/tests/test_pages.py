"""The devices pages (CC-7, CC-3, CR-6d): the list with overdue patches first and the
remote access flag, add, edit, record patches, import, isolate, the weekly check;
permissions (403), another library's device (404), and pinned query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from bookwarden.devices.models import Device, DeviceKind, PublicComputerCheck

from .factories import a_device

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 15, tzinfo=datetime.UTC))


@pytest.fixture
def inventory(new_madrid, branches) -> dict[str, Device]:
    return {
        "fresh": a_device(new_madrid, "AA-FRESH", last_patched_on=TODAY),
        "late": a_device(
            new_madrid,
            "ZZ-LATE",
            kind=DeviceKind.STAFF_COMPUTER,
            last_patched_on=TODAY - datetime.timedelta(days=60),
        ),
        "router": a_device(
            new_madrid,
            "PV-RTR01",
            kind=DeviceKind.ROUTER,
            remote_access="Web console",
            remote_access_authenticated=True,
            remote_access_encrypted=False,
            branch=branches["portageville"],
        ),
    }


def test_the_list_puts_overdue_first_and_flags_remote_access(
    client_as, inventory, django_assert_max_num_queries
) -> None:
    client = client_as("it_staff")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("devices:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index("ZZ-LATE") < page.index("AA-FRESH")
    assert "over a connection that is not secure" in page
    filtered = client.get(reverse("devices:list") + "?kind=router").content.decode()
    assert "PV-RTR01" in filtered and "ZZ-LATE" not in filtered
    overdue = client.get(reverse("devices:list") + "?patch=overdue").content.decode()
    assert "ZZ-LATE" in overdue and "AA-FRESH" not in overdue


def test_the_detail_page(client_as, inventory, django_assert_max_num_queries) -> None:
    client = client_as("tech_coordinator")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("devices:detail", args=[inventory["late"].pk]))
    assert response.status_code == 200
    assert "Overdue" in response.content.decode()


def test_another_librarys_device_is_404_and_staff_403(client_as, inventory) -> None:
    url = reverse("devices:detail", args=[inventory["late"].pk])
    assert client_as("outsider").get(url).status_code == 404
    assert client_as("staff").get(url).status_code == 403
    assert client_as("auditor").get(url).status_code == 200
    assert (
        client_as("auditor")
        .post(reverse("devices:retire", args=[inventory["late"].pk]))
        .status_code
        == 403
    )


def test_add_edit_patch_isolate_from_the_pages(client_as, new_madrid, branches, inventory) -> None:
    client = client_as("tech_coordinator")
    response = client.post(
        reverse("devices:create", args=[new_madrid.slug]),
        {"branch": branches["rhodes"].pk, "kind": "printer", "name": "RH-PRN-01"},
    )
    device = Device.objects.get(name="RH-PRN-01")
    assert response.status_code == 302
    response = client.post(
        reverse("devices:create", args=[new_madrid.slug]), {"kind": "printer", "name": "rh-prn-01"}
    )
    assert response.status_code == 200
    assert "Another device of this library has this name." in response.content.decode()
    client.post(
        reverse("devices:edit", args=[device.pk]),
        {
            "branch": branches["rhodes"].pk,
            "kind": "printer",
            "name": "RH-PRN-01",
            "antivirus": "on",
        },
    )
    device.refresh_from_db()
    assert device.antivirus
    client.post(
        reverse("devices:patches", args=[new_madrid.slug]),
        {"devices": [device.pk, inventory["late"].pk], "patched_on": "2026-12-01"},
    )
    inventory["late"].refresh_from_db()
    assert inventory["late"].last_patched_on == datetime.date(2026, 12, 1)
    client.post(reverse("devices:isolate", args=[device.pk]), {"reason": "Odd traffic."})
    device.refresh_from_db()
    assert device.is_isolated
    page = client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    assert "Off the network since" in page and "Return to service" in page


def test_the_import_page_lists_the_bad_rows(client_as, new_madrid) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("d.csv", b"name,kind\nA,router\nB,spaceship\n")
    response = client_as("it_staff").post(
        reverse("devices:import", args=[new_madrid.slug]), {"file": upload}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "<td>3</td><td>kind</td>" in page
    assert not Device.objects.filter(library=new_madrid, name="A").exists()


def test_the_weekly_check_page(
    client_as, public_pc, branches, django_assert_max_num_queries
) -> None:
    client = client_as("staff")
    with django_assert_max_num_queries(12):
        page = client.get(reverse("devices:checks")).content.decode()
    assert "Not checked this week" in page and "Portageville" in page
    response = client.post(
        reverse("devices:checks"),
        {
            "branch": branches["portageville"].pk,
            "no_history": "on",
            "no_cookies": "on",
            "no_files": "on",
            "no_sessions": "on",
        },
    )
    assert response.status_code == 302
    assert PublicComputerCheck.objects.get().passed
    assert "Not checked this week" not in client.get(reverse("devices:checks")).content.decode()
    assert (
        client_as("outsider_staff")
        .post(reverse("devices:checks"), {"branch": branches["portageville"].pk})
        .status_code
        == 200
    )  # the form refuses another library's branch
    assert PublicComputerCheck.objects.count() == 1


def test_settings_are_the_directors(client_as, new_madrid) -> None:
    url = reverse("devices:settings", args=[new_madrid.slug])
    assert client_as("tech_coordinator").get(url).status_code == 403
    assert client_as("director").post(url, {"patch_target_days": "14"}).status_code == 302
    assert new_madrid.device_settings.patch_target_days == 14


def test_a_patch_from_a_log_entry_on_the_device_page(
    client_as, people, new_madrid, inventory
) -> None:
    from django.utils import timezone

    from bookwarden.devices.models import PatchRecord
    from bookwarden.operations.actions import create_entry
    from bookwarden.operations.models import EntryKind

    entry = create_entry(
        actor=people["it_staff"],
        library=new_madrid,
        kind=EntryKind.PATCHING,
        title="Monthly updates",
        narrative="Updates.",
        occurred_at=timezone.now(),
    )
    device = inventory["late"]
    page = client_as("it_staff").get(reverse("devices:detail", args=[device.pk]))
    assert f"#{entry.pk} Monthly updates" in page.content.decode()
    response = client_as("it_staff").post(
        reverse("devices:patched", args=[device.pk]),
        {"devices": device.pk, "patched_on": "2026-12-02", "entry": entry.pk},
        follow=True,
    )
    assert "The patch is recorded." in response.content.decode(), [
        str(m) for m in response.context["messages"]
    ]
    assert PatchRecord.objects.get(device=device).entry == entry
