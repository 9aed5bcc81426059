"""A role that needs two-step sign-in brings the duty to set it up (CC-1, CC-7), computed
from the roles in force: a new role brings it, an authenticator completes it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookwarden.core.actions import assign_role, create_staff, enroll_totp
from bookwarden.core.demo import DEMO_TOTP_SECRET
from bookwarden.core.obligations import duties_for, duties_for_people
from bookwarden.core.roles import Role
from bookwarden.onboarding.duties import SECOND_FACTOR_DAYS, SECOND_FACTOR_KEY


def _second_factor(user, library):
    return [d for d in duties_for(user, library) if d.key == SECOND_FACTOR_KEY]


@pytest.mark.django_db
def test_a_new_it_account_owes_two_step_sign_in_until_it_has_it(people, new_madrid, today):
    joiner = create_staff(
        actor=people["director"],
        library=new_madrid,
        username="newit",
        email="newit@example.org",
        password=None,
        role=Role.IT_STAFF,
    ).user
    (duty,) = _second_factor(joiner, new_madrid)
    assert duty.title == "Set up two-step sign-in" and duty.kind == "account"
    assert duty.assigned_on == today
    assert duty.due_on == today + datetime.timedelta(days=SECOND_FACTOR_DAYS)
    assert not duty.done and duty.url == "/accounts/2fa/totp/activate/"

    enroll_totp(actor=None, user=joiner, secret=DEMO_TOTP_SECRET)
    (duty,) = _second_factor(joiner, new_madrid)
    assert duty.done_on == today


@pytest.mark.django_db
def test_only_roles_that_need_it_bring_it(people, new_madrid, cresco) -> None:
    assert _second_factor(people["staff"], new_madrid) == []
    assert _second_factor(people["volunteer"], new_madrid) == []
    # The demo's technology coordinator has an authenticator: the duty is done.
    (duty,) = _second_factor(people["tech_coordinator"], new_madrid)
    assert duty.done
    # Nothing at a library where the person holds no such role.
    assert _second_factor(people["tech_coordinator"], cresco) == []


@pytest.mark.django_db
def test_a_role_change_brings_the_duty(people, new_madrid, today) -> None:
    staff = people["staff"]
    assign_role(actor=people["director"], user=staff, library=new_madrid, role=Role.HUMAN_RESOURCES)
    (duty,) = _second_factor(staff, new_madrid)
    assert not duty.done and duty.assigned_on == today


@pytest.mark.django_db
def test_the_many_people_form_gives_the_same(people, new_madrid):
    """Every provider's many-people form gives each person what the one-person form gives,
    in as many queries for five people as for two."""
    users = [people[k] for k in ("director", "staff", "it_staff", "human_resources", "auditor")]
    one_by_one = {u.pk: duties_for(u, new_madrid) for u in users}
    for u in users:
        u.forget_roles()
    with CaptureQueriesContext(connection) as for_five:
        assert duties_for_people(users, new_madrid) == one_by_one
    with CaptureQueriesContext(connection) as for_two:
        duties_for_people(users[:2], new_madrid)
    assert len(for_five) == len(for_two)
