"""On a phone (CC-7, CC-9, LV-3): the technology coordinator, signed in with their code,
makes an API token on the account page (shown once) and connects the firewall; the
firewall's alert of an incident, sent over HTTP as the service would, becomes an entry of
the log whose notices reach a real SMTP server.  Every page fits the phone and has no
serious accessibility finding."""

from __future__ import annotations

import json
import urllib.request

import pytest
from playwright.sync_api import expect

from bookwarden.api.models import AlertSource, ApiToken
from bookwarden.mail import delivery
from bookwarden.operations.models import IncidentNotice, LogEntry

from .support import MISSING_CHROMIUM, PHONE, chromium_available
from .test_accessibility import Scanner, sign_in_with_code

pytestmark = pytest.mark.skipif(not chromium_available(), reason=MISSING_CHROMIUM)


def test_a_token_and_a_connected_firewall_on_a_phone(browse, people, smtp_server) -> None:
    scanner = Scanner()
    tab = browse(PHONE)
    sign_in_with_code(tab, scanner, people["tech_coordinator"].username)

    tab.goto("/accounts/security/")
    tab.check("api-account")
    tab.page.get_by_role("link", name="Make a token").click()
    tab.check("api-token-new")
    scanner.scan(tab, "making a token")
    tab.page.get_by_label("What it is for").fill("Patch reports")
    tab.page.get_by_label("Read and write").check()
    tab.page.get_by_role("button", name="Make the token").click()
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("API token: Patch reports")
    token = ApiToken.objects.get(user=people["tech_coordinator"])
    shown = tab.page.locator("code.secret").inner_text()
    assert shown.startswith(f"bw_{token.prefix}_")
    tab.check("api-token-shown")
    scanner.scan(tab, "a token, shown once")
    tab.page.reload()
    expect(tab.page.locator("code.secret")).to_have_count(0)
    tab.goto("/accounts/security/")
    expect(tab.page.get_by_role("main")).to_contain_text(f"bw_{token.prefix}")
    scanner.scan(tab, "the account page with a token")

    tab.goto("/it/")
    tab.page.get_by_role("link", name="Alerts from monitoring and firewall services").click()
    tab.check("api-alert-sources-empty")
    tab.page.get_by_role("link", name="Connect a service").click()
    tab.page.get_by_label("Service").fill("Firewall")
    scanner.scan(tab, "connecting a service")
    tab.page.get_by_role("button", name="Connect").click()
    expect(tab.page.get_by_role("heading", level=1)).to_contain_text("Firewall")
    secret = tab.page.locator(".msg code.secret").inner_text()
    address = tab.page.locator("dd code.secret").inner_text()
    tab.check("api-alert-source-shown")
    scanner.scan(tab, "a connected service")

    alert = {
        "alert_id": "fw-0017",
        "title": "Outbound connections blocked from CIRC-PC-03",
        "incident": True,
        "kind": "malware",
        "severity": "high",
    }
    assert address.startswith(tab.base_url)
    request = urllib.request.Request(  # noqa: S310 (the live server's address, just checked)
        address,
        data=json.dumps(alert).encode(),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (the live server)
        assert answer.status == 201
        entry = LogEntry.objects.get(pk=json.loads(answer.read())["entry"])
    assert entry.is_incident
    told = set(IncidentNotice.objects.filter(entry=entry).values_list("user__email", flat=True))
    assert delivery.deliver_due().sent == len(told) >= 3
    assert {a for m in smtp_server.inbox.messages for a in m["to"]} == told

    tab.goto("/api/alert-sources/")
    expect(tab.page.get_by_role("main")).not_to_contain_text("None yet")
    tab.check("api-alert-sources")
    scanner.scan(tab, "connected services")
    tab.goto("/api/docs/")
    tab.check("api-docs")
    scanner.scan(tab, "the API's documentation")
    assert AlertSource.objects.get().last_received_at is not None
    scanner.assert_clean()
