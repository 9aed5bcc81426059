"""IT-11 and the issue's bad input: signing twice, signing a version not current, signing
outside the audience, another library's policy, a name that is not one's own: a clear
message (or 403 / 404) and nothing recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.policies import actions
from bookwarden.policies.models import Audience, Signature

from .conftest import days_ago


def _post(client, policy, version, name="Ben Johnson", **extra):
    data = {"version": version.pk, "typed_name": name, "confirm": "on", **extra}
    return client.post(reverse("policies:sign", args=[policy.pk]), data)


def test_signing_through_the_page_records_what_the_form_asks(
    make_policy, people, new_madrid, client_as
) -> None:
    policy = make_policy()
    version = policy.versions.get()
    head = audit_head()
    response = _post(client_as("staff"), policy, version, name="  ben   JOHNSON ")
    assert response.status_code == 302
    signature = Signature.objects.get(user=people["staff"])
    assert signature.typed_name == "ben   JOHNSON"
    assert signature.branch.slug == "portageville"
    assert signature.fingerprint == version.fingerprint
    assert signature.signed_on == days_ago(0)
    assert len(events_since(head, AuditAction.POLICY_SIGNED)) == 1


def test_signing_twice_is_refused(make_policy, people, new_madrid, client_as) -> None:
    policy = make_policy()
    version = policy.versions.get()
    client = client_as("staff")
    assert _post(client, policy, version).status_code == 302
    response = _post(client, policy, version)
    assert response.status_code == 400
    assert "already signed this version" in response.content.decode()
    assert Signature.objects.filter(user=people["staff"]).count() == 1


def test_a_version_not_current_is_refused(make_policy, people, new_madrid, client_as) -> None:
    policy = make_policy(effective_days_ago=10)
    old = policy.versions.get()
    actions.add_version(actor=None, policy=policy, text="New rules.", effective_on=days_ago(0))
    future = actions.add_version(
        actor=None, policy=policy, text="Later.", effective_on=days_ago(-5)
    )
    client = client_as("staff")
    for version in (old, future):
        response = _post(client, policy, version)
        assert response.status_code == 400
        assert "not current" in response.content.decode()
    assert not Signature.objects.exists()


def test_a_name_not_ones_own_is_refused(make_policy, people, client_as) -> None:
    policy = make_policy()
    response = _post(client_as("staff"), policy, policy.versions.get(), name="Maria Reyes")
    assert response.status_code == 400
    assert "Type your full name as your account has it: Ben Johnson." in response.content.decode()
    assert not Signature.objects.exists()


def test_outside_the_audience_is_refused(make_policy, people, new_madrid, client_as) -> None:
    policy = make_policy(audience=Audience.IT_STAFF)
    version = policy.versions.get()
    assert _post(client_as("staff"), policy, version).status_code == 403
    assert _post(client_as("auditor"), policy, version, name="Helen Brooks").status_code == 403
    with pytest.raises(PermissionDenied):
        actions.sign_policy(
            actor=people["staff"],
            policy=policy,
            library=new_madrid,
            version=version,
            typed_name="Ben Johnson",
        )
    assert not Signature.objects.exists()


def test_another_librarys_policy_is_404(make_policy, people, client_as) -> None:
    policy = make_policy()
    version = policy.versions.get()
    client = client_as("outsider_staff")
    assert _post(client, policy, version, name="Paul Nguyen").status_code == 404
    assert client.get(reverse("policies:detail", args=[policy.pk])).status_code == 404
    assert not Signature.objects.exists()


def test_a_policy_without_signatures_is_not_signed(make_policy, people, new_madrid) -> None:
    policy = make_policy(must_sign=False)
    with pytest.raises(ValidationError, match="does not ask for signatures"):
        actions.sign_policy(
            actor=people["staff"],
            policy=policy,
            library=new_madrid,
            version=policy.versions.get(),
            typed_name="Ben Johnson",
        )


def test_a_person_of_two_branches_is_asked_which(
    make_policy, people, new_madrid, client_as
) -> None:
    from bookwarden.core.actions import assign_role

    rhodes = new_madrid.branches.get(slug="rhodes")
    assign_role(
        actor=None, user=people["staff"], library=new_madrid, role="volunteer", branch=rhodes
    )
    policy = make_policy()
    version = policy.versions.get()
    client = client_as("staff")
    page = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "Your branch" in page
    response = _post(client, policy, version)
    assert response.status_code == 400 and not Signature.objects.exists()
    assert _post(client, policy, version, branch=rhodes.pk).status_code == 302
    assert Signature.objects.get().branch == rhodes
