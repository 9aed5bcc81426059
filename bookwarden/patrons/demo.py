"""Demo patrons with library records in both demo libraries: a minor with a guardian, a
patron who opted in to reading history, and a lost card.  Patrons and cards go through the
actions; records are written the way the importer writes them (``_unguarded``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_logins, demo_part
from bookwarden.core.models import Branch, Library

from . import actions
from .models import (
    CardStatus,
    CatalogSearch,
    ComputerSession,
    Hold,
    Loan,
    Patron,
    ProgramRegistration,
    ReferenceQuestion,
    RoomBooking,
)

#: Every demo patron's portal PIN (the portal: /portal/<library>/, card number and PIN).
DEMO_PIN = "7315"


def _records(patron: Patron, branch: Branch | None, tag: str) -> None:
    now = timezone.now()
    day = datetime.timedelta(days=1)
    lib = patron.library
    Loan._unguarded.create(
        library=lib,
        patron=patron,
        branch=branch,
        item_barcode=f"3{tag}0001",
        title="The Old Man and the Sea",
        checked_out_at=now - 40 * day,
        due_at=now - 19 * day,
        amount_owed=Decimal("2.50"),
    )
    Loan._unguarded.create(
        library=lib,
        patron=patron,
        branch=branch,
        item_barcode=f"3{tag}0002",
        title="A Field Guide to Missouri Birds",
        checked_out_at=now - 3 * day,
        due_at=now + 18 * day,
    )
    Hold._unguarded.create(library=lib, patron=patron, title="Night Sky Atlas", placed_at=now - day)
    CatalogSearch._unguarded.create(
        library=lib, patron=patron, terms="river flood history", searched_at=now - 2 * day
    )
    ReferenceQuestion._unguarded.create(
        library=lib, patron=patron, question="Where are the county plat maps?", asked_at=now - day
    )
    ComputerSession._unguarded.create(
        library=lib,
        patron=patron,
        workstation="PC-03",
        started_at=now - 2 * datetime.timedelta(hours=1),
    )
    RoomBooking._unguarded.create(
        library=lib,
        patron=patron,
        room="Meeting room A",
        starts_at=now + 2 * day,
        ends_at=now + 2 * day + datetime.timedelta(hours=2),
        contact_name=str(patron),
        contact_phone=patron.phone,
    )
    ProgramRegistration._unguarded.create(
        library=lib, patron=patron, program="Seed library swap", registered_at=now - 5 * day
    )


def build_patron_demo(people: dict[str, Any]) -> dict[str, Patron]:
    """Patrons of New Madrid (registered by its staff persona) and of Cresco (by its staff
    persona).  ``people`` is what :func:`bookwarden.core.demo.build_demo` returns."""
    new_madrid = Library.objects.get(slug="new-madrid")
    cresco = Library.objects.get(slug="cresco")
    nm_branch = Branch.objects.filter(library=new_madrid).order_by("pk").first()
    cr_branch = Branch.objects.filter(library=cresco).order_by("pk").first()
    nm_actor, cr_actor = people["staff"], people["outsider_staff"]
    today = timezone.localdate()
    out: dict[str, Patron] = {}

    out["parent"] = actions.register_patron(
        actor=nm_actor,
        library=new_madrid,
        first_name="Rosa",
        last_name="Delgado",
        card_number="21000000000011",
        home_branch=nm_branch,
        address_line1="12 Mill Street",
        city="New Madrid",
        state="MO",
        postal_code="63869",
        phone="573-555-0142",
        email="rosa.delgado@example.org",
        birth_date=datetime.date(1984, 4, 2),
    )
    out["minor"] = actions.register_patron(
        actor=nm_actor,
        library=new_madrid,
        first_name="Leo",
        last_name="Delgado",
        card_number="21000000000029",
        home_branch=nm_branch,
        birth_date=today.replace(year=today.year - 11, day=1),
        guardian=out["parent"],
        notice_channel="mail",
    )
    out["reader"] = actions.register_patron(
        actor=nm_actor,
        library=new_madrid,
        first_name="Walter",
        last_name="Okafor",
        card_number="21000000000037",
        home_branch=nm_branch,
        email="w.okafor@example.org",
        keeps_reading_history=True,
    )
    out["lost_card"] = actions.register_patron(
        actor=nm_actor,
        library=new_madrid,
        first_name="June",
        last_name="Harlan",
        card_number="21000000000045",
        home_branch=nm_branch,
        phone="573-555-0199",
    )
    lost = out["lost_card"].cards.get()
    actions.report_card(actor=nm_actor, card=lost, status=CardStatus.LOST)
    actions.issue_card(actor=nm_actor, patron=out["lost_card"], number="21000000000052")

    out["cresco_patron"] = actions.register_patron(
        actor=cr_actor,
        library=cresco,
        first_name="Anna",
        last_name="Svoboda",
        card_number="22000000000010",
        home_branch=cr_branch,
        phone="563-555-0110",
    )
    for key, patron in out.items():
        _records(patron, nm_branch if patron.library_id == new_madrid.pk else cr_branch, key[:2])
        actor = nm_actor if patron.library_id == new_madrid.pk else cr_actor
        actions.set_portal_pin(actor=actor, patron=patron, pin=DEMO_PIN)
    return out


def build_portal_showcase(people: dict[str, Any], patrons: dict[str, Patron]) -> None:
    """What the portal shows best with: staff openings of Rosa Delgado's records (her
    "Who opened my records" page) and a renewed card for Walter Okafor (the privacy reminder
    of CR-6c waits for him in the portal).  Only the ``demo`` command adds these, so that
    the test fixtures stay small."""
    from .record_access import Purpose, open_records

    parent = patrons["parent"]
    open_records(
        actor=people["staff"],
        patron=parent,
        purpose=Purpose.DESK,
        card_number=parent.cards.get().number,
    )
    open_records(
        actor=people["assistant_director"],
        patron=parent,
        purpose=Purpose.OVERDUE_RECOVERY,
    )
    reader_card = patrons["reader"].cards.get()
    actions.renew_card(actor=people["staff"], card=reader_card, reminded=True)


@demo_logins
def portal_logins_text(site: str) -> str:
    rows = Patron.objects.select_related("library").prefetch_related("cards").order_by("pk")
    lines = [f"Patron portal: {site}/portal/  (PIN for every demo patron: {DEMO_PIN})"]
    for patron in rows:
        usable = [c.number for c in patron.cards.all() if c.status == CardStatus.ACTIVE]
        if usable and patron.portal_pin:
            lines.append(f"  card {usable[0]}  {patron} ({patron.library.name})")
    return "\n".join(lines)


@demo_part(order=10)
def _patrons_part(world: DemoWorld) -> None:
    world.patrons = build_patron_demo(world.people)
    build_portal_showcase(world.people, world.patrons)
