"""Who must sign in with a second factor, and who has one (CC-7)."""

from __future__ import annotations

from typing import Any

from .roles import MFA_REQUIRED_ROLES


def needs_mfa(user: Any) -> bool:
    """Directors, designees, the technology coordinator, IT staff and human resources."""
    return bool(user.all_roles() & MFA_REQUIRED_ROLES)


def has_totp(user: Any) -> bool:
    """The person has an authenticator app set up."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
