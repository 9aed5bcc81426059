"""Fixtures of the portal tests: the demo patrons (each with PIN ``DEMO_PIN``) and a way to
sign in to the portal as one of them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from bookwarden.patrons.demo import DEMO_PIN
from bookwarden.patrons.models import CardStatus, Patron


@pytest.fixture
def patrons(demo_patrons) -> dict[str, Patron]:
    return demo_patrons


def card_of(patron: Patron) -> str:
    return patron.cards.filter(status=CardStatus.ACTIVE).values_list("number", flat=True)[0]


def login_url(patron: Patron) -> str:
    return reverse("portal:login", kwargs={"slug": patron.library.slug})


def url(name: str, patron: Patron, **kwargs: str) -> str:
    return reverse(f"portal:{name}", kwargs={"slug": patron.library.slug, **kwargs})


@pytest.fixture
def portal_as(patrons) -> Callable[[str], Client]:
    """``portal_as("parent")``: a client signed in to the portal with that patron's card."""

    def make(key: str) -> Client:
        patron = patrons[key]
        client = Client()
        response = client.post(login_url(patron), {"card_number": card_of(patron), "pin": DEMO_PIN})
        assert response.status_code == 302, response.content.decode()[:1000]
        assert response["Location"] == url("home", patron)
        return client

    return make
