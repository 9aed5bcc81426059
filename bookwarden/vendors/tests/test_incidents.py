"""A vendor involved in a breach is named on the incident of the operations log: an action
with its audit event, from the vendor's page; only incidents of the vendor's library, once."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.core.tests.helpers import an_operations_entry_of
from bookwarden.operations.actions import create_entry
from bookwarden.operations.models import LogEntry

from .. import actions
from ..models import VendorIncident


def test_named_from_the_vendor_page(people, new_madrid, client_as) -> None:
    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
    entry = LogEntry.objects.get(pk=an_operations_entry_of(new_madrid))
    client = client_as("tech_coordinator")
    page = client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert f'<option value="{entry.pk}">' in page
    response = client.post(
        reverse("vendors:incident", args=[vendor.pk]),
        {"entry": entry.pk, "note": "Their hosted server was the one reached."},
    )
    assert response.status_code == 302
    link = VendorIncident.objects.get()
    assert (link.vendor, link.entry, link.named_by) == (vendor, entry, people["tech_coordinator"])
    event = AuditEvent.objects.get(action="vendor.named_on_incident")
    assert event.after == {"vendor_id": vendor.pk, "entry_id": entry.pk, "link_id": link.pk}
    page = client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert f"Security incident #{entry.pk}" in page
    # Twice is refused, with a message, and nothing more written.
    client.post(reverse("vendors:incident", args=[vendor.pk]), {"entry": entry.pk})
    assert VendorIncident.objects.count() == 1


def test_only_incidents_of_the_same_library(people, new_madrid, cresco) -> None:
    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
    other = create_entry(
        actor=None,
        library=cresco,
        kind="intrusion",
        title="Cresco intrusion",
        narrative="x",
        occurred_at=timezone.now(),
    )
    with pytest.raises(ValidationError):
        actions.name_on_incident(actor=people["director"], vendor=vendor, entry=other)
    backup = create_entry(
        actor=None,
        library=new_madrid,
        kind="backup",
        title="Backup",
        narrative="x",
        occurred_at=timezone.now(),
    )
    with pytest.raises(ValidationError, match="security incident"):
        actions.name_on_incident(actor=people["director"], vendor=vendor, entry=backup)
    entry = LogEntry.objects.get(pk=an_operations_entry_of(new_madrid))
    with pytest.raises(PermissionDenied):
        actions.name_on_incident(actor=people["it_staff"], vendor=vendor, entry=entry)
    assert not VendorIncident.objects.exists()
