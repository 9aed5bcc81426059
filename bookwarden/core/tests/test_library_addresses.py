"""A library's portal lives at /portal/<slug>/: no slug may take an address the portal
keeps for itself (CR-6b: every library's patrons reach their own privacy notice)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import resolve

from bookwarden.core.actions.libraries import RESERVED_LIBRARY_SLUGS, create_library
from bookwarden.core.models import Library


@pytest.mark.django_db
def test_a_library_cannot_take_the_address_of_the_language_switch() -> None:
    with pytest.raises(ValidationError) as refused:
        create_library(actor=None, name="Language Library", slug="language", jurisdiction="US-MO")
    assert "patron portal uses itself" in str(refused.value)
    assert not Library.objects.filter(slug="language").exists()


def test_every_reserved_slug_is_a_portal_address_of_its_own() -> None:
    """The list follows the portal's URLs: each reserved word resolves to a page that is
    not a library's home, and nothing else under /portal/ is fixed."""
    for slug in RESERVED_LIBRARY_SLUGS:
        assert resolve(f"/portal/{slug}/").url_name != "home"
    assert resolve("/portal/some-library/").url_name == "home"
