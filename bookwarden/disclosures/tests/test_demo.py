"""The demo shows requests for records end to end: a refused subpoena with its letter, a
court order waiting for the custodian (its instrument not stored yet: no release), and New
Madrid's policy conflict flagged (issue 4)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import User
from bookwarden.disclosures.models import DisclosureRequest, Status, Verdict
from bookwarden.disclosures.steps import blocking


@pytest.mark.django_db
def test_the_demo_holds_requests_and_the_conflict_is_on_the_directors_home_page() -> None:
    call_command("demo", stdout=io.StringIO())
    requests = {r.status: r for r in DisclosureRequest.objects.all()}
    assert set(requests) == {Status.FULFILLED, Status.RECORDED}
    refused = requests[Status.FULFILLED]
    assert refused.verdict == Verdict.REFUSE and refused.instrument == "subpoena"
    # The court order waits: counsel is recorded, the instrument is not stored, so the
    # page lists that step as missing and a release is refused (CR-5a).
    order = requests[Status.RECORDED]
    assert order.rule_decision["outcome"] == "release" and order.counsel_at is not None
    assert [s.key for s in blocking(order, order.rule_decision["steps"])] == ["verify_instrument"]
    assert AuditEvent.objects.filter(action__startswith="disclosure.").count() >= 5
    client = Client()
    client.force_login(
        User.objects.get(username="mreyes"),
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    home = client.get("/").content.decode()
    assert "NMCL-overdue" in home
    page = client.get(f"/disclosures/{order.pk}/").content.decode()
    assert "no document of the instrument is stored" in page and "No release yet" in page


@pytest.mark.django_db
def test_the_packs_command_checks_the_policies_set_on_the_pages() -> None:
    call_command("demo", stdout=io.StringIO())
    out = io.StringIO()
    call_command("disclosures", "packs", stdout=out)
    text = out.getvalue()
    assert "Library policies set on the pages: 2" in text
    assert "CONFLICT Policy rule NMCL-overdue" in text and "RSMo 182.817.1" in text
