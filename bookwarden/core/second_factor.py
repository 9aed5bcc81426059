"""Who must sign in with a second factor, and who has one (CC-7)."""

from __future__ import annotations

from typing import Any

from .roles import needs_second_factor


def needs_mfa(user: Any) -> bool:
    """Directors, designees, the technology coordinator, IT staff and human resources, and
    the installation role (it runs the jobs of every library)."""
    return any(needs_second_factor(role) for role in {*user.all_roles(), user.installation_role})


def has_totp(user: Any) -> bool:
    """The person has an authenticator app set up."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
