"""The portal never shows another patron's anything (issue 3).

Every portal page and download is fetched as Rosa Delgado; none may carry anything of the
other demo patrons -- not their names, card numbers, item barcodes or contact details --
not even of Leo, the minor whose guardian she is.  And no portal URL takes an id that could
be changed to reach someone else.
"""

from __future__ import annotations

import pytest
from django.urls import URLResolver, get_resolver, reverse

from bookwarden.patrons.models import Card, Patron

from .conftest import url


#: The item barcodes of each demo patron's records: ``3<key[:2]>0001`` and ``...0002``.
def _markers(patron: Patron, key: str) -> list[str]:
    marks = [f"3{key[:2]}0001", f"3{key[:2]}0002", patron.last_name if key != "minor" else ""]
    marks += list(Card.objects.filter(patron=patron).values_list("number", flat=True))
    marks += [v for v in (patron.first_name, patron.phone, patron.email) if v]
    return [m for m in marks if m]


def _portal_routes() -> list[tuple[str, list[str]]]:
    resolver = get_resolver()
    (portal,) = [
        p for p in resolver.url_patterns if isinstance(p, URLResolver) and p.namespace == "portal"
    ]
    return [(p.name, list(p.pattern.regex.groupindex)) for p in portal.url_patterns]


def test_no_portal_url_names_a_patron_card_or_record() -> None:
    for name, args in _portal_routes():
        assert set(args) <= {"slug", "fmt"}, f"portal:{name} takes {args}"


@pytest.mark.parametrize("name", [n for n, _ in _portal_routes()])
def test_every_portal_page_shows_only_the_signed_in_patron(name, patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    kwargs = {"fmt": "json"} if name == "download" else {}
    if name == "choose":
        response = client.get(reverse("portal:choose"))
    elif name == "language":  # back to the page it was pressed on, now in Spanish
        response = client.post(
            reverse("portal:language"), {"language": "es", "next": url("home", rosa)}, follow=True
        )
    elif name in ("logout", "privacy_read"):
        response = client.post(url(name, rosa))
    else:
        response = client.get(url(name, rosa, **kwargs))
    body = response.content.decode()
    for key, other in patrons.items():
        if key == "parent":
            continue
        for mark in _markers(other, key):
            # Leo shares Rosa's last name; his first name and his own records must not show.
            assert mark not in body, f"portal:{name} shows {mark!r} of {key}"
    if name in ("records", "download"):
        assert "3pa0001" in body  # and Rosa's own records are there


def test_both_downloads_hold_only_her_records(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    for fmt in ("json", "csv"):
        body = client.get(url("download", rosa, fmt=fmt)).content.decode()
        assert "3pa0001" in body and "3pa0002" in body
        for key in patrons:
            if key != "parent":
                assert f"3{key[:2]}0001" not in body, (fmt, key)


def test_a_session_of_one_library_opens_nothing_at_another(patrons, portal_as) -> None:
    anna = patrons["cresco_patron"]
    client = portal_as("parent")
    response = client.get(url("records", anna))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:login", kwargs={"slug": "cresco"})
