"""The onboarding app's own duty (CC-1, CC-7): a person whose role at a library needs
two-step sign-in owes setting it up, from the day they got that role until they have an
authenticator.  Registered with :mod:`bookwarden.core.obligations`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence

from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library, Membership, User
from bookwarden.core.obligations import Duty, duty_batch, duty_provider
from bookwarden.core.roles import MFA_REQUIRED_ROLES, needs_second_factor

SECOND_FACTOR_KEY = "onboarding:second-factor"
#: Days a person has to set up two-step sign-in after getting a role that needs it.
SECOND_FACTOR_DAYS = 7


def _second_factor_duty(
    library: Library, granted: Iterable[datetime.datetime], set_up: datetime.datetime | None
) -> list[Duty]:
    dates = [timezone.localdate(at) for at in granted]
    if not dates:
        return []
    assigned_on = min(dates)
    return [
        Duty(
            key=SECOND_FACTOR_KEY,
            kind="account",
            title="Set up two-step sign-in",
            library_id=library.pk,
            assigned_on=assigned_on,
            due_on=assigned_on + datetime.timedelta(days=SECOND_FACTOR_DAYS),
            done_on=timezone.localdate(set_up) if set_up else None,
            url=reverse("mfa_activate_totp"),
        )
    ]


@duty_provider
def second_factor(user: User, library: Library) -> list[Duty]:
    """CC-7: "Set up two-step sign-in" while a role here needs it and none is set up."""
    granted = [
        m.granted_at
        for m in user.active_memberships()
        if m.library_id == library.pk and needs_second_factor(m.role)
    ]
    if not granted:
        return []
    totp = (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
        .values_list("created_at", flat=True)
        .first()
    )
    return _second_factor_duty(library, granted, totp)


@duty_batch(second_factor)
def second_factor_of_many(users: Sequence[User], library: Library) -> Mapping[int, list[Duty]]:
    """The same for many people of ``library``, in two queries."""
    ids = [user.pk for user in users]
    granted: dict[int, list[datetime.datetime]] = {}
    for user_id, at in (
        Membership.objects.active()
        .filter(library=library, user_id__in=ids, role__in=MFA_REQUIRED_ROLES)
        .values_list("user_id", "granted_at")
    ):
        granted.setdefault(user_id, []).append(at)
    if not granted:
        return {}
    set_up = dict(
        Authenticator.objects.filter(
            user_id__in=list(granted), type=Authenticator.Type.TOTP
        ).values_list("user_id", "created_at")
    )
    return {
        user_id: _second_factor_duty(library, dates, set_up.get(user_id))
        for user_id, dates in granted.items()
    }
