"""IT-1, IT-11: who a policy is for, from each person's active roles: all staff (not the
board member or auditor), IT staff, chosen roles and/or branches (a role for the whole
library counts for every branch); a role revoked takes the policy away."""

from __future__ import annotations

from bookwarden.core import actions as core_actions
from bookwarden.core.models import Membership
from bookwarden.core.roles import Role
from bookwarden.policies.audience import in_audience, people_in_audience
from bookwarden.policies.models import Audience


def _names(policy, library) -> set[str]:
    return {m.user.username for m in people_in_audience(policy, library)}


def test_all_staff_is_everyone_but_the_auditor(make_policy, people, new_madrid) -> None:
    policy = make_policy()
    names = _names(policy, new_madrid)
    assert "hbrooks" not in names
    assert {"mreyes", "bjohnson", "ekim", "ralvarez", "swilliams"} <= names
    assert len(names) == 9
    assert not in_audience(people["auditor"], policy, new_madrid)
    assert not in_audience(people["outsider"], policy, new_madrid)


def test_it_staff(make_policy, new_madrid) -> None:
    policy = make_policy(audience=Audience.IT_STAFF)
    assert _names(policy, new_madrid) == {"tpatel", "swilliams"}


def test_chosen_roles_and_branches(make_policy, people, new_madrid) -> None:
    rhodes = new_madrid.branches.get(slug="rhodes")
    by_role = make_policy(
        "Desk rules", audience=Audience.CHOSEN, audience_roles=[Role.STAFF, Role.VOLUNTEER]
    )
    assert _names(by_role, new_madrid) == {"bjohnson", "ekim"}
    # A branch: those who work there, and those who work for the whole library.
    by_branch = make_policy("Rhodes rules", audience=Audience.CHOSEN, audience_branches=[rhodes])
    names = _names(by_branch, new_madrid)
    assert "ekim" in names and "bjohnson" not in names and "mreyes" in names
    # Both: a chosen role at a chosen branch.
    both = make_policy(
        "Rhodes desk",
        audience=Audience.CHOSEN,
        audience_roles=[Role.STAFF, Role.VOLUNTEER],
        audience_branches=[rhodes],
    )
    assert _names(both, new_madrid) == {"ekim"}


def test_a_revoked_role_takes_the_policy_away(make_policy, people, new_madrid) -> None:
    policy = make_policy(audience=Audience.IT_STAFF)
    membership = Membership.objects.get(user=people["it_staff"], library=new_madrid)
    core_actions.revoke_role(actor=None, membership=membership, reason="left IT")
    assert _names(policy, new_madrid) == {"tpatel"}
