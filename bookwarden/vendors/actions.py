"""Every write of the vendor register (NM-3, CR-5h): add, change and remove a vendor,
record a review of its privacy terms with the checklist's answers, and name it on an
incident of the operations log.  Each is one transaction with its audit event."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.files import take_in
from bookwarden.core.models import Branch, Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.operations.models import LogEntry

from .models import (
    CATEGORY_LABELS,
    CHECKLIST,
    REVIEW_EVERY_DAYS,
    Answer,
    Vendor,
    VendorIncident,
    VendorReview,
)

MAX_TERMS_BYTES = 10 * 1024 * 1024


def _check_and_set(
    vendor: Vendor,
    *,
    name: str,
    service: str,
    website: str,
    contract_starts_on: datetime.date | None,
    contract_ends_on: datetime.date | None,
    terms_url: str,
    terms_document: Any,
    bound_by_state_law: bool,
    data_categories: Iterable[str],
    all_branches: bool,
    branches: Iterable[Branch],
) -> list[Branch]:
    """Check the fields (nothing written on error) and set them on ``vendor``; returns the
    chosen branches, to be set once the vendor is saved."""
    name, service = name.strip(), service.strip()
    if not name:
        raise ValidationError({"name": "Give the vendor's name."})
    if not service:
        raise ValidationError({"service": "Say what the vendor does for the library."})
    if contract_starts_on and contract_ends_on and contract_ends_on < contract_starts_on:
        raise ValidationError({"contract_ends_on": "The contract cannot end before it starts."})
    categories = list(dict.fromkeys(data_categories))
    unknown = [c for c in categories if c not in CATEGORY_LABELS]
    if unknown:
        raise ValidationError({"data_categories": "Choose the kinds of data from the list."})
    chosen = list(branches)
    if any(b.library_id != vendor.library_id for b in chosen):
        raise ValidationError({"branches": "Choose branches of this library."})
    if not all_branches and not chosen:
        raise ValidationError(
            {"branches": "Choose the branches it serves, or say that it serves all of them."}
        )
    if (
        Vendor.objects.filter(library_id=vendor.library_id, name__iexact=name)
        .exclude(pk=vendor.pk)
        .exists()
    ):
        raise ValidationError({"name": "This library already has a vendor of that name."})
    vendor.name, vendor.service, vendor.website = name, service, website.strip()
    vendor.contract_starts_on, vendor.contract_ends_on = contract_starts_on, contract_ends_on
    vendor.terms_url = terms_url.strip()
    vendor.bound_by_state_law = bound_by_state_law
    vendor.data_categories = [key for key in CATEGORY_LABELS if key in categories]
    vendor.all_branches = all_branches
    if terms_document is not None:
        incoming = take_in(
            terms_document,
            max_bytes=MAX_TERMS_BYTES,
            field="terms_document",
            default_name="privacy-terms.pdf",
        )
        vendor.terms_document_sha256 = incoming.sha256
        vendor.terms_document_name = incoming.name
        vendor.terms_document.save(
            f"{incoming.sha256[:16]}-{incoming.name}", File(terms_document), save=False
        )
    return [] if all_branches else chosen


def _facts(vendor: Vendor, branches: list[Branch]) -> dict[str, Any]:
    """What an event records: ids, dates and keys, never a document's contents."""
    return {
        "vendor_id": vendor.pk,
        "name": vendor.name,
        "contract_starts_on": vendor.contract_starts_on.isoformat()
        if vendor.contract_starts_on
        else None,
        "contract_ends_on": vendor.contract_ends_on.isoformat()
        if vendor.contract_ends_on
        else None,
        "bound_by_state_law": vendor.bound_by_state_law,
        "data_categories": list(vendor.data_categories),
        "branch_ids": "all" if vendor.all_branches else sorted(b.pk for b in branches),
        "terms_document_sha256": vendor.terms_document_sha256 or None,
    }


@transaction.atomic
def add_vendor(
    *,
    actor: User | None,
    library: Library,
    name: str,
    service: str,
    website: str = "",
    contract_starts_on: datetime.date | None = None,
    contract_ends_on: datetime.date | None = None,
    terms_url: str = "",
    terms_document: Any = None,
    bound_by_state_law: bool = False,
    data_categories: Iterable[str] = (),
    all_branches: bool = True,
    branches: Iterable[Branch] = (),
) -> Vendor:
    """NM-3, CR-5h: a third party joins the register (and the portal's privacy notice)."""
    require(actor, Perm.MANAGE_VENDORS, library)
    vendor = Vendor(library=library)
    chosen = _check_and_set(
        vendor,
        name=name,
        service=service,
        website=website,
        contract_starts_on=contract_starts_on,
        contract_ends_on=contract_ends_on,
        terms_url=terms_url,
        terms_document=terms_document,
        bound_by_state_law=bound_by_state_law,
        data_categories=data_categories,
        all_branches=all_branches,
        branches=branches,
    )
    vendor.save()
    vendor.branches.set(chosen)
    record(
        AuditAction.VENDOR_ADDED,
        actor=actor,
        target=vendor,
        library=library,
        after=_facts(vendor, chosen),
    )
    return vendor


@transaction.atomic
def change_vendor(
    *,
    actor: User | None,
    vendor: Vendor,
    name: str,
    service: str,
    website: str = "",
    contract_starts_on: datetime.date | None = None,
    contract_ends_on: datetime.date | None = None,
    terms_url: str = "",
    terms_document: Any = None,
    bound_by_state_law: bool = False,
    data_categories: Iterable[str] = (),
    all_branches: bool = True,
    branches: Iterable[Branch] = (),
) -> Vendor:
    """NM-3: a change to a vendor (its contract's end takes it off the privacy notice)."""
    require(actor, Perm.MANAGE_VENDORS, vendor.library_id)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    before = _facts(vendor, list(vendor.branches.all()))
    chosen = _check_and_set(
        vendor,
        name=name,
        service=service,
        website=website,
        contract_starts_on=contract_starts_on,
        contract_ends_on=contract_ends_on,
        terms_url=terms_url,
        terms_document=terms_document,
        bound_by_state_law=bound_by_state_law,
        data_categories=data_categories,
        all_branches=all_branches,
        branches=branches,
    )
    vendor.save()
    vendor.branches.set(chosen)
    record(
        AuditAction.VENDOR_CHANGED,
        actor=actor,
        target=vendor,
        library=vendor.library_id,
        before=before,
        after=_facts(vendor, chosen),
    )
    return vendor


@transaction.atomic
def remove_vendor(*, actor: User | None, vendor: Vendor) -> None:
    """A vendor entered by mistake leaves the register.  One named on an incident stays
    (the incident's record needs it): end its contract instead."""
    require(actor, Perm.MANAGE_VENDORS, vendor.library_id)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if VendorIncident.objects.filter(vendor=vendor).exists():
        raise ValidationError(
            "This vendor is named on an incident, so it stays in the register. "
            "Record the end of its contract instead."
        )
    facts = _facts(vendor, list(vendor.branches.all()))
    library_id = vendor.library_id
    record(AuditAction.VENDOR_REMOVED, actor=actor, target=vendor, library=library_id, before=facts)
    document = vendor.terms_document.name if vendor.terms_document else ""
    storage = vendor.terms_document.storage
    vendor.reviews.all().delete()
    vendor.branches.clear()
    vendor.delete()
    if document:
        # The file goes only once the removal is committed: a rollback keeps it.
        transaction.on_commit(lambda: storage.delete(document))


@transaction.atomic
def record_review(
    *,
    actor: User | None,
    vendor: Vendor,
    reviewed_on: datetime.date,
    answers: dict[str, dict[str, str]],
    note: str = "",
    next_review_on: datetime.date | None = None,
) -> VendorReview:
    """CR-5h: the privacy terms were reviewed against the checklist; the next review is a
    year later unless a date is given."""
    require(actor, Perm.MANAGE_VENDORS, vendor.library_id)
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    today = timezone.localdate()
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": "A review cannot be recorded for a future day."})
    next_on = next_review_on or reviewed_on + datetime.timedelta(days=REVIEW_EVERY_DAYS)
    if next_on <= reviewed_on:
        raise ValidationError({"next_review_on": "The next review comes after this one."})
    clean: dict[str, dict[str, str]] = {}
    for key, _question, _wanted in CHECKLIST:
        given = answers.get(key) or {}
        answer = given.get("answer") or Answer.UNKNOWN
        if answer not in Answer.values:
            raise ValidationError({key: "Answer yes, no or not known."})
        clean[key] = {"answer": str(answer), "note": (given.get("note") or "").strip()[:500]}
    review = VendorReview.objects.create(
        vendor=vendor,
        reviewed_on=reviewed_on,
        reviewed_by=actor,
        answers=clean,
        note=note.strip(),
        next_review_on=next_on,
    )
    if vendor.last_reviewed_on is None or reviewed_on >= vendor.last_reviewed_on:
        vendor.last_reviewed_on, vendor.last_reviewed_by = reviewed_on, actor
        vendor.next_review_on = next_on
        vendor.save(update_fields=["last_reviewed_on", "last_reviewed_by", "next_review_on"])
    record(
        AuditAction.VENDOR_REVIEWED,
        actor=actor,
        target=vendor,
        library=vendor.library_id,
        after={
            "vendor_id": vendor.pk,
            "review_id": review.pk,
            "reviewed_on": reviewed_on.isoformat(),
            "next_review_on": next_on.isoformat(),
            "answers": {key: value["answer"] for key, value in clean.items()},
        },
    )
    return review


@transaction.atomic
def name_on_incident(
    *, actor: User | None, vendor: Vendor, entry: LogEntry, note: str = ""
) -> VendorIncident:
    """A vendor involved in a breach or another incident is named on its log entry."""
    require(actor, Perm.MANAGE_VENDORS, vendor.library_id)
    if entry.library_id != vendor.library_id:
        raise ValidationError({"entry": "Choose an incident of this library."})
    if not entry.is_incident:
        raise ValidationError({"entry": "Choose a security incident, not another log entry."})
    try:
        with transaction.atomic():
            link = VendorIncident.objects.create(
                vendor=vendor, entry=entry, note=note.strip(), named_by=actor
            )
    except IntegrityError:
        raise ValidationError({"entry": "This vendor is already named on that incident."}) from None
    record(
        AuditAction.VENDOR_NAMED_ON_INCIDENT,
        actor=actor,
        target=vendor,
        library=vendor.library_id,
        after={"vendor_id": vendor.pk, "entry_id": entry.pk, "link_id": link.pk},
    )
    return link
