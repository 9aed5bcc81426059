"""The director's page of sign-in with the library's accounts, and the choice to trust the
identity provider's second factor (CC-7; docs/sso.md)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library
from bookwarden.core.tests.helpers import audit_head, events_since, location_path
from bookwarden.sso import actions
from bookwarden.sso.matching import libraries_trust_provider_second_factor
from bookwarden.sso.models import SecondFactorTrust

from .conftest import apply_directory, apply_provider


def test_director_trusts_the_providers_second_factor(client_as, people):
    """CC-7: the director's choice is saved through the action and recorded, and shown."""
    director = client_as("director")
    url = reverse("sso:trust", kwargs={"slug": "new-madrid"})
    page = director.get(url).content.decode()
    assert "Trust the sign-in service" in page
    seq = audit_head()
    response = director.post(url, {"trust_provider_second_factor": "on"})
    assert location_path(response) == reverse("sso:overview")
    assert SecondFactorTrust.objects.get(library__slug="new-madrid").trust_provider_second_factor
    [event] = events_since(seq, AuditAction.SSO_TRUST_CHANGED)
    assert (event.actor_id, event.library.slug) == (people["director"].pk, "new-madrid")
    assert event.before == {"trust_provider_second_factor": False}
    assert event.after == {"trust_provider_second_factor": True}
    overview = director.get(reverse("sso:overview")).content.decode()
    assert "Trusted: no Bookwarden code after it" in overview
    director.post(url, {})  # unticked: trust withdrawn
    assert not libraries_trust_provider_second_factor(people["director"])


def test_only_the_director_decides(client_as, people):
    """Deny by default: staff get 403, another library's director 404, and nothing is saved."""
    url = reverse("sso:trust", kwargs={"slug": "new-madrid"})
    assert client_as("staff").post(url, {"trust_provider_second_factor": "on"}).status_code == 403
    assert (
        client_as("outsider").post(url, {"trust_provider_second_factor": "on"}).status_code == 404
    )
    assert not SecondFactorTrust.objects.exists()


def test_overview_says_what_is_set_up(client_as, people, settings):
    """The page names the configured provider and the directory in plain words; nothing set
    up says so."""
    director = client_as("director")
    assert "Nothing is set up" in director.get(reverse("sso:overview")).content.decode()
    apply_provider(
        settings,
        {
            "BOOKWARDEN_OIDC_PROVIDERS": "google",
            "BOOKWARDEN_OIDC_GOOGLE_TITLE": "Google Workspace",
            "BOOKWARDEN_OIDC_GOOGLE_SERVER_URL": "https://accounts.google.com",
            "BOOKWARDEN_OIDC_GOOGLE_CLIENT_ID": "id",
            "BOOKWARDEN_OIDC_GOOGLE_SECRET": "secret",
            "BOOKWARDEN_OIDC_GOOGLE_DOMAIN": "newmadridlibrary.org",
        },
    )
    apply_directory(
        settings,
        {"BOOKWARDEN_LDAP_URL": "ldaps://dc1.example.org", "BOOKWARDEN_LDAP_SEARCH_BASE": "dc=x"},
    )
    page = director.get(reverse("sso:overview")).content.decode()
    assert "Google Workspace" in page and "newmadridlibrary.org" in page
    assert "The library's directory" in page


def test_trust_of_every_library_is_needed(people):
    """A person with roles at two libraries is trusted only when both trust the provider."""
    from bookwarden.core.actions import assign_role
    from bookwarden.core.roles import Role

    cresco = Library.objects.get(slug="cresco")
    assign_role(actor=None, user=people["staff"], library=cresco, role=Role.STAFF)
    people["staff"].forget_roles()
    for who, slug in (("director", "new-madrid"), ("outsider", "cresco")):
        assert not libraries_trust_provider_second_factor(people["staff"])
        actions.set_second_factor_trust(
            actor=people[who],
            library=Library.objects.get(slug=slug),
            trust_provider_second_factor=True,
        )
    assert libraries_trust_provider_second_factor(people["staff"])


@pytest.mark.parametrize(
    ("url_name", "kwargs", "queries"),
    [("sso:overview", {}, 10), ("sso:trust", {"slug": "new-madrid"}, 10)],
)
def test_query_counts(client_as, people, django_assert_max_num_queries, url_name, kwargs, queries):
    """The pages' queries are pinned."""
    director = client_as("director")
    director.get(reverse(url_name, kwargs=kwargs))  # the session's first request
    with django_assert_max_num_queries(queries):
        assert director.get(reverse(url_name, kwargs=kwargs)).status_code == 200
