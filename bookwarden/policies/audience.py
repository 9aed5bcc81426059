"""Who a policy is for, and what each person of its audience owes it (IT-1, IT-11, LV-8).

The audience is read from the person's active roles at the library
(``Membership.objects.active()``), so a new role brings its policies at once and a role
given up takes them away:

* all staff: every role but the board member or auditor, who is not staff;
* IT staff: the technology coordinator and IT staff;
* chosen roles and branches: holding one of the roles (when roles are chosen) at one of the
  branches (when branches are chosen).  A role held for the whole library, with no branch,
  counts for every branch: that person works at all of them;
* patrons: nobody signs; the privacy policy is shown on the portal (NM-7).

Which version a person must sign: the latest version in effect marked "staff must sign
again"; a signature of it or of any later version satisfies it, so a correction not marked
so asks nobody again.  Due: the later of that version's effective date and the day the
person joined the audience, plus the version's days to sign.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.roles import Role

from .models import Audience, Policy, PolicyKind, PolicyVersion, Signature

IT_ROLES = frozenset({Role.TECH_COORDINATOR, Role.IT_STAFF})
NOT_STAFF = frozenset({Role.AUDITOR})
_BRANCH_IDS = "_chosen_branch_ids"


def load_chosen_branches(policies: Iterable[Policy]) -> None:
    """Read the chosen branches of the policies that have chosen ones: one query, none
    when no policy chooses its audience."""
    chosen = [p for p in policies if p.audience == Audience.CHOSEN]
    if not chosen:
        return
    through = Policy.audience_branches.through
    found: dict[int, list[int]] = {p.pk: [] for p in chosen}
    for policy_id, branch_id in through.objects.filter(
        policy_id__in=[p.pk for p in chosen]
    ).values_list("policy_id", "branch_id"):
        found[policy_id].append(branch_id)
    for p in chosen:
        setattr(p, _BRANCH_IDS, found[p.pk])


def chosen_branch_ids(policy: Policy) -> list[int]:
    """The policy's chosen branches (read once per policy object)."""
    if not hasattr(policy, _BRANCH_IDS):
        setattr(policy, _BRANCH_IDS, list(policy.audience_branches.values_list("pk", flat=True)))
    return list(getattr(policy, _BRANCH_IDS))


def applies_at(policy: Policy, library: Library) -> bool:
    """A library's own policy, or one of its consortium's (CC-6)."""
    if policy.library_id is not None:
        return policy.library_id == library.pk
    return policy.consortium_id is not None and policy.consortium_id == library.consortium_id


def membership_matches(
    policy: Policy, membership: Membership, branch_ids: Iterable[int] | None = None
) -> bool:
    """Whether one role of a person puts them in ``policy``'s audience.  ``branch_ids``: the
    policy's chosen branches, when the caller has read them already."""
    role = membership.role
    if policy.audience == Audience.ALL_STAFF:
        return role not in NOT_STAFF
    if policy.audience == Audience.IT_STAFF:
        return role in IT_ROLES
    if policy.audience == Audience.CHOSEN:
        roles = set(policy.audience_roles or [])
        branches = set(branch_ids if branch_ids is not None else chosen_branch_ids(policy))
        if not roles and not branches:
            return False
        role_ok = not roles or role in roles
        branch_ok = not branches or membership.branch_id is None or membership.branch_id in branches
        return role_ok and branch_ok
    return False


@dataclass
class Member:
    """One person of a policy's audience at one library: their matching roles."""

    user: User
    memberships: list[Membership] = field(default_factory=list)

    @property
    def joined_on(self) -> datetime.date:
        """The day they joined the audience: their earliest matching role."""
        first = min(m.granted_at for m in self.memberships)
        return timezone.localdate(first)

    @property
    def branches(self) -> list[Branch | None]:
        """The branches they work at (None: the whole library), without repeats."""
        seen: dict[int | None, Branch | None] = {}
        for m in self.memberships:
            seen.setdefault(m.branch_id, m.branch)
        return list(seen.values())

    @property
    def branch(self) -> Branch | None:
        """Their branch, when they work at one only."""
        named = [b for b in self.branches if b is not None]
        return named[0] if len(named) == 1 else None


def _members(
    policy: Policy,
    memberships: Iterable[Membership],
    library: Library,
    user: User | None = None,
) -> dict[int, Member]:
    """The audience among ``memberships`` (all of one ``user``'s, when given)."""
    if not applies_at(policy, library) or policy.audience == Audience.PATRONS:
        return {}
    branch_ids = chosen_branch_ids(policy) if policy.audience == Audience.CHOSEN else []
    found: dict[int, Member] = {}
    for m in memberships:
        if m.library_id == library.pk and membership_matches(policy, m, branch_ids):
            if m.user_id not in found:
                found[m.user_id] = Member(user if user is not None else m.user)
            found[m.user_id].memberships.append(m)
    return found


def library_memberships(library: Library) -> list[Membership]:
    """Every active role at ``library``, with its person and branch: one query."""
    return list(
        Membership.objects.active()
        .filter(library=library)
        .select_related("user", "branch")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )


def people_in_audience(
    policy: Policy, library: Library, memberships: list[Membership] | None = None
) -> list[Member]:
    """The people of ``library`` in ``policy``'s audience (one query, or none when the
    library's memberships are given)."""
    if memberships is None:
        memberships = library_memberships(library)
    return list(_members(policy, memberships, library).values())


def audience_member(user: User, policy: Policy, library: Library) -> Member | None:
    """``user`` as a member of ``policy``'s audience at ``library``, or None.  No query of
    its own: the person's roles are read once per request."""
    return _members(policy, user.active_memberships(), library, user).get(user.pk)


def in_audience(user: User, policy: Policy, library: Library) -> bool:
    return audience_member(user, policy, library) is not None


# --- versions in effect, and what a person owes ----------------------------------------------


@dataclass
class PolicyVersions:
    """A policy's versions, newest first, and which is in effect today."""

    policy: Policy
    versions: list[PolicyVersion]
    today: datetime.date

    @property
    def current(self) -> PolicyVersion | None:
        """The version in effect: the newest whose effective date has come."""
        return next((v for v in self.versions if v.effective_on <= self.today), None)

    @property
    def to_sign(self) -> PolicyVersion | None:
        """The version people must have signed: the newest in effect marked "staff must
        sign again" (None when the policy asks for no signature)."""
        if not self.policy.must_sign or self.policy.kind == PolicyKind.PATRON_PRIVACY:
            return None
        return next(
            (v for v in self.versions if v.effective_on <= self.today and v.needs_signatures),
            None,
        )

    @property
    def upcoming(self) -> list[PolicyVersion]:
        return [v for v in self.versions if v.effective_on > self.today]

    @property
    def earlier(self) -> list[PolicyVersion]:
        current = self.current
        if current is None:
            return []
        return [v for v in self.versions if v.number < current.number]


def versions_of(
    policies: Iterable[Policy], today: datetime.date | None = None
) -> dict[int, PolicyVersions]:
    """Each policy's versions (one query), by policy id."""
    today = today or timezone.localdate()
    policies = list(policies)
    found: dict[int, PolicyVersions] = {p.pk: PolicyVersions(p, [], today) for p in policies}
    if not policies:
        return found
    for version in PolicyVersion.objects.filter(policy__in=[p.pk for p in policies]).order_by(
        "policy_id", "-number"
    ):
        version.policy = found[version.policy_id].policy
        found[version.policy_id].versions.append(version)
    return found


@dataclass(frozen=True)
class Owed:
    """What one person owes one policy: the version to sign, by when, and the signature
    that satisfies it (None while open)."""

    policy: Policy
    version: PolicyVersion
    assigned_on: datetime.date
    due_on: datetime.date
    signature: Signature | None
    member: Member

    @property
    def done(self) -> bool:
        return self.signature is not None

    def overdue(self, today: datetime.date | None = None) -> bool:
        return not self.done and self.due_on < (today or timezone.localdate())

    def days_overdue(self, today: datetime.date | None = None) -> int:
        today = today or timezone.localdate()
        return (today - self.due_on).days if self.overdue(today) else 0


def owed(versions: PolicyVersions, member: Member, signatures: Iterable[Signature]) -> Owed | None:
    """What ``member`` owes the policy, given their signatures of its versions."""
    version = versions.to_sign
    if version is None:
        return None
    satisfying = [s for s in signatures if s.version.number >= version.number]
    assigned = max(version.effective_on, member.joined_on)
    return Owed(
        policy=versions.policy,
        version=version,
        assigned_on=assigned,
        due_on=assigned + datetime.timedelta(days=version.days_to_sign),
        signature=min(satisfying, key=lambda s: s.signed_at) if satisfying else None,
        member=member,
    )


def signatures_by_user(
    policy_ids: Iterable[int], user: User | None = None
) -> dict[tuple[int, int], list[Signature]]:
    """Signatures of these policies' versions (of ``user`` alone, when given), by
    (policy id, user id): one query."""
    qs = Signature.objects.filter(version__policy__in=list(policy_ids)).select_related(
        "version", "branch"
    )
    if user is not None:
        qs = qs.filter(user=user)
    found: dict[tuple[int, int], list[Signature]] = {}
    for signature in qs.order_by("signed_at", "pk"):
        found.setdefault((signature.version.policy_id, signature.user_id), []).append(signature)
    return found


def policies_at(library: Library) -> list[Policy]:
    """The policies in force at ``library`` (its own and its consortium's), with their
    chosen branches: one query, two when a policy chooses its audience."""
    policies = list(
        Policy.objects.of_library(library)
        .filter(retired_at__isnull=True)
        .select_related("library", "consortium")
        .order_by("title", "pk")
    )
    load_chosen_branches(policies)
    return policies


def _signable(library: Library) -> dict[int, PolicyVersions]:
    """The policies of ``library`` that staff sign, with their versions: one query (two
    when a policy chooses its audience by branch)."""
    today = timezone.localdate()
    found: dict[int, PolicyVersions] = {}
    for version in (
        PolicyVersion.objects.filter(
            policy__in=Policy.objects.of_library(library).filter(
                retired_at__isnull=True, must_sign=True
            )
        )
        .select_related("policy")
        .order_by("policy__title", "policy_id", "-number")
    ):
        state = found.setdefault(version.policy_id, PolicyVersions(version.policy, [], today))
        version.policy = state.policy
        state.versions.append(version)
    load_chosen_branches([s.policy for s in found.values()])
    return {pk: state for pk, state in found.items() if state.to_sign is not None}


def owed_by(user: User, library: Library) -> list[Owed]:
    """Everything ``user`` owes the policies of ``library``: two queries (three when a
    policy chooses its audience by branch)."""
    if not any(m.library_id == library.pk for m in user.active_memberships()):
        return []
    found = _signable(library)
    members = {pk: audience_member(user, s.policy, library) for pk, s in found.items()}
    wanted = [pk for pk in found if members[pk] is not None]
    if not wanted:
        return []
    signed = signatures_by_user(wanted, user)
    result = []
    for pk in wanted:
        member = members[pk]
        assert member is not None
        item = owed(found[pk], member, signed.get((pk, user.pk), []))
        if item is not None:
            result.append(item)
    return result


def owed_by_people(users: Sequence[User], library: Library) -> dict[int, list[Owed]]:
    """:func:`owed_by` for many people of ``library`` at once, by user id: four queries
    (five when a policy chooses its audience by branch), whatever their number."""
    result: dict[int, list[Owed]] = {user.pk: [] for user in users}
    found = _signable(library)
    if not found or not users:
        return result
    by_id = {user.pk: user for user in users}
    memberships = list(
        Membership.objects.active()
        .filter(library=library, user__in=list(by_id))
        .select_related("branch")
        .order_by("pk")
    )
    for m in memberships:
        m.user = by_id[m.user_id]
        m.library = library
    signed = signatures_by_user(list(found))
    signed = {k: v for k, v in signed.items() if k[1] in by_id}
    for pk, state in found.items():
        for user_id, member in _members(state.policy, memberships, library).items():
            item = owed(state, member, signed.get((pk, user_id), []))
            if item is not None:
                result[user_id].append(item)
    return result
