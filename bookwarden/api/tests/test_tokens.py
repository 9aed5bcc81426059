"""Tokens (LV-3, CC-7): made by a person for themselves, shown once, kept as a hash and found
by a prefix, limited to read or write and to the libraries chosen, until they expire or are
revoked; never more than their owner may do, and dead at once when the owner's access ends."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.actions import revoke_role
from bookwarden.core.models import Membership
from bookwarden.core.tests.helpers import audit_head, events_since, login_through_page, totp_code

from .. import actions
from ..models import ApiToken, Scope
from .conftest import bearer
from .factories import a_token

ENTRIES = reverse("api:entries")


def test_shown_once_kept_only_as_a_hash_found_by_its_prefix(people, new_madrid) -> None:
    """CC-7: the text is returned once; the row holds the prefix and the SHA-256 of the
    secret, never the secret."""
    token, text = a_token(people["director"], libraries=[new_madrid])
    assert text.startswith(f"bw_{token.prefix}_")
    secret = text.split("_", 2)[2]
    assert len(secret) >= 43  # 32 random bytes
    row = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert secret not in str(row)
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert bearer(text).get(ENTRIES).status_code == 200
    # The right prefix with a wrong secret, and a wrong prefix: 401.
    assert bearer(f"bw_{token.prefix}_{'x' * 43}").get(ENTRIES).status_code == 401
    assert bearer(f"bw_00000000_{secret}").get(ENTRIES).status_code == 401


def test_creation_and_revocation_are_audit_events(people, new_madrid, cresco) -> None:
    """LV-3: one event per library the token reaches, the person as actor; the secret is in
    none of them."""
    head = audit_head()
    token, text = a_token(people["outsider"], libraries=[cresco])
    created = events_since(head, AuditAction.API_TOKEN_CREATED)
    assert [(e.actor_id, e.library_id) for e in created] == [(people["outsider"].pk, cresco.pk)]
    assert text.split("_", 2)[2] not in str(created[0].after)
    actions.revoke_token(actor=people["outsider"], token=token)
    revoked = events_since(head, AuditAction.API_TOKEN_REVOKED)
    assert [e.actor_id for e in revoked] == [people["outsider"].pk]


def test_only_libraries_where_the_person_holds_a_role(people, new_madrid, cresco) -> None:
    with pytest.raises(ValidationError) as refused:
        a_token(people["staff"], libraries=[cresco])
    assert "libraries" in refused.value.message_dict
    assert not ApiToken.objects.exists()


def test_expiry_defaults_to_90_days_and_never_past_a_year(people, new_madrid) -> None:
    token, _ = a_token(people["staff"])
    assert token.expires_on == timezone.localdate() + datetime.timedelta(days=90)
    too_far = timezone.localdate() + datetime.timedelta(days=366)
    with pytest.raises(ValidationError):
        a_token(people["staff"], expires_on=too_far)
    with pytest.raises(ValidationError):
        a_token(people["staff"], expires_on=timezone.localdate())


def test_an_expired_token_is_refused(people, new_madrid) -> None:
    _token, text = a_token(people["staff"], expires_on=timezone.localdate() + datetime.timedelta(1))
    client = bearer(text)
    assert (
        client.post(
            reverse("api:concerns", args=["new-madrid"]), {"narrative": "A"}, "application/json"
        ).status_code
        == 201
    )
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        response = client.get(ENTRIES)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_at_once(people, new_madrid) -> None:
    token, text = a_token(people["director"])
    client = bearer(text)
    assert client.get(ENTRIES).status_code == 200
    actions.revoke_token(actor=people["director"], token=token)
    assert client.get(ENTRIES).status_code == 401
    with pytest.raises(ValidationError):
        actions.revoke_token(actor=people["director"], token=token)


def test_only_the_owner_revokes(people) -> None:
    token, _ = a_token(people["staff"])
    with pytest.raises(PermissionDenied):
        actions.revoke_token(actor=people["director"], token=token)


def test_an_ended_account_stops_at_once(people, new_madrid) -> None:
    """LV-3, CC-1: human resources ends a colleague's access now (people's action): their
    token is 401 on the very next request; an account made inactive likewise."""
    from bookwarden.people.actions import record_departure

    _token, text = a_token(people["it_staff"])
    client = bearer(text)
    assert client.get(reverse("api:devices")).status_code == 200
    record_departure(
        actor=people["human_resources"],
        user=people["it_staff"],
        library=new_madrid,
        last_day=timezone.localdate(),
        end_now=True,
    )
    assert client.get(reverse("api:devices")).status_code == 401

    _token, text = a_token(people["tech_coordinator"])
    client = bearer(text)
    assert client.get(reverse("api:devices")).status_code == 200
    people["tech_coordinator"].is_active = False
    people["tech_coordinator"].save(update_fields=["is_active"])
    assert client.get(reverse("api:devices")).status_code == 401


def test_a_token_follows_its_owners_current_roles(people, new_madrid) -> None:
    """CC-2: a role lost is a permission lost through the token, on the next request."""
    director = people["director"]
    membership = Membership.objects.get(user=people["human_resources"], library=new_madrid)
    _token, text = a_token(people["human_resources"])
    client = bearer(text)
    roster = reverse("api:roster", args=["new-madrid"])
    assert client.get(roster).status_code == 200
    # A second role keeps the account alive; the one giving the roster goes.
    from bookwarden.core.actions import assign_role

    assign_role(actor=director, user=people["human_resources"], library=new_madrid, role="staff")
    revoke_role(actor=director, membership=membership)
    assert client.get(roster).status_code == 403


def test_read_scope_cannot_write(people, new_madrid) -> None:
    """CC-7: a read-only token is refused every write with 403, and nothing is written."""
    client = bearer(a_token(people["director"], scope=Scope.READ)[1])
    head = audit_head()
    response = client.post(
        reverse("api:concerns", args=["new-madrid"]), {"narrative": "A"}, "application/json"
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    assert events_since(head) == []
    assert client.get(ENTRIES).status_code == 200


def test_library_scope_gives_404_for_another_library(people, new_madrid, cresco) -> None:
    """A token of one library gets 404 for another's library and objects, even when its
    owner holds a role at both."""
    from bookwarden.core.actions import assign_role

    director = people["director"]
    assign_role(actor=people["outsider"], user=director, library=cresco, role="director")
    director.forget_roles()
    client = bearer(a_token(director, libraries=[cresco])[1])
    assert client.get(reverse("api:roster", args=["new-madrid"])).status_code == 404
    assert client.get(reverse("api:roster", args=["cresco"])).status_code == 200
    from bookwarden.core.tests.helpers import an_operations_entry_of

    entry = an_operations_entry_of(new_madrid)
    assert client.get(reverse("api:entry", args=[entry])).status_code == 404


def test_a_second_factor_is_needed_to_make_a_token_where_the_role_needs_one(
    people, client_as
) -> None:
    """CC-7: the director signed in without their code (a session that skipped it) is
    refused; signed in with password and code, they make one.  Staff need no code."""
    data = {
        "name": "HR roster",
        "scope": "read",
        "libraries": [people["director"].library_ids()[0]],
        "expires_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    }
    url = reverse("api:token_new")
    assert client_as("director").post(url, data).status_code == 403
    assert not ApiToken.objects.exists()

    from django.test import Client

    client = Client()
    login_through_page(client, "mreyes")
    client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:500]
    token = ApiToken.objects.get(user=people["director"])
    page = client.get(response["Location"]).content.decode()
    assert f"bw_{token.prefix}_" in page  # shown once ...
    assert f"bw_{token.prefix}_" not in client.get(response["Location"]).content.decode()

    staff = client_as("staff")
    data["libraries"] = people["staff"].library_ids()
    assert staff.post(url, data).status_code == 302


def test_the_account_page_lists_tokens_and_revokes(people, client_as) -> None:
    token, _ = a_token(people["staff"], name="Shift planner")
    client = client_as("staff")
    page = client.get(reverse("account_security")).content.decode()
    assert "Shift planner" in page and f"bw_{token.prefix}" in page
    response = client.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # Another person's token: 404, untouched.
    other, _ = a_token(people["director"])
    assert client.post(reverse("api:token_revoke", args=[other.pk])).status_code == 404
    assert client.get(reverse("api:token", args=[other.pk])).status_code == 404


def test_the_account_page_lists_tokens_in_two_queries_however_many(people, client_as) -> None:
    """The tokens' part of the account page: its tokens and their libraries, two queries
    (pinned: no query per token)."""
    client = client_as("staff")

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(reverse("account_security")).status_code == 200
        return len(seen.captured_queries)

    without = queries()
    a_token(people["staff"], name="One")
    with_one = queries()
    for n in range(3):
        a_token(people["staff"], name=f"Token {n}")
    assert queries() == with_one == without + 1  # the libraries' query joins


def test_a_token_request_costs_few_queries(people, new_madrid, django_assert_num_queries) -> None:
    """Pinned: the token, its owner, its libraries, the owner's roles, then the page of
    entries and its count."""
    from bookwarden.core.tests.helpers import an_operations_entry_of

    an_operations_entry_of(new_madrid)
    client = bearer(a_token(people["director"])[1])
    client.get(ENTRIES)
    with django_assert_num_queries(6):
        assert client.get(ENTRIES).status_code == 200


def test_every_use_names_the_person(people, new_madrid) -> None:
    """LV-3: a write through a token is recorded with its owner as actor."""
    client = bearer(a_token(people["staff"])[1])
    head = audit_head()
    response = client.post(
        reverse("api:concerns", args=["new-madrid"]),
        {"narrative": "Odd pop-up"},
        "application/json",
    )
    assert response.status_code == 201
    event = AuditEvent.objects.get(seq__gt=head, action=AuditAction.OPS_ENTRY_CREATED)
    assert event.actor_id == people["staff"].pk


def test_the_owner_is_told_two_weeks_before_a_token_stops(people, client_as) -> None:
    """A token that stops working within 14 days is on its owner's "My tasks", nobody
    else's; a revoked one is not."""
    soon = timezone.localdate() + datetime.timedelta(days=10)
    token, _ = a_token(people["staff"], name="Roster feed", expires_on=soon)
    later, _ = a_token(people["staff"], name="Patch feed")
    page = client_as("staff").get(reverse("home")).content.decode()
    assert "Roster feed" in page and "Patch feed" not in page
    assert "Roster feed" not in client_as("director").get(reverse("home")).content.decode()
    actions.revoke_token(actor=people["staff"], token=token)
    assert "Roster feed" not in client_as("staff").get(reverse("home")).content.decode()
    assert later.is_live
