"""The shared logins' demo at New Madrid (IT-2, IT-4): a router overdue, a firewall and the
mail admin account changed in time, the ILS database to change now because one of its
holders left, and the staff printer's admin login to change now after the copier vendor's
visit in the operations log.  Everything goes through the actions; the leaver is an IT
person of the demo's own, never a persona the tests sign in as."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.actions import create_staff
from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library, User
from bookwarden.core.roles import Role
from bookwarden.devices.models import Device, DeviceKind
from bookwarden.people import actions as people_actions

from . import actions
from .models import Credential


def _ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _devices(library: Library, kind: str) -> list[Device]:
    """The devices of that kind the devices' demo made, if it ran first."""
    return list(Device.objects.filter(library=library, kind=kind).in_service()[:1])


def build_credentials_demo(people: dict[str, User]) -> dict[str, Any]:
    library = Library.objects.get(slug="new-madrid")
    tech, it = people["tech_coordinator"], people["it_staff"]

    def add(system: str, kind: str, account: str, item: str, days: int, **kw: Any) -> Credential:
        return actions.add_credential(
            actor=tech,
            library=library,
            system=system,
            kind=kind,
            account_name=account,
            manager_kind="bitwarden",
            manager_item=item,
            last_changed_on=_ago(days),
            last_changed_by=kw.pop("by", tech),
            **kw,
        )

    # Overdue: changed 200 days ago (and once before that).
    router = add(
        "Main router",
        "router",
        "admin",
        "IT / Network / Main router",
        380,
        holders=[tech, it],
        devices=_devices(library, DeviceKind.ROUTER),
    )
    actions.record_rotation(
        actor=tech,
        credential=router,
        changed_on=_ago(200),
        changed_by=it,
        note="Changed with the yearly network review.",
    )
    # Fine: changed six weeks ago.
    firewall = add(
        "Firewall",
        "firewall",
        "fwadmin",
        "IT / Network / Firewall",
        250,
        holders=[tech],
        devices=_devices(library, DeviceKind.FIREWALL),
    )
    actions.record_rotation(actor=tech, credential=firewall, changed_on=_ago(40), changed_by=tech)
    add(
        "Mail admin account",
        "internet_account",
        "postmaster",
        "IT / Google Workspace admin",
        20,
        holders=[tech],
    )
    # Due now: one of its holders, an IT person, left today.
    leaver = create_staff(
        actor=None,
        library=library,
        username="dmoss",
        email="dmoss@new-madrid.example.org",
        password=None,
        role=Role.IT_STAFF,
        first_name="Dylan",
        last_name="Moss",
    ).user
    add("ILS database", "database", "koha", "IT / Koha / Database", 60, holders=[it, leaver])
    people_actions.record_departure(
        actor=people["human_resources"],
        user=leaver,
        library=library,
        last_day=timezone.localdate(),
        reason="Took a job with the county.",
        end_now=True,
    )
    # Due now: the copier vendor used the printer's admin login yesterday.
    add(
        "Staff network printer NMM-PRN-01",
        "other",
        "admin",
        "IT / Printers / NMM-PRN-01",
        90,
        holders=[it],
        devices=list(Device.objects.filter(library=library, name="NMM-PRN-01")),
    )
    # The job's first run: the visit and the leaver mark those two to change now.
    marked = actions.mark_due_from_changes()
    return {"router": router, "firewall": firewall, "marked": marked}


@demo_part(order=71)
def _credentials_part(world: DemoWorld) -> None:
    build_credentials_demo(world.people)
