"""Who has signed what, for human resources (IT-11, IT-1, LV-8): per policy and per branch,
who has signed which version and when, who has not, who is overdue.  A fixed number of
queries for the whole library: its policies, their versions, its people, their signatures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from bookwarden.core.models import Branch, Library

from .audience import (
    Member,
    Owed,
    library_memberships,
    owed,
    people_in_audience,
    policies_at,
    signatures_by_user,
    versions_of,
)
from .models import Policy, PolicyVersion


@dataclass
class PolicyOverview:
    policy: Policy
    version: PolicyVersion | None  # the version people must have signed
    rows: list[Owed] = field(default_factory=list)

    @property
    def signed(self) -> int:
        return sum(1 for r in self.rows if r.done)

    @property
    def open(self) -> int:
        return sum(1 for r in self.rows if not r.done)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue())


def _in_branch(member: Member, branch: Branch | None) -> bool:
    """A person counts for a branch when they work there, or for the whole library."""
    return branch is None or any(b is None or b.pk == branch.pk for b in member.branches)


def library_overview(
    library: Library, branch: Branch | None = None, today: datetime.date | None = None
) -> list[PolicyOverview]:
    """Every policy of ``library`` that staff sign, with each person of its audience (at
    ``branch`` only, when given): five queries."""
    today = today or timezone.localdate()
    policies = [p for p in policies_at(library) if p.must_sign]
    versions = versions_of(policies, today)
    memberships = library_memberships(library)
    signed = signatures_by_user([p.pk for p in policies])
    result = []
    for policy in policies:
        state = versions[policy.pk]
        overview = PolicyOverview(policy, state.to_sign)
        if state.to_sign is not None:
            for member in people_in_audience(policy, library, memberships):
                if not _in_branch(member, branch):
                    continue
                item = owed(state, member, signed.get((policy.pk, member.user.pk), []))
                if item is not None:
                    overview.rows.append(item)
        overview.rows.sort(key=lambda r: (r.done, -r.days_overdue(today), str(r.member.user)))
        result.append(overview)
    return result
