"""IT-11, IT-1: a new version marked "staff must sign again" asks everyone in the audience
to sign again; a correction that is not material leaves their signatures standing."""

from __future__ import annotations

from bookwarden.core.obligations import open_duties_for
from bookwarden.policies import actions
from bookwarden.policies.audience import owed_by

from .conftest import days_ago


def _sign_current(person, policy, library):
    version = policy.versions.order_by("-number").first()
    return actions.sign_policy(
        actor=person,
        policy=policy,
        library=library,
        version=version,
        typed_name=person.get_full_name(),
    )


def _owed(person, policy, library):
    return next(o for o in owed_by(person, library) if o.policy.pk == policy.pk)


def test_material_change_asks_again_and_correction_does_not(
    make_policy, people, new_madrid
) -> None:
    staff = people["staff"]
    policy = make_policy(effective_days_ago=5)
    _sign_current(staff, policy, new_madrid)
    assert _owed(staff, policy, new_madrid).done

    actions.add_version(
        actor=None,
        policy=policy,
        text="Corrected spelling.",
        effective_on=days_ago(0),
        needs_signatures=False,
    )
    assert _owed(staff, policy, new_madrid).done, "a correction asks nobody again"
    assert not [d for d in open_duties_for(staff, new_madrid) if d.kind == "policy"]

    v3 = actions.add_version(
        actor=None, policy=policy, text="A new rule.", effective_on=days_ago(0), days_to_sign=14
    )
    item = _owed(staff, policy, new_madrid)
    assert not item.done and item.version.pk == v3.pk
    assert item.due_on == days_ago(-14)
    keys = [d.key for d in open_duties_for(staff, new_madrid)]
    assert f"policies:policy:{policy.pk}:v3" in keys

    _sign_current(staff, policy, new_madrid)
    assert _owed(staff, policy, new_madrid).done


def test_signing_the_correction_satisfies_an_earlier_material_version(
    make_policy, people, new_madrid
) -> None:
    """A person who joined after a correction signs the version in effect, the correction:
    it is later than the material version, so it satisfies it."""
    staff = people["staff"]
    policy = make_policy(effective_days_ago=10)
    actions.add_version(
        actor=None,
        policy=policy,
        text="Corrected.",
        effective_on=days_ago(1),
        needs_signatures=False,
    )
    item = _owed(staff, policy, new_madrid)
    assert item.version.number == 1 and not item.done
    signature = _sign_current(staff, policy, new_madrid)
    assert signature.version.number == 2
    assert _owed(staff, policy, new_madrid).done


def test_a_version_not_yet_in_effect_asks_nothing_yet(
    make_policy, people, new_madrid, time_machine
) -> None:
    staff = people["staff"]
    policy = make_policy(effective_days_ago=3)
    _sign_current(staff, policy, new_madrid)
    actions.add_version(
        actor=None, policy=policy, text="Next year's rules.", effective_on=days_ago(-10)
    )
    assert _owed(staff, policy, new_madrid).done
    time_machine.move_to(days_ago(-10).isoformat() + " 12:00")
    assert not _owed(staff, policy, new_madrid).done
