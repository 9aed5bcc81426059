"""Demo data for requests for records (issue 4): each library's own policy layer, built
from its written policy (New Madrid's has rules looser than Missouri law, flagged as
conflicts on the custodian's home page; Cresco's says its camera recordings are public
records), a subpoena refused with its letter, a court order waiting for the custodian
(counsel is recorded, the instrument is not stored yet, so no release is possible), and at
Cresco two requests of the newer shapes: a collection agency stating its purpose, and the
police asking for camera recordings of a crime at the library.
Everything goes through the actions, as a person would do it from the pages."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library
from bookwarden.patrons.models import Patron

from . import actions
from .models import Verdict

NM_CITATION = "New Madrid County Library privacy policy, Exceptions"
#: New Madrid's written policy, "Exceptions", as its policy layer over Missouri law.  All
#: three rules are looser than RSMo 182.817 (which lists none of these cases): stored,
#: flagged as conflicts, never applied.
NEW_MADRID_POLICY: list[dict[str, Any]] = [
    {
        "rule_id": "NMCL-overdue",
        "requesters": ["parent", "collection_agency", "law_enforcement"],
        "instruments": ["none"],
        "records": ["loans", "registration"],
        "purposes": ["fines_and_overdues"],
        "bill_sent": True,
        "outcome": "release_overdue_only",
        "citation": NM_CITATION,
        "quote": "the Library may disclose information for the purpose of recovering overdue "
        "materials",
        "note": "Overdue items may be disclosed to recover them.",
    },
    {
        "rule_id": "NMCL-subpoena",
        "requesters": ["law_enforcement", "court", "prosecutor", "attorney"],
        "instruments": ["subpoena"],
        "records": ["loans", "holds", "searches", "computer_sessions"],
        "outcome": "release",
        "citation": NM_CITATION,
        "quote": "We may release information in cases where the law mandates disclosure, such "
        "as in response to a subpoena, court order, or law enforcement investigation.",
        "note": "The policy lists a subpoena among the cases where the law mandates disclosure.",
    },
    {
        "rule_id": "NMCL-operations",
        "requesters": ["vendor", "other_library"],
        "instruments": ["none"],
        "records": ["loans", "holds", "registration"],
        "purposes": ["library_operation"],
        "outcome": "release",
        "citation": NM_CITATION,
        "quote": "or for other administrative functions related to library operations",
        "note": "Records may go to a vendor or another library for the library's operations.",
    },
]
CRESCO_5C = (
    "Library Records for long overdue materials for which a bill has been sent may be "
    "revealed to parents of minor children, a collection agency, or law enforcement personnel."
)
#: Cresco's "Public Records and Confidentiality" 5c, 5e and 5g as its policy layer over Iowa
#: law.  5g (camera recordings are public records) is the library's policy, not the Iowa
#: pack's.  5a (counsel on a subpoena or order) is the counsel step every such request has.
CRESCO_POLICY: list[dict[str, Any]] = [
    {
        "rule_id": "CRESCO-5c-parent",
        "requesters": ["parent"],
        "instruments": ["none"],
        "records": ["loans", "registration"],
        "purposes": ["fines_and_overdues"],
        "bill_sent": True,
        "max_age": 17,
        "outcome": "release_overdue_only",
        "citation": "Cresco policy 5c",
        "quote": CRESCO_5C,
        "note": "Overdue items a bill was sent for may go to the parent of a minor.",
    },
    {
        "rule_id": "CRESCO-5c-agency",
        "requesters": ["collection_agency", "law_enforcement"],
        "instruments": ["none"],
        "records": ["loans", "registration"],
        "purposes": ["fines_and_overdues"],
        "bill_sent": True,
        "outcome": "release_overdue_only",
        "citation": "Cresco policy 5c",
        "quote": CRESCO_5C,
        "note": "Overdue items a bill was sent for may go to a collection agency or the police.",
    },
    {
        "rule_id": "CRESCO-5e-room-contacts",
        "requesters": ["public"],
        "instruments": ["open_records_request"],
        "records": ["room_bookings"],
        "outcome": "release",
        "citation": "Cresco policy 5e",
        "quote": "Contact information for displays and meetings reservation is provided by "
        "the user and considered public information.",
        "note": "The contact given for a meeting-room booking is public; nothing else of it.",
    },
    {
        "rule_id": "CRESCO-5g-open-records",
        "requesters": ["public", "law_enforcement", "attorney", "prosecutor"],
        "instruments": ["open_records_request", "none"],
        "records": ["camera_recordings"],
        "outcome": "release",
        "citation": "Cresco policy 5g",
        "quote": "Library security camera recordings are public records, and may be viewed "
        "upon receipt of an open records or law enforcement request.",
        "note": "Camera recordings are public records under the library's policy.",
    },
    {
        "rule_id": "CRESCO-5g-crime",
        "requesters": ["law_enforcement", "prosecutor"],
        "instruments": ["none", "subpoena", "court_order", "search_warrant"],
        "records": ["camera_recordings"],
        "crime_at_library": True,
        "outcome": "release",
        "citation": "Cresco policy 5g",
        "quote": "Library security recordings will be shared with law enforcement as part of "
        "investigating and prosecuting crimes committed at the library.",
        "note": "Recordings go to the police investigating a crime committed at the library.",
    },
]


def build_disclosure_demo(people: dict[str, Any], patrons: dict[str, Patron]) -> None:
    new_madrid = Library.objects.get(slug="new-madrid")
    cresco = Library.objects.get(slug="cresco")
    director, cresco_director = people["director"], people["outsider"]

    for library, custodian in ((new_madrid, director), (cresco, cresco_director)):
        actions.set_publicly_funded(actor=custodian, library=library, publicly_funded=True)
    for library, custodian, rules in (
        (new_madrid, director, NEW_MADRID_POLICY),
        (cresco, cresco_director, CRESCO_POLICY),
    ):
        for rule in rules:
            actions.add_policy_rule(actor=custodian, library=library, **rule)

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

    # Cresco: a collection agency that states its purpose (overdue recovery after a bill,
    # policy 5c), and the police asking for camera recordings of a theft at the library
    # (policy 5g): the request pages show the reasoning, record by record.
    anna = patrons["cresco_patron"]
    actions.record_request(
        actor=people["outsider_staff"],
        library=cresco,
        requester_name="Midwest Recovery Services",
        requester_type="collection_agency",
        requester_agency="Midwest Recovery Services, Decorah",
        instrument="none",
        stated_purpose="fines_and_overdues",
        bill_sent=True,
        amount_owed=Decimal("2.50"),
        patrons=[anna],
        record_types=["loans", "registration"],
        notes="Asked by phone for the borrower's address and what is owed.",
    )
    actions.record_request(
        actor=people["outsider_staff"],
        library=cresco,
        requester_name="Officer Dana Kim",
        requester_type="law_enforcement",
        requester_agency="Cresco Police Department",
        instrument="none",
        stated_purpose="investigation",
        sworn_officer=True,
        crime_at_library=True,
        particular_suspect=True,
        patrons=[],
        patrons_as_named="The person seen taking a laptop from the study room",
        record_types=["camera_recordings"],
        date_from=(now - datetime.timedelta(days=2)).date(),
        date_to=now.date(),
        notes="A laptop was taken from the study room on Tuesday afternoon.",
    )


@demo_part(order=50)
def _disclosures_part(world: DemoWorld) -> None:
    build_disclosure_demo(world.people, world.patrons)
