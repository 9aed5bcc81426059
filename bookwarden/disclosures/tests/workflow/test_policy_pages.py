"""The library's own policy, set from the pages (NM-2): a looser rule than the statute is
flagged on the custodian's home page and in the decision, never applied silently."""

from __future__ import annotations

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.disclosures.models import PolicyRule
from bookwarden.disclosures.rules import policy_for_library

from .helpers import nm_request

LOOSE = {
    "rule_id": "NMCL-subpoena",
    "requesters": ["law_enforcement", "attorney"],
    "instruments": ["subpoena"],
    "records": ["loans", "holds"],
    "outcome": "release",
    "citation": "New Madrid County Library privacy policy, Exceptions",
}


def test_a_looser_rule_is_a_conflict_on_the_home_page_and_in_the_decision(
    client_as, people, patrons
) -> None:
    client = client_as("director")
    response = client.post("/disclosures/policy/new-madrid/", LOOSE)
    assert response.status_code == 302
    rule = PolicyRule.objects.get()
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSURE_POLICY_CHANGED).count() == 1
    policy = policy_for_library(rule.library)
    assert policy is not None and policy.rules[0].id == "NMCL-subpoena"

    page = client.get("/disclosures/policy/new-madrid/").content.decode()
    assert "Conflicts with the statute" in page and "RSMo 182.817.1" in page
    home = client.get("/").content.decode()
    assert "Disclosure policy of New Madrid County Library" in home
    assert "One rule (NMCL-subpoena) would release records that Missouri law protects" in home
    assert "One rule (NMCL-subpoena)" in client_as("designee").get("/").content.decode()
    assert "NMCL-subpoena" not in client_as("staff").get("/").content.decode()

    # Never applied: a subpoena is still refused, and the decision shows the conflict.
    req = nm_request(people, [patrons["reader"]], record_types=["loans"])
    assert req.rule_decision["outcome"] == "refuse"
    assert req.rule_decision["conflicts"][0]["policy_rule"] == "NMCL-subpoena"
    detail = client.get(f"/disclosures/{req.pk}/").content.decode()
    assert "Policy conflict" in detail

    # Removing the rule removes the conflict.
    assert client.post(f"/disclosures/policy/new-madrid/rules/{rule.pk}/remove/").status_code == 302
    assert not PolicyRule.objects.exists()
    client.get("/")  # the message of the removal
    assert "looser than the statute" not in client.get("/").content.decode()


def test_an_invalid_rule_is_refused_with_the_validator_message(client_as) -> None:
    client = client_as("director")
    client.post("/disclosures/policy/new-madrid/", LOOSE)
    response = client.post("/disclosures/policy/new-madrid/", LOOSE)  # the same id again
    assert response.status_code == 200
    assert "duplicate id" in response.content.decode()
    assert PolicyRule.objects.count() == 1


def test_only_the_custodian_sets_the_policy(client_as) -> None:
    assert client_as("staff").get("/disclosures/policy/new-madrid/").status_code == 403
    assert client_as("outsider").get("/disclosures/policy/new-madrid/").status_code == 404
    assert client_as("staff").post("/disclosures/policy/new-madrid/", LOOSE).status_code == 403
    assert not PolicyRule.objects.exists()


def test_a_rule_may_use_purpose_the_new_requester_outcomes_and_conditions(
    client_as, people, patrons
) -> None:
    """Format 2 in the library's policy (NM-2): a purpose, the prosecutor, a finer outcome,
    the yes/no conditions, and the policy's own words; the rule is validated by the pack
    format's validator and reaches the rules as written."""
    client = client_as("director")
    response = client.post(
        "/disclosures/policy/new-madrid/",
        {
            "rule_id": "NMCL-identity",
            "requesters": ["prosecutor", "law_enforcement"],
            "instruments": ["court_order"],
            "records": ["registration"],
            "purposes": ["investigation"],
            "min_age": "18",
            "min_amount_owed": "50.00",
            "sworn_officer": "yes",
            "crime_at_library": "no",
            "outcome": "release_identity_only",
            "citation": "Policy 4.2",
            "quote": "Only the identity of a suspect is given.",
            "note": "Only who the person is.",
        },
    )
    assert response.status_code == 302, response.content.decode()
    rule = PolicyRule.objects.get()
    assert rule.purposes == ["investigation"]
    assert rule.flags == {"sworn_officer": True, "crime_at_library": False}
    policy = policy_for_library(rule.library)
    assert policy is not None
    [parsed] = policy.rules
    assert parsed.outcome == "release_identity_only" and "prosecutor" in parsed.requesters
    assert parsed.conditions.sworn_officer is True and parsed.conditions.min_age == 18
    assert parsed.purposes == ("investigation",)
    page = client.get("/disclosures/policy/new-madrid/").content.decode()
    assert "For a criminal investigation" in page
    assert "the requester is a sworn law-enforcement officer" in page
    assert "the crime was not committed at the library" in page
    assert "the patron is at least 18" in page and "at least 50.00 dollars are owed" in page
    assert "Only the identity of a suspect is given." in page


def test_a_rule_with_an_impossible_age_range_is_refused(client_as) -> None:
    response = client_as("director").post(
        "/disclosures/policy/new-madrid/",
        {**LOOSE, "rule_id": "AGES", "min_age": "18", "max_age": "15"},
    )
    assert response.status_code == 200
    assert "The highest age is below the lowest." in response.content.decode()
    assert not PolicyRule.objects.exists()
