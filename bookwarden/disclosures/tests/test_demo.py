"""The demo shows requests for records end to end: a refused subpoena with its letter, a
court order waiting for the custodian (its instrument not stored yet: no release), and New
Madrid's policy conflict flagged (issue 4).  ``full_demo`` is what ``bookwarden demo`` loads,
built once per test process (bookwarden/conftest.py)."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import User
from bookwarden.disclosures.models import (
    DisclosureRequest,
    DisclosureSettings,
    PolicyRule,
    Status,
    Verdict,
)
from bookwarden.disclosures.steps import blocking


def test_the_demo_holds_requests_and_the_conflict_is_on_the_directors_home_page(full_demo) -> None:
    # This month's requests (the reports' demo adds a year of earlier ones, all closed).
    this_month = timezone.now() - datetime.timedelta(days=14)
    requests = {
        r.instrument: r
        for r in DisclosureRequest.objects.filter(
            library__slug="new-madrid", received_at__gte=this_month
        )
    }
    assert set(requests) == {"subpoena", "court_order"}
    refused = requests["subpoena"]
    assert refused.verdict == Verdict.REFUSE and refused.status == Status.FULFILLED
    # The court order waits: counsel is recorded, the instrument is not stored, so the
    # page lists that step as missing and a release is refused (CR-5a).
    order = requests["court_order"]
    assert order.status == Status.RECORDED
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


def test_the_packs_command_checks_the_policies_set_on_the_pages(full_demo) -> None:
    out = io.StringIO()
    call_command("disclosures", "packs", stdout=out)
    text = out.getvalue()
    assert "Library policies set on the pages: 2" in text
    assert "CONFLICT Policy rule NMCL-overdue" in text and "RSMo 182.817.1" in text


def test_the_demo_shows_the_newer_shapes_and_each_librarys_own_policy(full_demo) -> None:
    """Cresco's requests state their purpose and the facts the rules may need; its policy
    layer carries policy 5g (camera recordings are public records), New Madrid's its
    "Exceptions"; both libraries are publicly funded (NM-2, CR-5c, CR-5g)."""
    cresco = {r.requester_type: r for r in DisclosureRequest.objects.filter(library__slug="cresco")}
    agency, police = cresco["collection_agency"], cresco["law_enforcement"]
    assert agency.stated_purpose == "fines_and_overdues" and agency.bill_sent
    assert police.record_types == ["camera_recordings"]
    assert (police.sworn_officer, police.crime_at_library) == (True, True)
    rules = {r.rule_id: r for r in PolicyRule.objects.filter(library__slug="cresco")}
    assert rules["CRESCO-5g-crime"].flags == {"crime_at_library": True}
    assert "public records" in rules["CRESCO-5g-open-records"].quote
    assert set(
        PolicyRule.objects.filter(library__slug="new-madrid").values_list("rule_id", flat=True)
    ) == {"NMCL-overdue", "NMCL-subpoena", "NMCL-operations"}
    assert DisclosureSettings.objects.filter(publicly_funded=True).count() == 2
    client = Client()
    client.force_login(
        User.objects.get(username="mreyes"),
        backend="allauth.account.auth_backends.AuthenticationBackend",
    )
    policy = client.get("/disclosures/policy/new-madrid/").content.decode()
    assert "For collecting fines or recovering overdue materials" in policy
