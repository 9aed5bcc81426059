"""The installation role: the person who runs the server, granted and revoked from the
command line only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction

from ..models import User
from ..roles import InstallationRole
from .staff import new_account


def _only_the_command_line(actor: User | None) -> None:
    """Nobody in a library, however senior, grants or revokes the installation role: it is
    the console's (whoever may run ``bookwarden`` on the server already runs everything)."""
    if actor is not None:
        raise PermissionDenied(
            "The installation role is granted and revoked from the command line only "
            "(bookwarden setup installation-admin)."
        )


@transaction.atomic
def create_installation_account(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    role: str = InstallationRole.ADMINISTRATOR,
    reason: str = "",
    check_password: bool = True,
) -> User:
    """An account for the person who runs the server, with the installation role and no
    library role (``staff.created``, then ``installation.role_granted``)."""
    _only_the_command_line(actor)
    user = new_account(
        actor=actor,
        library=None,
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        check_password=check_password,
    )
    return grant_installation_role(actor=actor, user=user, role=role, reason=reason)


@transaction.atomic
def grant_installation_role(
    *,
    actor: User | None,
    user: User,
    role: str = InstallationRole.ADMINISTRATOR,
    reason: str = "",
) -> User:
    """Give ``user`` the installation role (from the command line only), recorded as
    ``installation.role_granted``.  The person must then sign in with a second factor."""
    _only_the_command_line(actor)
    if role not in InstallationRole.values:
        raise ValidationError({"role": f"Unknown installation role {role!r}."})
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError("That account is deactivated.")
    if user.installation_role == role:
        raise ValidationError(f"{user.username} already holds that role.")
    before = {"installation_role": user.installation_role or None}
    user.installation_role = role
    user.save(update_fields=["installation_role"])
    record(
        AuditAction.INSTALLATION_ROLE_GRANTED,
        actor=actor,
        target=user,
        subject_user=user,
        purpose=reason.strip() or None,
        before=before,
        after={"installation_role": role},
    )
    return user


@transaction.atomic
def revoke_installation_role(*, actor: User | None, user: User, reason: str = "") -> User:
    """Take the installation role away (from the command line only), at once, recorded as
    ``installation.role_revoked``.  The person's library roles, if any, stay."""
    _only_the_command_line(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.installation_role:
        raise ValidationError(f"{user.username} holds no installation role.")
    before = {"installation_role": user.installation_role}
    user.installation_role = ""
    user.save(update_fields=["installation_role"])
    record(
        AuditAction.INSTALLATION_ROLE_REVOKED,
        actor=actor,
        target=user,
        subject_user=user,
        purpose=reason.strip() or None,
        before=before,
        after={"installation_role": None},
    )
    return user
