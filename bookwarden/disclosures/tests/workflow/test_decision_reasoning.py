"""The decision page shows the custodian and counsel why (NM-1, NM-2, NM-4, CR-5a, CC-5):
for each record type the law that applies, the rule in plain words with its citation, the
statute's words with their source and the day they were read, whether that text was checked
and, apart, whether counsel verified the rule, the facts it used and the near misses.  A
decision stored before the packs explained themselves shows what it always showed."""

from __future__ import annotations

from typing import Any

from bookwarden.core.models import Library
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.reasoning import reasoning_of
from bookwarden.disclosures.tests.factories import decided

EXPLAINED: dict[str, Any] = {
    "permitted": False,
    "outcome": "refuse",
    "reasons": ["Loans stay confidential: no rule allows release (NM-1)."],
    "citations": ["Fla. Stat. 257.261(1)"],
    "steps": ["verify_identity", "custodian_decision"],
    "conflicts": [],
    "pack_version": "2026-12-02",
    "pack_effective": "2016-07-01",
    "law": {
        "loans": "Fla. Stat. 257.261",
        "camera_recordings": "Florida public records law (Fla. Stat. chapter 119)",
    },
    "explanation": [
        {
            "record": "loans",
            "outcome": "refuse",
            "basis": "rule",
            "law": "Fla. Stat. 257.261",
            "citation": "Fla. Stat. 257.261(2)(b)",
            "text": None,
            "rule": {
                "id": "FL-9",
                "outcome": "refuse",
                "citation": "Fla. Stat. 257.261(2)(b)",
                "text": {
                    "quote": "the parent or guardian of a person under the age of 16",
                    "source": "https://www.flsenate.gov/Laws/Statutes/2025/257.261",
                    "read_on": "2026-12-02",
                },
                "text_checked": True,
                "verified": False,
            },
            "facts_used": [
                {"fact": "requester", "value": "collection_agency", "needed": "anyone"},
                {"fact": "age", "value": 17, "needed": "at least 16 years old"},
            ],
            "missing": [],
            "near_misses": [
                {
                    "rule": "FL-3",
                    "outcome": "release_parent_identity_only",
                    "citation": "Fla. Stat. 257.261(2)(b)",
                    "fact": "age",
                    "value": 17,
                    "needed": "at most 15 years old",
                },
                {  # who asks is not a near miss worth showing
                    "rule": "FL-1",
                    "outcome": "release",
                    "citation": "Fla. Stat. 257.261(1)",
                    "fact": "requester",
                    "value": "collection_agency",
                    "needed": "the patron",
                },
                {  # nor a rule that would release no more
                    "rule": "FL-7",
                    "outcome": "refuse",
                    "citation": "Fla. Stat. 257.261(4)",
                    "fact": "instrument",
                    "value": "none",
                    "needed": "a subpoena",
                },
            ],
            "policy": None,
            "reason": "must not be released: rule FL-9.",
        },
        {
            "record": "camera_recordings",
            "outcome": "needs_information",
            "basis": "outside",
            "law": "Florida public records law (Fla. Stat. chapter 119)",
            "citation": "Fla. Stat. 119.07(1)",
            "text": {"unavailable": "The statute's text could not be read."},
            "rule": None,
            "facts_used": [],
            "missing": [],
            "near_misses": [],
            "policy": {
                "rule": "LIB-cameras",
                "outcome": "release",
                "citation": "Library policy 5g",
                "applied": False,
                "conflict": True,
            },
            "reason": "...",
        },
    ],
}


def _decided_with(people: dict[str, Any], decision: dict[str, Any]) -> DisclosureRequest:
    req = decided(people, Library.objects.get(slug="new-madrid"), "refuse")
    DisclosureRequest.objects.filter(pk=req.pk).update(rule_decision=decision)
    return req


def test_the_page_shows_the_reasoning_record_by_record(client_as, people, patrons) -> None:
    req = _decided_with(people, EXPLAINED)
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    page = page.replace("&#x27;", "'")
    assert "Why, record by record" in page
    assert "version of 2026-12-02, in force since Jul 1, 2016" in page
    assert "Fla. Stat. 257.261" in page
    assert "(Fla. Stat. 257.261(2)(b))" in page
    assert "the parent or guardian of a person under the age of 16" in page
    assert 'href="https://www.flsenate.gov/Laws/Statutes/2025/257.261"' in page
    assert "read on Dec 2, 2026" in page
    assert "Text checked</dt><dd>Yes" in page
    assert 'Verified by the library\'s counsel</dt><dd><span class="badge">Not yet' in page
    assert "The patron's age: 17 (the rule needs: at least 16 years old)" in page
    assert "Who asks: A collection agency" in page
    assert (
        "Would have allowed release if the patron were at most 15 years old: release only "
        "who the minor's parent or guardian is." in page
    )
    assert "if the requester were" not in page and "if the request rested on" not in page
    # The record type outside the library-records law: which law, and that it was not read.
    assert "the public-records law" in page
    assert "The statute's text could not be read." in page
    assert 'Text checked</dt><dd><span class="badge">No' in page
    # Plain words: the rule id is not the text shown.
    assert "FL-3" not in page
    assert "max_age" not in page and "collection_agency" not in page


def test_a_decision_stored_before_shows_what_it_showed(client_as, people, patrons) -> None:
    old = {k: v for k, v in EXPLAINED.items() if k not in ("explanation", "law", "pack_version")}
    req = _decided_with(people, old)
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    assert "Why, record by record" not in page and "Rules used" not in page
    assert "Loans stay confidential: no rule allows release." in page
    req.refresh_from_db()
    assert req.rule_decision == old  # never worked out again


def test_the_engines_own_explanation_is_shown(client_as, people, patrons) -> None:
    """A court order at New Madrid that states no finding: Missouri's rule for court orders
    needs one, and the page says which (from the decision the engine stores)."""
    from .helpers import nm_request

    req = nm_request(people, [patrons["reader"]], instrument="court_order", finding="none")
    assert req.rule_decision["explanation"]
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    page = page.replace("&#x27;", "'")
    assert "Why, record by record" in page and "The law that applies</dt><dd>RSMo" in page
    assert "Would have allowed release if the order stated a finding that" in page
    assert "Verified by the library's counsel" in page


def test_reasoning_reads_nothing_from_an_empty_decision() -> None:
    assert reasoning_of(None) == [] and reasoning_of({"outcome": "refuse"}) == []
