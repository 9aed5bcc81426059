"""What each person owes the policies (IT-1, IT-11, LV-8, CC-4), for the duty registry
(:mod:`bookwarden.core.obligations`): one duty per policy the person must sign or notice they
must acknowledge, at most four queries per person and library."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.urls import reverse

from bookwarden.core.models import Library, User
from bookwarden.core.obligations import Duty, duty_batch, duty_provider

from .audience import Owed, owed_by, owed_by_people
from .models import PolicyKind


def duty_key(item: Owed) -> str:
    """Names the duty for good: the policy and the version to sign."""
    return f"policies:policy:{item.policy.pk}:v{item.version.number}"


def duty_of(item: Owed, library: Library) -> Duty:
    notice = item.policy.kind == PolicyKind.MONITORING_NOTICE
    return Duty(
        key=duty_key(item),
        kind="notice" if notice else "policy",
        title=f"{'Acknowledge' if notice else 'Sign'} the {item.policy.title}",
        library_id=library.pk,
        assigned_on=item.assigned_on,
        due_on=item.due_on,
        done_on=item.signature.signed_on if item.signature else None,
        url=reverse(
            "policies:notice" if notice else "policies:detail",
            args=[] if notice else [item.policy.pk],
        ),
    )


@duty_provider
def policy_duties(user: User, library: Library) -> Iterable[Duty]:
    """One duty per policy of the person's audience that asks for a signature."""
    return [duty_of(item, library) for item in owed_by(user, library)]


@duty_batch(policy_duties)
def policy_duties_of_people(users: Sequence[User], library: Library) -> Mapping[int, list[Duty]]:
    """:func:`policy_duties` of many people at once (four queries whatever their number),
    for the pages and the job that read a whole library (``core.obligations.duty_batch``)."""
    return {
        user_id: [duty_of(item, library) for item in items]
        for user_id, items in owed_by_people(users, library).items()
    }
