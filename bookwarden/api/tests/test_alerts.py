"""Alerts into the operations log (CC-9, IT-10): a connected service's alert becomes an
entry; an incident notifies the director, the technology coordinator and human resources
through the outbox, as the pages do; the same alert twice makes one entry; a wrong or
missing secret is 401.  The connection's pages are for the coordinator and the director."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.roles import Role
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.mail import delivery
from bookwarden.mail.models import OutboxMessage
from bookwarden.operations.models import IncidentNotice, LogEntry

from .. import actions
from ..models import AlertSource
from .conftest import bearer
from .factories import an_alert_source

ALERT = {
    "alert_id": "fw-2026-0017",
    "title": "Outbound connections blocked from CIRC-PC-03",
    "description": "412 connections to a known command server in 5 minutes.",
    "severity": "high",
    "incident": True,
    "kind": "malware",
    "device": "CIRC-PC-03",
}


def _send(client: Client, source: AlertSource, data: dict | None = None, **extra):
    url = reverse("api:alert", kwargs={"source_key": source.key})
    return client.post(url, data or ALERT, content_type="application/json", **extra)


@pytest.fixture
def source(people, new_madrid) -> tuple[AlertSource, str]:
    return an_alert_source(new_madrid, people["tech_coordinator"])


def test_an_incident_alert_notifies_the_three_roles_once(source, new_madrid, smtp_server) -> None:
    """CC-9: the entry is a security incident; everyone who must hear of it is told (notice
    and mail in the outbox) exactly as for an entry made on the pages; sent again, nothing
    new is made."""
    src, secret = source
    head = audit_head()
    first = _send(bearer(secret), src)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["incident"] is True
    entry = LogEntry.objects.get(pk=body["entry"])
    assert (entry.kind, entry.severity, entry.library) == ("malware", "high", new_madrid)
    assert "CIRC-PC-03" in entry.devices
    told = set(IncidentNotice.objects.filter(entry=entry).values_list("user__username", flat=True))
    roles = {m.role for m in new_madrid.memberships.filter(user__username__in=told)}
    assert {Role.DIRECTOR, Role.TECH_COORDINATOR, Role.HUMAN_RESOURCES} <= roles
    mails = OutboxMessage.objects.count()
    assert mails >= 3
    assert events_since(head, AuditAction.API_ALERT_RECEIVED)
    assert events_since(head, AuditAction.OPS_ENTRY_CREATED)

    again = _send(bearer(secret), src)
    assert again.status_code == 200
    assert again.json() == {**body, "created": False}
    assert LogEntry.objects.count() == 1
    assert OutboxMessage.objects.count() == mails
    assert delivery.deliver_due().sent == mails
    received = {address for m in smtp_server.inbox.messages for address in m["to"]}
    told_addresses = set(
        IncidentNotice.objects.filter(entry=entry).values_list("user__email", flat=True)
    )
    assert received == told_addresses


def test_a_plain_alert_is_a_concern_to_classify(source) -> None:
    src, secret = source
    response = _send(bearer(secret), src, {"alert_id": "up-1", "title": "Backup job late"})
    assert response.status_code == 201
    entry = LogEntry.objects.get(pk=response.json()["entry"])
    assert entry.kind == "concern" and not entry.is_incident
    assert not IncidentNotice.objects.filter(entry=entry).exists()


def test_wrong_missing_or_revoked_secret_is_401(people, source, new_madrid) -> None:
    src, secret = source
    assert _send(Client(), src).status_code == 401
    assert _send(bearer("not-the-secret"), src).status_code == 401
    _other, other_secret = an_alert_source(new_madrid)
    assert _send(bearer(other_secret), src).status_code == 401  # another source's secret
    actions.revoke_alert_source(actor=people["director"], source=src)
    response = _send(bearer(secret), src)
    assert response.status_code == 401 and response.json()["detail"]
    assert not LogEntry.objects.exists()


def test_bad_fields_are_400(source) -> None:
    src, secret = source
    response = _send(bearer(secret), src, {"alert_id": "", "title": "", "severity": "huge"})
    assert response.status_code == 400
    assert {"alert_id", "title", "severity"} <= set(response.json())
    response = _send(
        bearer(secret), src, {"alert_id": "k", "title": "t", "incident": True, "kind": "backup"}
    )
    assert response.status_code == 400 and "kind" in response.json()
    assert not LogEntry.objects.exists()


def test_a_user_token_is_no_alert_secret(source, api_as) -> None:
    src, _secret = source
    assert _send(api_as("director"), src).status_code == 401


def test_sources_are_connected_by_the_coordinator_or_director(people, client_as, new_madrid):
    """The secret is shown once, kept as a hash; staff may not connect a service."""
    client = client_as("tech_coordinator")
    url = reverse("api:alert_source_new", args=["new-madrid"])
    head = audit_head()
    response = client.post(url, {"name": "Firewall"})
    assert response.status_code == 302
    src = AlertSource.objects.get(name="Firewall")
    page = client.get(response["Location"]).content.decode()
    assert src.key in page
    secret = page.split('<code class="secret">')[1].split("<")[0]
    assert len(secret) >= 43 and secret not in str(AlertSource.objects.filter(pk=src.pk).values())
    assert secret not in client.get(response["Location"]).content.decode()  # once
    assert [e.actor_id for e in events_since(head, AuditAction.API_ALERT_SOURCE_CREATED)] == [
        people["tech_coordinator"].pk
    ]
    assert _send(bearer(secret), src).status_code == 201
    assert "Firewall" in client.get(reverse("api:alert_sources")).content.decode()
    assert client_as("staff").post(url, {"name": "X"}).status_code == 403
    assert client_as("outsider").post(url, {"name": "X"}).status_code == 404
    revoke = reverse("api:alert_source_revoke", args=[src.pk])
    assert client_as("it_staff").post(revoke).status_code == 403
    assert client.post(revoke).status_code == 302
    assert _send(bearer(secret), src).status_code == 401


def test_alert_query_count(source, django_assert_max_num_queries) -> None:
    src, secret = source
    client = bearer(secret)
    with django_assert_max_num_queries(40):
        assert _send(client, src).status_code == 201
    with django_assert_max_num_queries(5):  # the source, the alert and its entry
        assert _send(client, src).status_code == 200
