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
            "rule": {
                "id": "FL-3",
                "citation": "Fla. Stat. 257.261(2)(b)",
                "note": "A parent may be told of the overdue items of a child under 16.",
                "outcome": "release_parent_identity_only",
                "text": {
                    "quote": "the parent or guardian of a person under the age of 16",
                    "source": "https://www.flsenate.gov/Laws/Statutes/2025/257.261",
                    "read_on": "2026-12-02",
                },
                "verified": False,
            },
            "facts": {"requester": "collection_agency", "age": 17, "purpose": "unstated"},
            "near_misses": [
                {
                    "rule": {"id": "FL-3", "citation": "Fla. Stat. 257.261(2)(b)"},
                    "outcome": "release_parent_identity_only",
                    "fact": "max_age",
                    "needed": 15,
                }
            ],
        },
        {
            "record": "camera_recordings",
            "outcome": "needs_information",
            "law_kind": "outside",
            "citation": "Fla. Stat. 119.07(1)",
            "note": "Counsel decides under the public records law.",
            "text": {"unavailable": "The statute's text could not be read."},
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
    assert "A parent may be told of the overdue items of a child under 16." in page
    assert "(Fla. Stat. 257.261(2)(b))" in page
    assert "the parent or guardian of a person under the age of 16" in page
    assert 'href="https://www.flsenate.gov/Laws/Statutes/2025/257.261"' in page
    assert "read on Dec 2, 2026" in page
    assert "Text checked</dt><dd>Yes" in page
    assert 'Verified by the library\'s counsel</dt><dd><span class="badge">Not yet' in page
    assert "The patron's age: 17" in page and "Who asks: A collection agency" in page
    assert (
        "Would have allowed release if the patron were under 16: release only who the "
        "minor's parent or guardian is." in page
    )
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


def test_reasoning_reads_nothing_from_an_empty_decision() -> None:
    assert reasoning_of(None) == [] and reasoning_of({"outcome": "refuse"}) == []
