"""The policy pages run a fixed number of queries however many people, policies and
signatures there are (DESIGN: query counts of the main pages pinned)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bookwarden.core import actions as core_actions
from bookwarden.core.roles import Role
from bookwarden.policies import actions
from bookwarden.policies.models import Policy

# session, user, memberships, TOTP check, the notice (one query; its signatures once per
# session, on this first request), then the page's own; the session row is saved on every
# request.
PAGES = {
    "list": 13,  # the library's policies, chosen branches, versions, my signatures
    "detail": 13,  # the policy, its versions, my signatures, reviews, chosen branches
    "overview": 16,  # policies, branches, versions, people, signatures, the branch filter
}


def _url(name: str, policies: dict[str, Policy]) -> str:
    if name == "detail":
        return reverse("policies:detail", args=[policies["new-madrid:computer_use"].pk])
    if name == "overview":
        return reverse("policies:overview", args=["new-madrid"])
    return reverse("policies:list")


def _more_data(library, policies) -> None:
    computer_use = policies["new-madrid:computer_use"]
    version = computer_use.versions.order_by("-number")[0]
    for n in range(12):
        user = core_actions.create_staff(
            actor=None,
            library=library,
            username=f"extra{n}",
            email=f"extra{n}@example.org",
            password=None,
            role=Role.STAFF,
            first_name="Extra",
            last_name=f"Person{n}",
        ).user
        actions.sign_policy(
            actor=user,
            policy=computer_use,
            library=library,
            version=version,
            typed_name=f"Extra Person{n}",
        )
    for n in range(3):
        policy = actions.add_policy(actor=None, library=library, title=f"More rules {n}")
        actions.add_version(
            actor=None, policy=policy, text="More.", effective_on=version.effective_on
        )


@pytest.mark.parametrize("name", list(PAGES))
def test_query_count_is_pinned(
    name, demo_policies, new_madrid, client_as, django_assert_num_queries
) -> None:
    url = _url(name, demo_policies)
    client = client_as("director")
    with django_assert_num_queries(PAGES[name]):
        assert client.get(url).status_code == 200
    _more_data(new_madrid, demo_policies)
    client = client_as("director")
    with django_assert_num_queries(PAGES[name]):
        assert client.get(url).status_code == 200
