"""Vendors of New Madrid for the authorization matrix (bookwarden/core/tests) and the vendor
tests, made through the actions (once)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from bookwarden.core.models import Library, User

from .. import actions
from ..models import CONTACT, Vendor

MATRIX_VENDOR = "Matrix Catalog Co."


def a_vendor(library: Library, name: str = MATRIX_VENDOR, **extra: Any) -> Vendor:
    """A vendor of ``library`` receiving contact information and loans (made once)."""
    existing = Vendor.objects.filter(library=library, name=name).first()
    if existing is not None:
        return existing
    fields: dict[str, Any] = {
        "service": "Catalog hosting",
        "terms_document": SimpleUploadedFile("terms.pdf", b"%PDF-1.4 privacy terms"),
        "data_categories": [CONTACT, "loans"],
        **extra,
    }
    return actions.add_vendor(actor=None, library=library, name=name, **fields)


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of the vendor pages (for ``new_madrid_ids``)."""
    return {"vendor_id": a_vendor(library).pk}
