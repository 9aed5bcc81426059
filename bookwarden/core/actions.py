"""Every write to libraries, staff and roles (DESIGN mechanism 1; CC-1, CC-2, LV-3).

Each action runs in one transaction, takes the acting person as ``actor=`` (``None`` for the
command line acting as the installation), checks what they may do, and records its audit
event in the same transaction.  Views, commands and the demo call these, never ``.save()``.
"""

from __future__ import annotations

import datetime
from typing import Any

from axes.utils import reset
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction
from bookwarden.mail.actions import queue_mail

from .lockout import Lock, account_lock
from .models import Branch, Consortium, Library, Membership, User
from .permissions import require
from .roles import EXPIRING_ROLES, InstallationRole, Perm, Role

_MEMBERSHIP_FIELDS = ["user", "library", "branch", "role", "ends_on"]


def _check_membership(
    library: Library, role: str, branch: Branch | None, ends_on: datetime.date | None
) -> None:
    errors: dict[str, str] = {}
    if role not in Role.values:
        errors["role"] = f"Unknown role {role!r}."
    if branch is not None and branch.library_id != library.pk:
        errors["branch"] = "That branch belongs to another library."
    if role in EXPIRING_ROLES and ends_on is None:
        errors["ends_on"] = "A contractor's access needs an end date (CC-1)."
    if ends_on is not None and ends_on < timezone.localdate():
        errors["ends_on"] = "The end date is in the past."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_consortium(*, actor: User | None, name: str, slug: str) -> Consortium:
    consortium = Consortium(name=name, slug=slug)
    consortium.full_clean()
    consortium.save()
    record(
        AuditAction.CONSORTIUM_CREATED,
        actor=actor,
        target=consortium,
        after={"name": name, "slug": slug},
    )
    return consortium


@transaction.atomic
def create_library(
    *,
    actor: User | None,
    name: str,
    slug: str,
    jurisdiction: str,
    consortium: Consortium | None = None,
    idle_timeout_minutes: int = 15,
) -> Library:
    if actor is not None:
        raise ValidationError("Libraries are created from the command line by the installer.")
    library = Library(
        name=name,
        slug=slug,
        jurisdiction=jurisdiction,
        consortium=consortium,
        idle_timeout_minutes=idle_timeout_minutes,
    )
    library.full_clean()
    library.save()
    record(
        AuditAction.LIBRARY_CREATED,
        actor=actor,
        target=library,
        library=library,
        after=changes(
            library, ["name", "slug", "jurisdiction", "consortium", "idle_timeout_minutes"]
        ),
    )
    return library


@transaction.atomic
def create_branch(*, actor: User | None, library: Library, name: str, slug: str) -> Branch:
    require(actor, Perm.MANAGE_SETTINGS, library)
    branch = Branch(library=library, name=name, slug=slug)
    branch.full_clean()
    branch.save()
    record(
        AuditAction.BRANCH_CREATED,
        actor=actor,
        target=branch,
        library=library,
        after={"name": name, "slug": slug},
    )
    return branch


@transaction.atomic
def update_library_settings(
    *, actor: User | None, library: Library, idle_timeout_minutes: int
) -> Library:
    require(actor, Perm.MANAGE_SETTINGS, library)
    library = Library.objects.select_for_update().get(pk=library.pk)
    before = changes(library, ["idle_timeout_minutes"])
    library.idle_timeout_minutes = idle_timeout_minutes
    library.full_clean()
    library.save(update_fields=["idle_timeout_minutes"])
    record(
        AuditAction.LIBRARY_SETTINGS_CHANGED,
        actor=actor,
        target=library,
        library=library,
        before=before,
        after=changes(library, ["idle_timeout_minutes"]),
    )
    return library


@transaction.atomic
def create_staff(
    *,
    actor: User | None,
    library: Library,
    username: str,
    email: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    branch: Branch | None = None,
    ends_on: datetime.date | None = None,
    check_password: bool = True,
    mail_set_password: bool = False,
) -> Membership:
    """Create a person's own account (LV-3) with their first role at ``library``.

    Without a password the account cannot log in until the person sets one.  With
    ``mail_set_password`` (from a page: the link names the server the request came to) they
    are mailed a link to set it, through the outbox, so that the mail waits while the mail
    server is down and exists only if the account does.
    """
    require(actor, Perm.MANAGE_ROLES, library)
    _check_membership(library, role, branch, ends_on)
    user = _new_account(
        actor=actor,
        library=library,
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        check_password=check_password,
    )
    membership = assign_role(
        actor=actor, user=user, library=library, role=role, branch=branch, ends_on=ends_on
    )
    if mail_set_password and not password:
        _queue_set_password_mail(user, library=library, actor=actor)
    return membership


def _new_account(
    *,
    actor: User | None,
    library: Library | None,
    username: str,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    check_password: bool,
) -> User:
    """A person's own account (LV-3), with no role yet, recorded as ``staff.created``."""
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.full_clean(exclude=["password"])
    if password:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    record(
        AuditAction.STAFF_CREATED,
        actor=actor,
        target=user,
        library=library,
        subject_user=user,
        after={"username": username, "email": email},
    )
    return user


def _queue_set_password_mail(user: User, *, library: Library, actor: User | None) -> None:
    """The new person's link to set their own password (allauth's password-reset link).

    The link is a secret: it is in the mail only, never in an audit event or a log (the
    outbox page shows no bodies).  It works until the password is set, for
    ``PASSWORD_RESET_TIMEOUT``."""
    from allauth.account import app_settings as account_settings
    from allauth.account.adapter import get_adapter
    from allauth.account.utils import user_pk_to_url_str

    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    adapter = get_adapter()
    link = adapter.get_reset_password_from_key_url(f"{user_pk_to_url_str(user)}-{token}")
    message = adapter.render_mail(
        "account/email/set_password",
        user.email,
        {
            "user": user,
            "library": library,
            "link": link,
            "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        },
    )
    queue_mail(
        to=message.to,
        subject=message.subject,
        body=message.body,
        reason="staff.set_password",
        library=library,
        about=user,
        actor=actor,
    )


@transaction.atomic
def assign_role(
    *,
    actor: User | None,
    user: User,
    library: Library,
    role: str,
    branch: Branch | None = None,
    ends_on: datetime.date | None = None,
) -> Membership:
    require(actor, Perm.MANAGE_ROLES, library)
    _check_membership(library, role, branch, ends_on)
    if Membership.objects.filter(
        user=user, library=library, role=role, revoked_at__isnull=True
    ).exists():
        raise ValidationError({"role": "This person already holds that role here."})
    membership = Membership.objects.create(
        user=user, library=library, branch=branch, role=role, ends_on=ends_on, granted_by=actor
    )
    user.forget_roles()
    record(
        AuditAction.ROLE_ASSIGNED,
        actor=actor,
        target=membership,
        library=library,
        subject_user=user,
        after=changes(membership, _MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def change_membership(
    *,
    actor: User | None,
    membership: Membership,
    branch: Branch | None,
    ends_on: datetime.date | None,
) -> Membership:
    require(actor, Perm.MANAGE_ROLES, membership.library)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        raise ValidationError("This role was revoked; assign a new one instead.")
    _check_membership(membership.library, membership.role, branch, ends_on)
    before = changes(membership, ["branch", "ends_on"])
    membership.branch = branch
    membership.ends_on = ends_on
    membership.save(update_fields=["branch", "ends_on"])
    after = changes(membership, ["branch", "ends_on"])
    if before != after:
        record(
            AuditAction.ROLE_CHANGED,
            actor=actor,
            target=membership,
            library=membership.library,
            subject_user=membership.user,
            before=before,
            after=after,
        )
    return membership


@transaction.atomic
def revoke_role(*, actor: User | None, membership: Membership, reason: str = "") -> Membership:
    require(actor, Perm.MANAGE_ROLES, membership.library)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.revoked_at is not None:
        return membership
    if actor is not None and membership.user_id == actor.pk and membership.role == Role.DIRECTOR:
        raise ValidationError("A director cannot revoke their own director role.")
    membership.revoked_at = timezone.now()
    membership.revoked_by = actor
    membership.save(update_fields=["revoked_at", "revoked_by"])
    record(
        AuditAction.ROLE_REVOKED,
        actor=actor,
        target=membership,
        library=membership.library,
        subject_user=membership.user,
        purpose=reason or None,
        before=changes(membership, _MEMBERSHIP_FIELDS),
    )
    return membership


@transaction.atomic
def unlock_sign_in(*, actor: User | None, user: User, library: Library) -> Lock:
    """A director lifts the lockout of a person of their library after repeated failed
    sign-ins (LV-3), before it lifts by itself, for example once the person has called and
    said who they are.  Returns the lock that was lifted."""
    require(actor, Perm.MANAGE_ROLES, library)
    user = User.objects.select_for_update().get(pk=user.pk)  # one unlock at a time
    if not Membership.objects.active().filter(user=user, library=library).exists():
        raise ValidationError("That person holds no role at this library.")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("Another director can unlock your sign-in, or wait until it lifts.")
    lock = account_lock(user)
    if lock is None:
        raise ValidationError(f"Sign-in of {user} is not locked.")
    reset(username=user.username)
    record(
        AuditAction.SIGN_IN_UNLOCKED,
        actor=actor,
        target=user,
        library=library,
        subject_user=user,
        before={"locked_until": lock.until.isoformat()},
    )
    return lock


# --- The installation role: the person who runs the server ---------------------------------


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
    user = _new_account(
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


def log_auth_event(
    action: AuditAction, *, user: Any = None, actor: Any = None, **extra: Any
) -> None:
    """Account events (login, failure, lockout, MFA) have no library of their own."""
    with transaction.atomic():
        record(
            action,
            actor=actor,
            target=user if user is not None and user.pk else None,
            subject_user=user if user is not None and user.pk else None,
            **extra,
        )


@transaction.atomic
def enroll_totp(*, actor: User | None, user: User, secret: str) -> None:
    """Give ``user`` a TOTP authenticator with a known secret and recovery codes.

    Only the demo and the command line use this; people enrol themselves from the
    two-factor pages, which django-allauth serves and the audit receivers record.
    """
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    totp = TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    for authenticator in (totp.instance, codes.instance):
        record(
            AuditAction.MFA_ADDED,
            actor=actor,
            target=user,
            subject_user=user,
            after={"type": authenticator.type, "authenticator": authenticator.pk},
        )


@transaction.atomic
def reset_second_factor(*, actor: User | None, user: User, library: Library, reason: str) -> int:
    """A director removes a person's authenticator app and recovery codes, for example after
    a lost phone.  The person must enrol again at their next sign-in if their role needs it.
    Returns how many authenticators were removed."""
    from allauth.mfa.models import Authenticator

    require(actor, Perm.MANAGE_ROLES, library)
    if not Membership.objects.filter(user=user, library=library).exists():
        raise ValidationError("That person holds no role at this library.")
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("Change your own two-factor login from your account page.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, for example: phone lost."})
    authenticators = list(Authenticator.objects.select_for_update().filter(user=user))
    if not authenticators:
        raise ValidationError("This person has no two-factor login to reset.")
    for authenticator in authenticators:
        record(
            AuditAction.MFA_REMOVED,
            actor=actor,
            target=user,
            library=library,
            subject_user=user,
            purpose=reason,
            before={"type": authenticator.type, "authenticator": authenticator.pk},
        )
    Authenticator.objects.filter(pk__in=[a.pk for a in authenticators]).delete()
    return len(authenticators)
