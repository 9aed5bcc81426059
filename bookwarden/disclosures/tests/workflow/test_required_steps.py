"""The steps of the rule decision are requirements, not advice (CR-5a, CC-5; issue 9): a
court order is not released, nor its packet produced, until counsel's advice is recorded
and the instrument is stored and verified, unless the custodian records an emergency
override with a written justification, which is flagged like a decision against the rule
outcome."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.disclosures import actions
from bookwarden.disclosures.models import DisclosureRequest, Status, Verdict
from bookwarden.disclosures.transparency import build

from .helpers import events_of, nm_request, upload

ORDER = b"%PDF-1.4 Order of the Circuit Court of New Madrid County, 26-CR-0177\n"


def _court_order(people, patrons, **kw) -> DisclosureRequest:
    """The issue's request: a court order stating the public-safety finding (Missouri
    releases on it), from the court itself (no identity to check)."""
    return nm_request(
        people,
        [patrons["reader"]],
        requester_name="Clerk of the Circuit Court",
        requester_type="court",
        instrument="court_order",
        instrument_reference="Order 26-CR-0177",
        finding="public_safety",
        **kw,
    )


def _release(people, req, **kw) -> DisclosureRequest:
    return actions.decide(
        actor=people["director"],
        request=req,
        verdict=Verdict.RELEASE_ALL,
        reasons="The order states the finding RSMo 182.817.1(2) requires.",
        **kw,
    )


def _counsel(people, req) -> DisclosureRequest:
    return actions.record_counsel(
        actor=people["director"],
        request=req,
        counsel_name="Ada Price, county counsel",
        consulted_at=timezone.now(),
        advice="The order is valid and states the finding: release what it names.",
    )


def test_without_counsel_or_the_instrument_nothing_is_released(
    client_as, people, patrons, media
) -> None:
    req = _court_order(people, patrons)
    assert req.rule_decision["outcome"] == "release"
    assert req.rule_decision["steps"] == [
        "verify_instrument",
        "consult_counsel",
        "custodian_decision",
    ]
    with pytest.raises(ValidationError) as error:
        _release(people, req)
    message = " ".join(error.value.messages)
    assert "counsel" in message and "no document of the instrument is stored" in message
    assert "emergency" in message
    req.refresh_from_db()
    assert req.status == Status.RECORDED and req.verdict == ""
    assert "disclosure.decided" not in events_of(req)

    # The page says the same, and shows what is missing.
    client = client_as("director")
    page = client.post(
        f"/disclosures/{req.pk}/decide/",
        {"decide-verdict": "release_all", "decide-reasons": "The order."},
        follow=True,
    ).content.decode()
    assert "cannot be released yet" in page
    assert "Counsel consulted and the advice recorded" in page
    req.refresh_from_db()
    assert req.status == Status.RECORDED

    # A refusal needs no step: the custodian may always refuse.
    refused = actions.decide(
        actor=people["director"],
        request=req,
        verdict="refuse",
        reasons="Overbroad.",
        justification="The order names no investigation; counsel will move to quash.",
    )
    assert refused.status == Status.DECIDED and refused.against_rule
    with pytest.raises(ValidationError, match="refusal"):  # nothing to let through
        actions.override_steps(actor=people["director"], request=req, justification="Hurry.")


def test_a_release_decided_before_the_steps_were_required_is_not_fulfilled(
    people, patrons, media
) -> None:
    req = _court_order(people, patrons)
    # As the issue found it: decided to release in full, with nothing recorded.
    DisclosureRequest.objects.filter(pk=req.pk).update(
        status=Status.DECIDED, verdict=Verdict.RELEASE_ALL, released_types=["loans"]
    )
    with pytest.raises(ValidationError, match="cannot be released yet"):
        actions.fulfil(actor=people["director"], request=req)
    req.refresh_from_db()
    assert req.status == Status.DECIDED and not req.packet_sha256
    assert not AuditEvent.objects.filter(purpose=req.purpose).exists()  # no records opened


def test_with_counsel_and_the_verified_instrument_the_release_goes_ahead(
    client_as, people, patrons, media
) -> None:
    req = _court_order(people, patrons, document=upload(ORDER, "order.pdf"))
    client = client_as("director")
    client.post(
        f"/disclosures/{req.pk}/counsel/",
        {
            "counsel-counsel_name": "Ada Price, county counsel",
            "counsel-consulted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "counsel-advice": "Valid order: release.",
        },
    )
    # Counsel alone is not enough: the instrument is not verified yet.
    with pytest.raises(ValidationError) as refused:
        _release(people, req)
    message = " ".join(refused.value.messages)
    assert "the instrument not verified" in message and "counsel's advice" not in message

    document = req.documents.get()
    # The order's finding must be confirmed; a document of another request is not this one.
    page = client.post(
        f"/disclosures/{req.pk}/instrument/",
        {"instrument-document": document.pk, "instrument-how": "Called the clerk."},
        follow=True,
    ).content.decode()
    assert "Confirm that the order states the finding" in page
    other = _court_order(people, patrons, document=upload(b"%PDF other", "other.pdf"))
    with pytest.raises(ValidationError, match="stored document of the instrument"):
        actions.verify_instrument(
            actor=people["director"],
            request=req,
            document=other.documents.get(),
            how="Called the clerk.",
            finding_confirmed=True,
        )
    response = client.post(
        f"/disclosures/{req.pk}/instrument/",
        {
            "instrument-document": document.pk,
            "instrument-how": "Called the clerk of the circuit court: the order is genuine.",
            "instrument-finding_confirmed": "on",
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.instrument_document == document and req.finding_confirmed
    assert req.instrument_verified_by == people["director"]

    req = actions.fulfil(actor=people["director"], request=_release(people, req))
    assert req.status == Status.FULFILLED and req.packet_sha256
    assert not req.against_rule and not req.overridden and not req.flagged
    assert events_of(req)[:5] == [
        "disclosure.request_recorded",
        "disclosure.document_added",
        "disclosure.counsel_recorded",
        "disclosure.instrument_verified",
        "disclosure.decided",
    ]
    verified = AuditEvent.objects.get(action=AuditAction.DISCLOSURE_INSTRUMENT_VERIFIED)
    assert verified.after["sha256"] == document.sha256 and verified.after["finding_confirmed"]
    page = client.get(f"/disclosures/{req.pk}/").content.decode()
    assert "overridden" not in page.lower()


def test_law_enforcement_needs_the_identity_verified_too(people, patrons, media) -> None:
    req = nm_request(
        people,
        [patrons["reader"]],
        instrument="court_order",
        finding="public_safety",
        document=upload(ORDER, "order.pdf"),
    )
    _counsel(people, req)
    actions.verify_instrument(
        actor=people["director"],
        request=req,
        document=req.documents.get(),
        how="Called the clerk.",
        finding_confirmed=True,
    )
    with pytest.raises(ValidationError, match="identity"):
        _release(people, req)
    with pytest.raises(ValidationError):
        actions.verify_identity(actor=people["director"], request=req, how=" ")
    with pytest.raises(PermissionDenied):
        actions.verify_identity(actor=people["staff"], request=req, how="Badge.")
    actions.verify_identity(actor=people["designee"], request=req, how="Badge 4471 and photo ID.")
    assert _release(people, req).status == Status.DECIDED


def test_an_emergency_override_with_a_justification_releases_and_is_flagged(
    client_as, people, patrons, media
) -> None:
    req = _court_order(people, patrons)
    client = client_as("director")
    response = client.post(
        f"/disclosures/{req.pk}/override/",
        {
            "override-justification": "A child is missing; the order came by fax at night and "
            "counsel cannot be reached before morning."
        },
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.overridden and req.override_by == people["director"]
    assert req.overridden_steps == ["verify_instrument", "consult_counsel"]
    [event] = AuditEvent.objects.filter(action=AuditAction.DISCLOSURE_STEPS_OVERRIDDEN)
    assert event.after["steps"] == ["verify_instrument", "consult_counsel"]
    assert event.after["justification"].startswith("A child is missing")

    req = actions.fulfil(actor=people["director"], request=_release(people, req))
    assert req.status == Status.FULFILLED and req.packet_sha256
    decided = AuditEvent.objects.get(action=AuditAction.DISCLOSURE_DECIDED, target_id=str(req.pk))
    assert decided.after["steps_overridden"] == ["verify_instrument", "consult_counsel"]

    # Flagged on the page, in the list of flagged decisions and in the transparency report.
    page = client.get(f"/disclosures/{req.pk}/").content.decode()
    assert "Required steps overridden in an emergency" in page
    assert "A child is missing" in page
    flagged = client.get("/disclosures/?flagged=1").content.decode()
    assert f"#{req.pk}<" in flagged and "Steps overridden" in flagged
    other = _court_order(people, patrons)
    assert f"#{other.pk}<" not in flagged
    report = build(req.library, timezone.localdate().year)
    assert report.overrides == 1 and report.against_rule == 0
    text = client.get("/disclosures/transparency/new-madrid/").content.decode()
    assert "Required steps overridden in an emergency:</strong> 1" in text
    year = str(timezone.localdate().year)
    exported = client.get(f"/disclosures/transparency/new-madrid/{year}.csv").content.decode()
    rows = list(csv.reader(io.StringIO(exported)))
    assert [year, "new-madrid", "steps_overridden", "", "", "", "", "1"] in rows


def test_an_override_without_a_justification_is_refused(client_as, people, patrons, media) -> None:
    req = _court_order(people, patrons)
    with pytest.raises(ValidationError, match="written justification"):
        actions.override_steps(actor=people["director"], request=req, justification="   ")
    page = client_as("director").post(
        f"/disclosures/{req.pk}/override/", {"override-justification": ""}, follow=True
    )
    assert page.status_code == 200
    with pytest.raises(PermissionDenied):
        actions.override_steps(actor=people["staff"], request=req, justification="Hurry.")
    with pytest.raises(PermissionDenied):
        actions.override_steps(actor=None, request=req, justification="From the command line.")
    assert (
        client_as("outsider")
        .post(f"/disclosures/{req.pk}/override/", {"override-justification": "Hurry."})
        .status_code
        == 404
    )
    req.refresh_from_db()
    assert not req.overridden and req.overridden_steps == []
    assert not AuditEvent.objects.filter(action=AuditAction.DISCLOSURE_STEPS_OVERRIDDEN).exists()
    with pytest.raises(ValidationError, match="cannot be released yet"):
        _release(people, req)


def test_no_override_when_nothing_is_missing(people, patrons, media) -> None:
    req = _court_order(people, patrons, document=upload(ORDER, "order.pdf"))
    _counsel(people, req)
    actions.verify_instrument(
        actor=people["director"],
        request=req,
        document=req.documents.get(),
        how="Called the clerk.",
        finding_confirmed=True,
    )
    with pytest.raises(ValidationError, match="no override is needed"):
        actions.override_steps(actor=people["director"], request=req, justification="Just in case.")
