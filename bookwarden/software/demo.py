"""Software in the demo (CC-4, LV-6, LV-10), after the devices (order 70).

At New Madrid: a catalog (the ILS client on a subscription that expires within the month,
an office suite with a site license, a free PDF reader and screen reader, a per-seat tool
with 5 seats, a one-seat meeting tool, a typing tutor whose subscription has expired);
installations on the demo's devices, each through an approved request; requests refused
(over the seats, unlicensed software not in the catalog) and one waiting for a decision.
The devices are the ones the devices demo made (in service, by name); with none, only the
catalog is built.  Everything goes through the actions, as the people themselves.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library, User
from bookwarden.devices.models import Device, DeviceKind

from . import actions
from .models import LicenseKind, RequestKind, Software


def _catalog(library: Library, coordinator: User) -> dict[str, Software]:
    today = timezone.localdate()
    entries = {
        "ils": dict(
            name="Destiny circulation client",
            publisher="Follett",
            license_kind=LicenseKind.SUBSCRIPTION,
            license_expires_on=today + datetime.timedelta(days=20),
            notes="Renewed each year with the library system contract.",
        ),
        "office": dict(
            name="Microsoft Office",
            publisher="Microsoft",
            version="LTSC 2024",
            license_kind=LicenseKind.SITE,
        ),
        "pdf": dict(name="Acrobat Reader", publisher="Adobe", license_kind=LicenseKind.FREE),
        "reader": dict(
            name="NVDA screen reader", publisher="NV Access", license_kind=LicenseKind.FREE
        ),
        "editor": dict(
            name="Photoshop Elements",
            publisher="Adobe",
            version="2025",
            license_kind=LicenseKind.PER_SEAT,
            seats=5,
        ),
        "meetings": dict(
            name="Zoom Workplace",
            publisher="Zoom",
            license_kind=LicenseKind.PER_SEAT,
            seats=1,
            license_expires_on=today + datetime.timedelta(days=200),
        ),
        "typing": dict(
            name="Typing tutor",
            publisher="Typing.com",
            license_kind=LicenseKind.SUBSCRIPTION,
            license_expires_on=today - datetime.timedelta(days=10),
        ),
    }
    return {
        key: actions.add_software(actor=coordinator, library=library, **values)  # type: ignore[arg-type]
        for key, values in entries.items()
    }


def _install(requester: User, approver: User, software: Software, device: Device, why: str) -> None:
    request = actions.request_software(
        actor=requester, device=device, kind=RequestKind.INSTALL, software=software, reason=why
    )
    actions.decide_request(actor=approver, request=request, approve=True)


def build_software_demo(people: dict[str, User]) -> None:
    library = Library.objects.get(slug="new-madrid")
    coordinator, director, staff = (
        people["tech_coordinator"],
        people["director"],
        people["staff"],
    )
    catalog = _catalog(library, coordinator)
    devices = Device.objects.filter(library=library).in_service().order_by("name")
    staff_pcs = [d for d in devices if d.kind == DeviceKind.STAFF_COMPUTER]
    public_pcs = [d for d in devices if d.kind == DeviceKind.PUBLIC_COMPUTER]
    if not staff_pcs:
        return
    for pc in staff_pcs:
        _install(staff, coordinator, catalog["ils"], pc, "Checking items in and out.")
        _install(staff, coordinator, catalog["office"], pc, "Letters and spreadsheets.")
    for pc in public_pcs:
        _install(staff, coordinator, catalog["pdf"], pc, "Patrons open PDF forms.")
    first = staff_pcs[0]
    # The coordinator's own request, approved by themselves: recorded as such.
    _install(coordinator, coordinator, catalog["editor"], first, "Posters for the programs.")
    _install(staff, director, catalog["meetings"], first, "Online meetings with the region.")
    if len(staff_pcs) > 1:
        over = actions.request_software(
            actor=staff,
            device=staff_pcs[1],
            kind=RequestKind.INSTALL,
            software=catalog["meetings"],
            reason="Online story time with another branch.",
        )
        actions.decide_request(
            actor=coordinator,
            request=over,
            approve=False,
            note=actions.refusal_reason(catalog["meetings"]),
        )
    unlicensed = actions.request_software(
        actor=staff,
        device=first,
        kind=RequestKind.INSTALL,
        new_software_name="Free video downloader",
        reason="To save videos for a program.",
    )
    actions.decide_request(
        actor=coordinator,
        request=unlicensed,
        approve=False,
        note=actions.refusal_reason(None) + " Such tools often carry malware.",
    )
    removal = actions.request_software(
        actor=coordinator,
        device=first,
        kind=RequestKind.REMOVE,
        software=catalog["editor"],
        reason="The posters are now made on the design computer.",
    )
    actions.decide_request(actor=director, request=removal, approve=True, note="Agreed.")
    actions.request_software(
        actor=staff,
        device=public_pcs[0] if public_pcs else first,
        kind=RequestKind.INSTALL,
        software=catalog["reader"],
        reason="A patron who is blind asked for a screen reader on a public computer.",
    )


@demo_part(order=72)
def _software_part(world: DemoWorld) -> None:
    build_software_demo(world.people)
