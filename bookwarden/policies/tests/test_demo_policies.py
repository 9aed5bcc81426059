"""The demo's policies (IT-1, IT-11, LV-8, NM-7): built through the actions, most staff
signed, a material version 2 re-signed by some, one person far overdue, and every person
of the demo past the monitoring notice."""

from __future__ import annotations

from bookwarden.core.obligations import duties_for
from bookwarden.policies.notice import _notice_versions
from bookwarden.policies.overview import library_overview


def test_demo_has_signed_overdue_and_far_overdue(demo_policies, people, new_madrid) -> None:
    overview = {o.policy.title: o for o in library_overview(new_madrid)}
    computer = overview["Staff Computer Use Policy"]
    assert computer.version.number == 2
    assert 0 < computer.signed < len(computer.rows)
    assert computer.overdue >= 1
    cyber = overview["Cybersecurity Policy"]
    far = [r for r in cyber.rows if r.days_overdue() >= 60]
    assert [r.member.user.username for r in far] == ["ekim"]
    assert overview["Notice of monitoring"].open == 0


def test_demo_people_have_acknowledged_the_notice(demo_policies, people) -> None:
    from bookwarden.policies.models import Signature

    for key, person in people.items():
        for version in _notice_versions(person):
            assert Signature.objects.filter(user=person, version=version).exists(), key


def test_duties_of_a_person(demo_policies, people, new_madrid) -> None:
    duties = {d.key: d for d in duties_for(people["volunteer"], new_madrid)}
    cyber = demo_policies["new-madrid:cyber"]
    duty = duties[f"policies:policy:{cyber.pk}:v1"]
    assert duty.kind == "policy" and not duty.done and duty.days_overdue() >= 60
    notice = demo_policies["new-madrid:notice"]
    assert duties[f"policies:policy:{notice.pk}:v1"].kind == "notice"
    assert duties[f"policies:policy:{notice.pk}:v1"].done


def test_duties_of_many_people_at_once_are_each_persons(
    demo_policies, people, new_madrid, django_assert_max_num_queries
) -> None:
    """The many-people form gives each person what the one-person form gives them, in a
    fixed number of queries."""
    from bookwarden.policies.duties import policy_duties, policy_duties_of_people

    everyone = list(people.values())
    with django_assert_max_num_queries(5):
        many = policy_duties_of_people(everyone, new_madrid)
    for person in everyone:
        person.forget_roles()
        assert sorted(many[person.pk], key=lambda d: d.key) == sorted(
            policy_duties(person, new_madrid), key=lambda d: d.key
        ), person.username
    assert many[people["volunteer"].pk] and not many[people["outsider"].pk]
