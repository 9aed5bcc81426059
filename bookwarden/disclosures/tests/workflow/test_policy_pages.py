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
