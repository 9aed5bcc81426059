"""The policy library of the demo (IT-1, IT-11, LV-8, CC-4, CC-11, CC-12, NM-7), at New
Madrid and at Cresco: the five policies (texts in ``data/``), the monitoring notice, and the
patrons' privacy policy with an earlier and a current version.

Most staff have signed; the Staff Computer Use Policy has a material version 2 that some
have signed again and some are overdue on; Emma Kim (volunteer) is far overdue on the
Cybersecurity Policy; the IT Staff Security Policy waits for Sam Williams.  Everyone has
acknowledged the monitoring notice, so signing in goes straight on.  The Public Records
policy's yearly review has passed, for the director's "My tasks".

Built through the actions; the demo then dates the signatures and the people's roles back
(they have worked at the library for years), which no action does.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.roles import Role

from . import actions
from .audience import audience_member
from .models import Audience, Policy, PolicyKind, PolicyVersion, Signature

DATA = Path(__file__).resolve().parent / "data"


def text_of(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _sign(
    person: User, policy: Policy, library: Library, version: PolicyVersion, day: datetime.date
) -> None:
    if audience_member(person, policy, library) is None:
        return
    person.forget_roles()
    signature = actions.sign_policy(
        actor=person,
        policy=policy,
        library=library,
        version=version,
        typed_name=person.get_full_name(),
    )
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    Signature.objects.filter(pk=signature.pk).update(signed_on=day, signed_at=at)


def build_library_policies(
    library: Library, people: list[User], *, late: set[str], far: set[str]
) -> dict[str, Policy]:
    """The library's policies; ``late``: usernames who have not signed version 2 of the
    computer use policy, ``far``: who never signed the cybersecurity policy."""
    today = timezone.localdate()
    ago = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
    board = "Board of Trustees"

    notice = actions.add_policy(
        actor=None, library=library, title="Notice of monitoring", kind=PolicyKind.MONITORING_NOTICE
    )
    notice_v1 = actions.add_version(
        actor=None,
        policy=notice,
        text=text_of("monitoring-notice.md"),
        approved_by=board,
        adopted_on=ago(410),
        effective_on=ago(400),
        days_to_sign=7,
    )
    computer_use = actions.add_policy(
        actor=None, library=library, title="Staff Computer Use Policy"
    )
    computer_v1 = actions.add_version(
        actor=None,
        policy=computer_use,
        text=text_of("staff-computer-use-policy.md"),
        approved_by=board,
        adopted_on=ago(410),
        effective_on=ago(400),
    )
    cyber = actions.add_policy(actor=None, library=library, title="Cybersecurity Policy")
    cyber_v1 = actions.add_version(
        actor=None,
        policy=cyber,
        text=text_of("cybersecurity-policy.md"),
        approved_by=board,
        adopted_on=ago(130),
        effective_on=ago(120),
    )
    it_policy = actions.add_policy(
        actor=None, library=library, title="IT Staff Security Policy", audience=Audience.IT_STAFF
    )
    it_v1 = actions.add_version(
        actor=None,
        policy=it_policy,
        text=text_of("it-staff-security-policy.md"),
        approved_by=board,
        adopted_on=ago(60),
        effective_on=ago(50),
    )
    records = actions.add_policy(
        actor=None,
        library=library,
        title="Public Records and Confidentiality",
        audience=Audience.CHOSEN,
        audience_roles=[Role.DIRECTOR, Role.DESIGNEE, Role.ASSISTANT_DIRECTOR, Role.STAFF],
    )
    records_v1 = actions.add_version(
        actor=None,
        policy=records,
        text=text_of("public-records-and-confidentiality.md"),
        approved_by=board,
        adopted_on=ago(400),
        effective_on=ago(390),
    )
    for person in people:
        _sign(
            person, notice, library, notice_v1, ago(395) if person.username not in far else ago(90)
        )
        _sign(person, computer_use, library, computer_v1, ago(380))
        if person.username not in far:
            _sign(person, cyber, library, cyber_v1, ago(100))
        if person.username not in late:
            _sign(person, it_policy, library, it_v1, ago(40))
        _sign(person, records, library, records_v1, ago(370))
    # A material change: everyone signs again; some have, some are overdue.
    computer_v2 = actions.add_version(
        actor=None,
        policy=computer_use,
        text=text_of("staff-computer-use-policy.md")
        + "\n\n## Personal devices\n\nPersonal phones and laptops connect to the public "
        "Wi-Fi only, never to the staff network.\n",
        approved_by=board,
        adopted_on=ago(50),
        effective_on=ago(45),
        summary="Personal devices stay off the staff network.",
    )
    for person in people:
        if person.username not in late:
            _sign(person, computer_use, library, computer_v2, ago(30))
    # A correction: nobody signs again.
    actions.add_version(
        actor=None,
        policy=cyber,
        text=text_of("cybersecurity-policy.md")
        + "\n\nQuestions about this policy go to the technology coordinator.\n",
        approved_by="Library director",
        effective_on=ago(10),
        needs_signatures=False,
        summary="Names whom to ask about the policy.",
    )
    actions.record_review(actor=None, policy=notice, note="Read again; nothing to change.")
    return {
        "notice": notice,
        "computer_use": computer_use,
        "cyber": cyber,
        "it": it_policy,
        "records": records,
    }


def build_privacy_policy(library: Library) -> Policy:
    """NM-7, CR-6b: the patrons' privacy policy, an earlier version and the current one."""
    today = timezone.localdate()
    text = text_of("privacy-policy.md")
    policy = actions.add_policy(
        actor=None, library=library, title="Privacy Policy", kind=PolicyKind.PATRON_PRIVACY
    )
    actions.add_version(
        actor=None,
        policy=policy,
        text=text.split("2. Third-Party")[0].strip(),
        approved_by="Board of Trustees",
        adopted_on=today - datetime.timedelta(days=720),
        effective_on=today - datetime.timedelta(days=700),
    )
    actions.add_version(
        actor=None,
        policy=policy,
        text=text,
        approved_by="Board of Trustees",
        adopted_on=today - datetime.timedelta(days=40),
        effective_on=today - datetime.timedelta(days=30),
        summary="Names the third parties that handle patron information.",
    )
    return policy


def _date_roles_back(people: list[User]) -> None:
    """The demo's people have worked at their library for years."""
    years_ago = timezone.now() - datetime.timedelta(days=3 * 365)
    Membership.objects.filter(user__in=people, revoked_at__isnull=True).update(granted_at=years_ago)
    for person in people:
        person.forget_roles()


def build_policy_demo(people: dict[str, User]) -> dict[str, Policy]:
    staff = [u for u in people.values() if u.memberships.exists()]
    _date_roles_back(staff)
    built: dict[str, Policy] = {}
    for slug, late, far in (
        ("new-madrid", {"bjohnson", "lchen", "swilliams"}, {"ekim"}),
        ("cresco", {"pnguyen"}, set()),
    ):
        library = Library.objects.get(slug=slug)
        members = [u for u in staff if u.memberships.filter(library=library).exists()]
        made = build_library_policies(library, members, late=late, far=far)
        built.update({f"{slug}:{k}": v for k, v in made.items()})
        built[f"{slug}:privacy"] = build_privacy_policy(library)
    built["consortium"] = build_consortium_policy()
    return built


def build_consortium_policy() -> Policy:
    """CC-6: the consortium's shared rules on patron information, which every member library
    follows beside its own; read by all, signed by none (each library's own policies are)."""
    library = Library.objects.select_related("consortium").get(slug="new-madrid")
    today = timezone.localdate()
    policy = actions.add_policy(
        actor=None,
        consortium=library.consortium,
        title="Shared Rules on Patron Information",
        must_sign=False,
    )
    actions.add_version(
        actor=None,
        policy=policy,
        text=CONSORTIUM_RULES,
        approved_by="The consortium's member directors",
        adopted_on=today - datetime.timedelta(days=400),
        effective_on=today - datetime.timedelta(days=380),
        needs_signatures=False,
    )
    return policy


CONSORTIUM_RULES = """\
The member libraries share one installation and one catalog. Each follows these rules beside
its own policies and its state's law on library records.

- A member library's staff see only that library's patrons and records.
- Patron information is never used for marketing and never sold.
- A request for another member's records is sent to that library's director.
- A breach that touches more than one member is reported to every director concerned.
"""


@demo_part(order=60)
def _policies_part(world: DemoWorld) -> None:
    build_policy_demo(world.people)
