"""Demo data for requests for records (issue 4): each library's own policy layer (New
Madrid's has a rule looser than Missouri law, flagged as a conflict on the custodian's home
page), a subpoena refused with its letter, and a court order waiting for the custodian:
counsel is recorded, the instrument is not stored yet, so no release is possible.
Everything goes through the actions, as a person would do it from the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library
from bookwarden.patrons.models import Patron

from . import actions
from .models import Verdict


def build_disclosure_demo(people: dict[str, Any], patrons: dict[str, Patron]) -> None:
    new_madrid = Library.objects.get(slug="new-madrid")
    cresco = Library.objects.get(slug="cresco")
    director, cresco_director = people["director"], people["outsider"]

    # New Madrid's written policy allows release for overdue recovery, which RSMo 182.817
    # does not list: stored, flagged, never applied.
    actions.add_policy_rule(
        actor=director,
        library=new_madrid,
        rule_id="NMCL-overdue",
        requesters=["parent", "collection_agency", "law_enforcement"],
        instruments=["none"],
        records=["loans", "registration"],
        outcome="release_overdue_only",
        citation="New Madrid County Library privacy policy, Exceptions",
        bill_sent=True,
        note="The Library may disclose information for the purpose of recovering overdue "
        "materials.",
    )
    # Cresco's policy 5c: overdue recovery after a bill was sent (Iowa leaves it to policy).
    actions.add_policy_rule(
        actor=cresco_director,
        library=cresco,
        rule_id="CRESCO-5c-parent",
        requesters=["parent"],
        instruments=["none"],
        records=["loans", "registration"],
        outcome="release_overdue_only",
        citation="Cresco policy 5c",
        bill_sent=True,
        max_age=17,
        note="Records of long-overdue materials for which a bill was sent, to parents of "
        "minor children.",
    )

    now = timezone.now()
    reader = patrons["reader"]
    subpoena = actions.record_request(
        actor=people["staff"],
        library=new_madrid,
        requester_name="Det. Sam Ortiz",
        requester_type="law_enforcement",
        requester_agency="New Madrid County Sheriff's Office",
        instrument="subpoena",
        instrument_reference="Subpoena duces tecum 26-SD-041",
        patrons=[reader],
        record_types=["loans"],
        date_from=(now - datetime.timedelta(days=180)).date(),
        date_to=now.date(),
        deadline=(now + datetime.timedelta(days=10)).date(),
        notes="Handed over at the Portageville desk. I told the detective that the director "
        "will answer.",
    )
    actions.record_counsel(
        actor=director,
        request=subpoena,
        counsel_name="County counselor",
        consulted_at=now - datetime.timedelta(hours=2),
        advice="A subpoena alone is not enough in Missouri (RSMo 182.817): refuse, and say "
        "that a court order with the required finding would be considered.",
    )
    actions.decide(
        actor=people["designee"],
        request=subpoena,
        verdict=Verdict.REFUSE,
        reasons="RSMo 182.817 allows release only on a court order that finds disclosure "
        "necessary for public safety or to prosecute a crime; a subpoena is not one.",
    )
    actions.fulfil(actor=people["designee"], request=subpoena)

    # A court order stating the public-safety finding: the rules allow the release, and
    # counsel agrees, but the order came by fax and is not stored or verified yet, so the
    # request page lists that step as missing and no release is possible (CR-5a).
    order = actions.record_request(
        actor=people["staff"],
        library=new_madrid,
        requester_name="Clerk of the Circuit Court",
        requester_type="court",
        requester_agency="34th Judicial Circuit",
        instrument="court_order",
        instrument_reference="Order 26-CR-112",
        finding="public_safety",
        patrons=[patrons["parent"]],
        record_types=["computer_sessions"],
        date_from=(now - datetime.timedelta(days=30)).date(),
        date_to=now.date(),
        deadline=(now + datetime.timedelta(days=5)).date(),
        notes="The order came by fax; the clerk's office will hand over the signed original.",
    )
    actions.record_counsel(
        actor=director,
        request=order,
        counsel_name="County counselor",
        consulted_at=now - datetime.timedelta(hours=1),
        advice="The order states the finding RSMo 182.817.1(2) requires: release the computer "
        "sessions it names once the signed order is stored and checked with the clerk.",
    )


@demo_part(order=50)
def _disclosures_part(world: DemoWorld) -> None:
    build_disclosure_demo(world.people, world.patrons)
