"""The register of third parties (NM-3, CR-5h): add, change and remove a vendor through the
actions and the pages, each with its audit event; bad input writes nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import Branch

from .. import actions
from ..models import CARD_NUMBER, CONTACT, Vendor


def test_add_change_remove_with_audit_events(people, new_madrid) -> None:
    coordinator = people["tech_coordinator"]
    rhodes = Branch.objects.get(library=new_madrid, slug="rhodes")
    vendor = actions.add_vendor(
        actor=coordinator,
        library=new_madrid,
        name="  OverDrive ",
        service="E-books",
        data_categories=["loans", CONTACT, "loans"],
        all_branches=False,
        branches=[rhodes],
    )
    assert vendor.name == "OverDrive"
    assert vendor.data_categories == [CONTACT, "loans"]  # in the map's order, once each
    assert list(vendor.branches.all()) == [rhodes]
    added = AuditEvent.objects.get(action="vendor.added", target_id=str(vendor.pk))
    assert added.actor_id == coordinator.pk
    assert added.after["branch_ids"] == [rhodes.pk]

    actions.change_vendor(
        actor=people["director"],
        vendor=vendor,
        name="OverDrive",
        service="E-books and audiobooks",
        data_categories=[CARD_NUMBER],
        all_branches=True,
    )
    vendor.refresh_from_db()
    assert vendor.service == "E-books and audiobooks"
    assert vendor.all_branches and not vendor.branches.exists()
    changed = AuditEvent.objects.get(action="vendor.changed")
    assert changed.before["data_categories"] == [CONTACT, "loans"]
    assert changed.after["data_categories"] == [CARD_NUMBER]

    actions.remove_vendor(actor=coordinator, vendor=vendor)
    assert not Vendor.objects.filter(pk=vendor.pk).exists()
    assert AuditEvent.objects.filter(action="vendor.removed").count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        (
            {"contract_starts_on": "2026-05-01", "contract_ends_on": "2026-04-01"},
            "contract_ends_on",
        ),
        ({"data_categories": ["shoe_size"]}, "data_categories"),
        ({"all_branches": False}, "branches"),
    ],
)
def test_bad_input_writes_nothing(people, new_madrid, fields, field) -> None:
    import datetime

    data = {"name": "Acme", "service": "Things", **fields}
    for key in ("contract_starts_on", "contract_ends_on"):
        if key in data:
            data[key] = datetime.date.fromisoformat(data[key])
    with pytest.raises(ValidationError) as refused:
        actions.add_vendor(actor=people["director"], library=new_madrid, **data)
    assert field in refused.value.message_dict
    assert not Vendor.objects.exists()
    assert not AuditEvent.objects.filter(action="vendor.added").exists()


def test_same_name_twice_is_refused_and_other_library_branch_too(people, new_madrid, cresco):
    actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="Things")
    with pytest.raises(ValidationError, match="already has a vendor"):
        actions.add_vendor(actor=None, library=new_madrid, name="ACME", service="Other")
    with pytest.raises(ValidationError, match="branches of this library"):
        actions.add_vendor(
            actor=None,
            library=new_madrid,
            name="Other",
            service="x",
            all_branches=False,
            branches=[Branch.objects.get(library=cresco)],
        )


def test_only_keepers_of_the_register_write(people, new_madrid) -> None:
    for who in ("it_staff", "auditor", "designee", "staff", "outsider"):
        with pytest.raises(PermissionDenied):
            actions.add_vendor(actor=people[who], library=new_madrid, name="X", service="Y")
    assert not Vendor.objects.exists()


def test_a_vendor_named_on_an_incident_cannot_be_removed(people, new_madrid) -> None:
    from bookwarden.core.tests.helpers import an_operations_entry_of
    from bookwarden.operations.models import LogEntry

    vendor = actions.add_vendor(actor=None, library=new_madrid, name="Acme", service="x")
    entry = LogEntry.objects.get(pk=an_operations_entry_of(new_madrid))
    actions.name_on_incident(actor=people["director"], vendor=vendor, entry=entry)
    with pytest.raises(ValidationError, match="named on an incident"):
        actions.remove_vendor(actor=people["director"], vendor=vendor)
    assert Vendor.objects.filter(pk=vendor.pk).exists()


def test_pages_add_and_edit_with_a_terms_document(people, new_madrid, client_as) -> None:
    client = client_as("tech_coordinator")
    page = client.get(reverse("vendors:add", args=[new_madrid.slug]))
    assert "The contract binds them to Missouri&#x27;s library-records law" in page.content.decode()
    content = b"%PDF-1.4 Acme privacy terms"
    response = client.post(
        reverse("vendors:add", args=[new_madrid.slug]),
        {
            "name": "Acme Catalog",
            "service": "Catalog",
            "bound_by_state_law": "on",
            "data_categories": [CONTACT, "holds"],
            "all_branches": "on",
            "terms_document": SimpleUploadedFile("acme terms.pdf", content),
        },
    )
    vendor = Vendor.objects.get(name="Acme Catalog")
    assert response.status_code == 302
    assert response["Location"] == reverse("vendors:detail", args=[vendor.pk])
    assert vendor.bound_by_state_law
    assert vendor.terms_document_sha256 == hashlib.sha256(content).hexdigest()
    download = client.get(reverse("vendors:terms", args=[vendor.pk]))
    assert download.status_code == 200 and download.content == content

    detail = client.get(reverse("vendors:detail", args=[vendor.pk])).content.decode()
    assert "The contract binds them to Missouri" in detail
    assert "Contact information (name, address, phone, e-mail), Holds" in detail

    response = client.post(
        reverse("vendors:edit", args=[vendor.pk]),
        {"name": "Acme Catalog", "service": "Catalog", "data_categories": ["holds"]},
    )
    assert response.status_code == 400  # neither every branch nor chosen branches
    assert "Choose the branches it serves" in response.content.decode()
    vendor.refresh_from_db()
    assert vendor.data_categories == [CONTACT, "holds"]  # nothing written

    response = client.post(
        reverse("vendors:remove", args=[vendor.pk]),
    )
    assert response.status_code == 302
    assert not Vendor.objects.filter(pk=vendor.pk).exists()


def test_removal_deletes_the_terms_document_only_once_committed(
    people, new_madrid, django_capture_on_commit_callbacks
) -> None:
    vendor = actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Acme",
        service="x",
        terms_document=SimpleUploadedFile("t.pdf", b"%PDF terms"),
    )
    storage, name = vendor.terms_document.storage, vendor.terms_document.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.remove_vendor(actor=None, vendor=vendor)
    assert storage.exists(name)  # still there until the removal is committed
    for callback in callbacks:
        callback()
    assert not storage.exists(name)
