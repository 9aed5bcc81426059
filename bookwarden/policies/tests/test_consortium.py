"""CC-6: a consortium's policy applies at every member library, is seen by their people only,
read-only ("from the consortium"), and is created from the command line (actor None) only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bookwarden.core import actions as core_actions
from bookwarden.policies import actions
from bookwarden.policies.audience import people_in_audience
from bookwarden.policies.models import Policy

from .conftest import days_ago


@pytest.fixture
def shared(new_madrid) -> Policy:
    policy = actions.add_policy(
        actor=None, consortium=new_madrid.consortium, title="Shared Catalogue Confidentiality"
    )
    actions.add_version(actor=None, policy=policy, text="Shared rules.", effective_on=days_ago(1))
    return policy


def test_members_see_it_read_only(shared, client_as) -> None:
    url = reverse("policies:detail", args=[shared.pk])
    page = client_as("director").get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "From the consortium" in text
    assert "Add a version" not in text
    assert (
        client_as("director").get(reverse("policies:version_create", args=[shared.pk])).status_code
        == 403
    )
    assert client_as("outsider_staff").get(url).status_code == 200  # Cresco is a member too
    assert "Shared Catalogue" in client_as("outsider_staff").get("/policies/").content.decode()


def test_people_outside_the_consortium_get_404(shared, people, client_as) -> None:
    other = core_actions.create_library(
        actor=None, name="Elsewhere", slug="elsewhere", jurisdiction="US-MO"
    )
    membership = core_actions.create_staff(
        actor=None,
        library=other,
        username="zed",
        email="zed@example.org",
        password=None,
        role="staff",
        first_name="Zed",
        last_name="Lone",
    )
    from django.test import Client

    client = Client()
    client.force_login(
        membership.user, backend="allauth.account.auth_backends.AuthenticationBackend"
    )
    assert client.get(reverse("policies:detail", args=[shared.pk])).status_code == 404
    assert people_in_audience(shared, other) == []


def test_signed_at_each_members_library(shared, people, new_madrid, cresco) -> None:
    assert {m.user.username for m in people_in_audience(shared, cresco)} == {"kmiller", "pnguyen"}
    signature = actions.sign_policy(
        actor=people["outsider_staff"],
        policy=shared,
        library=cresco,
        version=shared.versions.get(),
        typed_name="Paul Nguyen",
    )
    assert signature.library == cresco


def test_only_the_command_line_writes_it(people, new_madrid) -> None:
    with pytest.raises(PermissionDenied):
        actions.add_policy(actor=people["director"], consortium=new_madrid.consortium, title="Mine")
    policy = actions.add_policy(actor=None, consortium=new_madrid.consortium, title="Ours")
    with pytest.raises(PermissionDenied):
        actions.add_version(
            actor=people["director"], policy=policy, text="x", effective_on=days_ago(0)
        )


def test_the_command_line_keeps_consortium_policies(
    people, new_madrid, tmp_path, client_as
) -> None:
    from django.core.management import call_command

    text = tmp_path / "shared.md"
    text.write_text("# Shared rules\n\nPatron data stays in the consortium.", encoding="utf-8")
    call_command("policies", "add", "--consortium", "heartland", "--title", "Shared Rules")
    policy = Policy.objects.get(title="Shared Rules")
    assert policy.consortium == new_madrid.consortium
    call_command(
        "policies", "version", str(policy.pk), str(text), "--effective", days_ago(2).isoformat()
    )
    page = client_as("staff").get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "Patron data stays in the consortium." in page and "Sign this policy" in page
