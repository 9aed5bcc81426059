"""Review and decision (CR-5a, CC-5): the rule decision with its citations; only the director
or a designee decides; a decision against the rule outcome needs a justification and is
flagged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bookwarden.disclosures import actions
from bookwarden.disclosures.models import DisclosureRequest, Status

from ..factories import steps_recorded
from .helpers import events_of, nm_request


def test_a_missouri_subpoena_is_shown_as_refuse_with_rsmo(client_as, people, patrons) -> None:
    req = nm_request(people, [patrons["reader"]])
    page = client_as("director").get(f"/disclosures/{req.pk}/").content.decode()
    assert "The records must not be released" in page
    assert "RSMo 182.817.1" in page
    assert "Counsel consulted and the advice recorded" in page  # the step, in words
    assert "consult_counsel" not in page  # never the step's internal name
    assert req.rule_decision["outcome"] == "refuse"


def test_counsel_is_recorded(client_as, people, patrons) -> None:
    req = nm_request(people, [patrons["reader"]])
    response = client_as("designee").post(
        f"/disclosures/{req.pk}/counsel/",
        {
            "counsel-counsel_name": "Ada Price, county counsel",
            "counsel-consulted_at": "2026-11-20T10:30",
            "counsel-advice": "A subpoena is not enough: refuse.",
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.counsel_name == "Ada Price, county counsel"
    assert req.counsel_advice.startswith("A subpoena")
    assert "disclosure.counsel_recorded" in events_of(req)


def _decide(client, req: DisclosureRequest, **data: str):
    return client.post(
        f"/disclosures/{req.pk}/decide/",
        {f"decide-{k}": v for k, v in data.items()},
        follow=True,
    )


def test_only_the_director_or_a_designee_decides(client_as, people, patrons) -> None:
    req = nm_request(people, [patrons["reader"]])
    data = {"verdict": "refuse", "reasons": "RSMo 182.817.1"}
    assert client_as("staff").post(f"/disclosures/{req.pk}/decide/", data).status_code == 403
    assert client_as("auditor").post(f"/disclosures/{req.pk}/decide/", data).status_code == 403
    assert client_as("outsider").post(f"/disclosures/{req.pk}/decide/", data).status_code == 404
    req.refresh_from_db()
    assert req.status == Status.RECORDED
    with pytest.raises(PermissionDenied):
        actions.decide(actor=people["staff"], request=req, verdict="refuse", reasons="x")
    assert _decide(client_as("designee"), req, **data).status_code == 200
    req.refresh_from_db()
    assert req.status == Status.DECIDED and req.verdict == "refuse"
    assert req.decided_by == people["designee"]
    assert not req.against_rule


def test_against_the_rule_outcome_needs_a_justification_and_is_flagged(
    client_as, people, patrons
) -> None:
    req = nm_request(people, [patrons["reader"]])
    client = client_as("director")
    page = _decide(client, req, verdict="release_all", reasons="The sheriff insists.")
    assert "needs a written justification" in page.content.decode()
    req.refresh_from_db()
    assert req.status == Status.RECORDED
    with pytest.raises(ValidationError):
        actions.decide(actor=people["director"], request=req, verdict="release_all", reasons="x")
    steps_recorded(people, req)  # a release needs the steps first (CR-5a)
    _decide(
        client,
        req,
        verdict="release_all",
        reasons="The sheriff insists.",
        justification="Counsel advised that a grand-jury subpoena suffices here.",
    )
    req.refresh_from_db()
    assert req.status == Status.DECIDED and req.against_rule
    assert req.justification.startswith("Counsel advised")
    flagged = client.get("/disclosures/?flagged=1").content.decode()
    assert f"#{req.pk}" in flagged and "Against the rule outcome" in flagged
    other = nm_request(people, [patrons["parent"]])
    assert f"#{other.pk}<" not in client.get("/disclosures/?flagged=1").content.decode()
    assert (
        "Decided against the rule outcome" in client.get(f"/disclosures/{req.pk}/").content.decode()
    )


def test_refusing_what_the_rules_release_is_against_them() -> None:
    assert actions.is_against_rule("refuse", "release")
    assert not actions.is_against_rule("refuse", "refuse")
    assert actions.is_against_rule("release_all", "needs_information")
    assert actions.is_against_rule("release_all", "release_overdue_only")
    assert not actions.is_against_rule("release_part", "release_overdue_only")
    assert not actions.is_against_rule("release_all", "release")
