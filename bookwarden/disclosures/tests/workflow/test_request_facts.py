"""The facts of the rule packs' format 2 on a request (NM-1, NM-2, CR-5a, CR-5c, CC-5): the
intake form asks each new question only when it matters for the requester and instrument
chosen, stores the answers, and the rules are given them (``facts_for``); whether the
library is publicly funded is the library's own setting, on its policy page."""

from __future__ import annotations

from decimal import Decimal

from bookwarden.core.models import Library
from bookwarden.disclosures import actions
from bookwarden.disclosures.models import DisclosureRequest, DisclosureSettings

BASE = {
    "library": "new-madrid",
    "requester_name": "Det. Sam Ruiz",
    "requester_agency": "New Madrid County Sheriff",
    "requester_type": "law_enforcement",
    "instrument": "court_order",
    "finding": "public_safety",
    "cards": "21000000000037",
    "record_types": ["loans"],
}


def test_law_enforcement_answers_reach_the_rules(client_as, people, patrons, media) -> None:
    response = client_as("staff").post(
        "/disclosures/new/",
        {
            **BASE,
            "issued_by": "federal_court",
            "stated_purpose": "investigation",
            "sworn_officer": "yes",
            "crime_at_library": "no",
            "particular_suspect": "yes",
            # Typed, but it is not a parent's request: ignored.
            "custodial": "yes",
        },
    )
    assert response.status_code == 302
    req = DisclosureRequest.objects.get()
    assert (req.issued_by, req.stated_purpose) == ("federal_court", "investigation")
    assert (req.sworn_officer, req.crime_at_library, req.particular_suspect) == (True, False, True)
    assert req.custodial is None
    facts = actions.facts_for(req)
    assert (facts.purpose, facts.issued_by) == ("investigation", "federal_court")
    assert (facts.sworn_officer, facts.crime_at_library, facts.particular_suspect) == (
        True,
        False,
        True,
    )
    assert facts.custodial is None and facts.publicly_funded is None
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    assert "A criminal investigation" in page and "A federal court" in page
    assert "The requester is a sworn officer</dt><dd>Yes" in page
    assert "The crime was committed at the library</dt><dd>No" in page


def test_not_known_stays_unknown_and_purpose_defaults(client_as, people, patrons, media) -> None:
    response = client_as("staff").post(
        "/disclosures/new/",
        {**BASE, "requester_type": "parent", "instrument": "none", "custodial": ""},
    )
    assert response.status_code == 302
    req = DisclosureRequest.objects.get()
    assert req.custodial is None and req.sworn_officer is None
    assert req.stated_purpose == "unstated"
    assert actions.facts_for(req).purpose == "unstated"


def test_the_form_says_when_each_new_question_applies(client_as) -> None:
    page = client_as("staff").get("/disclosures/new/").content.decode()
    assert "Is the requester a sworn law-enforcement officer?" in page
    assert "Only when the requester is law enforcement." in page
    assert "Only when the requester is a parent or guardian." in page
    assert "Only when the requester is law enforcement or a prosecutor." in page
    assert "Only when the request rests on a court order, a subpoena or a search warrant." in page
    assert 'value="prosecutor"' in page


def test_a_bad_purpose_is_refused_with_a_clear_message(client_as, people, patrons) -> None:
    response = client_as("staff").post("/disclosures/new/", {**BASE, "stated_purpose": "curiosity"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_the_custodian_says_whether_the_library_is_publicly_funded(
    client_as, people, patrons, media
) -> None:
    library = Library.objects.get(slug="new-madrid")
    req = actions.record_request(
        actor=people["staff"],
        library=library,
        requester_name="Collector",
        requester_type="collection_agency",
        instrument="none",
        stated_purpose="fines_and_overdues",
        amount_owed=Decimal("12.00"),
        bill_sent=True,
        patrons=[patrons["reader"]],
        record_types=["loans"],
    )
    assert actions.facts_for(req).publicly_funded is None
    director = client_as("director")
    page = director.get("/disclosures/policy/new-madrid/").content.decode()
    assert "Not said yet" in page
    response = director.post(
        "/disclosures/policy/new-madrid/",
        {"publicly_funded_form": "1", "library-publicly_funded": "yes"},
    )
    assert response.status_code == 302
    assert DisclosureSettings.objects.get(library=library).publicly_funded is True
    assert actions.facts_for(req).publicly_funded is True
    assert (
        "This library is publicly funded."
        in director.get("/disclosures/policy/new-madrid/").content.decode()
    )
    # Another library's custodian cannot set it; staff cannot either.
    assert (
        client_as("outsider")
        .post(
            "/disclosures/policy/new-madrid/",
            {"publicly_funded_form": "1", "library-publicly_funded": "no"},
        )
        .status_code
        == 404
    )
    assert DisclosureSettings.objects.get(library=library).publicly_funded is True
