"""Writes to staff accounts and their roles (CC-1, CC-2, LV-3): each person their own
account, roles granted and revoked by a director, recorded."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import changes, record
from bookwarden.audit.models import AuditAction
from bookwarden.mail.actions import queue_mail

from ..models import Branch, Library, Membership, User
from ..permissions import require
from ..roles import EXPIRING_ROLES, Perm, Role

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
        errors["ends_on"] = "A contractor's access needs an end date."
    if ends_on is not None and ends_on < timezone.localdate():
        errors["ends_on"] = "The end date is in the past."
    if errors:
        raise ValidationError(errors)


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
    user = new_account(
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


def new_account(
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
    if actor is not None and membership.role == Role.DIRECTOR:
        refuse_leaving_no_director(membership.library, leaving=membership.user)
    _revoke(membership, actor=actor, reason=reason)
    return membership


def refuse_leaving_no_director(library: Library, *, leaving: User) -> None:
    """CC-2, CC-5: a person may not take away the last director role in force at a library,
    whoever they are (human resources ending an account, a director at an account review):
    the library would be left with nobody who may grant roles, change its settings or
    decide a request for records.  Another director is assigned first.  The job that ends
    the access of someone whose last day has passed (``actor=None``) is not held back: a
    leaver's access ends on time, and the person who runs the server assigns a director."""
    others = (
        Membership.objects.active()
        .filter(library=library, role=Role.DIRECTOR)
        .exclude(user=leaving)
    )
    if not others.exists():
        name = leaving.get_full_name() or leaving.get_username()
        raise ValidationError(
            f"{name} is the only director of {library.name}. Assign another director first, "
            "so that someone can still manage the library's people, settings and requests "
            "for records."
        )


@transaction.atomic
def end_memberships(
    *, actor: User | None, user: User, library: Library, reason: str
) -> list[Membership]:
    """Revoke every role ``user`` still holds at ``library`` because their access there ends
    (CC-1): a person leaves (recorded by human resources or the director, who hold
    ``MANAGE_DEPARTURES``), or a contractor's end date has passed (the job, ``actor=None``).
    Each role is revoked and recorded as :func:`revoke_role` records it, with ``reason``."""
    require(actor, Perm.MANAGE_DEPARTURES, library)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot end your own access.")
    if (
        actor is not None
        and Membership.objects.active()
        .filter(user=user, library=library, role=Role.DIRECTOR)
        .exists()
    ):
        refuse_leaving_no_director(library, leaving=user)
    memberships = list(
        # Only the roles' rows are locked: PostgreSQL cannot lock the nullable side of the
        # outer join to the branch.
        Membership.objects.select_for_update(of=("self",))
        .filter(user=user, library=library, revoked_at__isnull=True)
        .select_related("library", "branch", "user")
        .order_by("pk")
    )
    for membership in memberships:
        _revoke(membership, actor=actor, reason=reason)
    user.forget_roles()
    return memberships


def _revoke(membership: Membership, *, actor: User | None, reason: str) -> None:
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
