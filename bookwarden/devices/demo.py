"""The demo's devices (CC-7, CC-3, CR-6d): New Madrid's computers, servers and network at
each branch, built through the actions after the operations log and enforcement demos, so
that the names they use (PV-PUB-01, PV-RTR01, CIRC-PC-03, PUBLIC-PC-07) are devices here:
one device overdue for patches, a router reachable without a secure connection, the
computers an enforcement case and a suspension isolated, and the weekly checks of public
computers, with Rhodes Memorial's missing this week and a failed one three weeks ago."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Branch, Library, User
from bookwarden.operations.models import EntryKind, LogEntry

from . import actions
from .models import DeviceKind
from .sync import sync_from_other_apps

PC, PUBLIC = DeviceKind.STAFF_COMPUTER, DeviceKind.PUBLIC_COMPUTER
WINDOWS = "Windows 11 Pro"
RESET = "Deep Freeze: restores the computer at every restart"

#: (name, branch, kind, operating system, days since the last patch, extra values)
DEVICES: tuple[tuple[str, str | None, str, str, int, dict], ...] = (
    (
        "NM-SRV-01",
        "new-madrid-memorial",
        DeviceKind.SERVER,
        "Windows Server 2022",
        12,
        {
            "intrusion_detection": True,
            "remote_access": "VPN, then remote desktop",
            "remote_access_authenticated": True,
            "remote_access_encrypted": True,
        },
    ),
    (
        "NM-FW-01",
        "new-madrid-memorial",
        DeviceKind.FIREWALL,
        "FortiOS 7.4",
        20,
        {
            "intrusion_detection": True,
            "remote_access": "Web console from the staff network",
            "remote_access_authenticated": True,
            "remote_access_encrypted": True,
        },
    ),
    ("CIRC-PC-03", "new-madrid-memorial", PC, WINDOWS, 9, {}),
    ("NM-PC-01", "new-madrid-memorial", PC, WINDOWS, 9, {}),
    ("NM-PUB-01", "new-madrid-memorial", PUBLIC, WINDOWS, 10, {"reset_mechanism": RESET}),
    ("NM-PUB-02", "new-madrid-memorial", PUBLIC, WINDOWS, 10, {"reset_mechanism": RESET}),
    (
        "NM-PRN-01",
        "new-madrid-memorial",
        DeviceKind.PRINTER,
        "",
        40,
        {"antivirus": False, "firewall": False},
    ),
    (
        "PV-RTR01",
        "portageville",
        DeviceKind.ROUTER,
        "Provider firmware",
        9,
        {
            "remote_access": "Provider's web console over the internet",
            "remote_access_authenticated": True,
            "remote_access_encrypted": False,
        },
    ),
    ("PV-PC-01", "portageville", PC, WINDOWS, 10, {}),
    ("PV-PUB-01", "portageville", PUBLIC, WINDOWS, 10, {"reset_mechanism": RESET}),
    ("RH-PC-01", "rhodes", PC, "Windows 10 Pro", 75, {}),
    (
        "PUBLIC-PC-07",
        "rhodes",
        PUBLIC,
        WINDOWS,
        10,
        {"reset_mechanism": "Kiosk profile: a fresh guest account at every sign-in"},
    ),
)


def _ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def build_devices_demo(people: dict[str, User]) -> None:
    library = Library.objects.get(slug="new-madrid")
    branches = {b.slug: b for b in Branch.objects.filter(library=library)}
    coordinator, it_staff = people["tech_coordinator"], people["it_staff"]
    today = actions.library_today(library)
    devices = {}
    for name, branch, kind, system, days, extra in DEVICES:
        values = {"antivirus": True, "firewall": True, **extra}
        devices[name] = actions.create_device(
            actor=coordinator,
            library=library,
            branch=branches[branch] if branch else None,
            kind=kind,
            name=name,
            operating_system=system,
            last_patched_on=today - datetime.timedelta(days=days),
            **values,
        )
    # The public computers' Windows updates of the operations log, recorded on the devices.
    updates = LogEntry.objects.filter(
        library=library, kind=EntryKind.PATCHING, title__startswith="Windows updates"
    ).first()
    actions.record_patches(
        actor=it_staff,
        devices=[devices["NM-PUB-01"], devices["NM-PUB-02"], devices["PV-PUB-01"]],
        patched_on=today - datetime.timedelta(days=9),
        entry=updates,
    )
    actions.record_patches(
        actor=it_staff,
        devices=[devices["NM-PRN-01"]],
        patched_on=today - datetime.timedelta(days=25),
    )
    # The enforcement demo isolated CIRC-PC-03 and suspended PUBLIC-PC-07.
    sync_from_other_apps()
    # Weekly checks: four weeks at Portageville and New Madrid Memorial, Rhodes missing
    # this week and failed three weeks ago.
    for weeks in (3, 2, 1, 0):
        for slug in ("portageville", "new-madrid-memorial", "rhodes"):
            if slug == "rhodes" and weeks == 0:
                continue
            failed = slug == "rhodes" and weeks == 3
            actions.record_public_check(
                actor=None,
                branch=branches[slug],
                no_history=True,
                no_cookies=not failed,
                no_files=True,
                no_sessions=not failed,
                note="A web mail account was still signed in after logging out." if failed else "",
                at=_ago(weeks * 7 + (0.1 if weeks == 0 else 1)),
            )


@demo_part(order=70)
def _devices_part(world: DemoWorld) -> None:
    build_devices_demo(world.people)
