"""Every write of sign-in with the library's accounts: the library's trust in its identity
provider's second factor, and the sign-in events of the audit log (CC-7, LV-3)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.actions import log_auth_event
from bookwarden.core.models import Library, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm

from .matching import Refused
from .models import SecondFactorTrust

#: How a person signed in, as the audit events say it.
OPENID_CONNECT = "openid_connect"
DIRECTORY = "ldap"

#: In the session from the directory's yes until the sign-in ends (after the code step).
DIRECTORY_SIGN_IN = "bw_directory_sign_in"


@transaction.atomic
def set_second_factor_trust(
    *, actor: User | None, library: Library, trust_provider_second_factor: bool
) -> SecondFactorTrust:
    """CC-7: the director decides whether a second factor checked by the identity provider
    counts instead of Bookwarden's own code, for the people of this library."""
    require(actor, Perm.MANAGE_SETTINGS, library)
    row, _ = SecondFactorTrust.objects.select_for_update().get_or_create(library=library)
    before = row.trust_provider_second_factor
    row.trust_provider_second_factor = trust_provider_second_factor
    row.changed_by = actor
    row.changed_at = timezone.now()
    row.save()
    record(
        AuditAction.SSO_TRUST_CHANGED,
        actor=actor,
        target=row,
        library=library,
        before={"trust_provider_second_factor": before},
        after={"trust_provider_second_factor": trust_provider_second_factor},
    )
    return row


def record_refusal(refused: Refused, *, method: str, provider: str = "") -> None:
    """A sign-in with an outside identity that matched no account with a role in force.
    The event names the account when one matched, never what the provider said."""
    log_auth_event(
        AuditAction.SSO_REFUSED,
        user=refused.user,
        after={"method": method, "provider": provider, "reason": refused.reason},
    )


def record_sign_in(user: User, *, method: str, provider: str = "", **extra: Any) -> None:
    """A sign-in with the library's accounts (beside the sign-in event every sign-in has):
    which provider or the directory vouched for the person."""
    log_auth_event(
        AuditAction.SSO_SIGNED_IN,
        user=user,
        actor=user,
        after={"method": method, "provider": provider, **extra},
    )


def record_second_factor_trusted(user: User, *, provider: str) -> None:
    """The provider's second factor counted instead of Bookwarden's, by the choice of the
    person's libraries."""
    log_auth_event(
        AuditAction.SSO_SECOND_FACTOR_TRUSTED, user=user, actor=user, after={"provider": provider}
    )
