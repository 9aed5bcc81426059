"""Libraries, branches, consortia, staff accounts and their roles (CC-1, CC-2, CC-6, LV-3)."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .roles import InstallationRole, Role, permissions_for
from .when import validate_time_zone

if TYPE_CHECKING:
    from collections.abc import Iterable


class User(AbstractUser):
    """One account per person (LV-3).  Accounts are deactivated, never deleted.

    ``installation_role`` is the role for the whole installation (the person who runs the
    server), empty for everyone else: deny by default.  It is set and cleared only by the
    actions :func:`bookwarden.core.actions.grant_installation_role` and
    :func:`~bookwarden.core.actions.revoke_installation_role`, from the command line, and
    grants nothing inside any library (:mod:`bookwarden.core.roles`).  Kept on the account
    row, which every request reads anyway, so that asking about it costs no query.
    """

    display_name = models.CharField(max_length=150, blank=True)
    installation_role = models.CharField(
        max_length=32,
        choices=InstallationRole.choices,
        blank=True,
        default="",
        help_text="Set from the command line only (bookwarden setup installation-admin).",
    )

    class Meta:
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(installation_role__in=["", *InstallationRole.values]),
                name="user_installation_role_known",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def active_memberships(self, on: datetime.date | None = None) -> list[Membership]:
        """The person's roles in force today (or on ``on``), with library and branch.

        Read once per user object, which lives for one request; call
        :meth:`forget_roles` after changing this person's roles in the same request.
        """
        if on is not None:
            return list(self._membership_query(on))
        cached: list[Membership] | None = getattr(self, "_memberships_cache", None)
        if cached is None:
            cached = list(self._membership_query(None))
            self._memberships_cache = cached
        return cached

    def _membership_query(self, on: datetime.date | None) -> models.QuerySet[Membership]:
        return Membership.objects.active(on).filter(user=self).select_related("library", "branch")

    def forget_roles(self) -> None:
        self.__dict__.pop("_memberships_cache", None)

    def library_ids(self, perm: str | None = None, *, role: str | None = None) -> list[int]:
        """Ids of the libraries this person holds an active role in (with ``perm``, only
        those where one of their roles grants it; with ``role``, where they hold that role)."""
        return sorted(
            {
                m.library_id
                for m in self.active_memberships()
                if (perm is None or perm in permissions_for(m.role))
                and (role is None or m.role == role)
            }
        )

    def roles_in(self, library: Library | int) -> set[str]:
        library_id = library if isinstance(library, int) else library.pk
        return {m.role for m in self.active_memberships() if m.library_id == library_id}

    def all_roles(self) -> set[str]:
        return {m.role for m in self.active_memberships()}


class Consortium(models.Model):
    """Several member libraries on one install, with shared rules on PII (CC-6)."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name_plural = "consortia"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _library_ids_of(user: Any, perm: str | None, role: str | None) -> list[int] | None:
    """The libraries ``user`` may see (with ``perm``: where they hold it; with ``role``:
    where they hold that role); None for nobody."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return list(user.library_ids(perm, role=role))


class LibraryQuerySet(models.QuerySet["Library"]):
    def for_user(
        self, user: Any, perm: str | None = None, *, role: str | None = None
    ) -> LibraryQuerySet:
        """The libraries where ``user`` holds a role (with ``perm``: a role granting it)."""
        ids = _library_ids_of(user, perm, role)
        return self.none() if ids is None else self.filter(pk__in=ids)


jurisdiction_validator = RegexValidator(
    r"^[A-Z]{2}-[A-Z]{2}$", "Use a code like US-MO (country, then state)."
)


def default_time_zone() -> str:
    """A new library's time zone: the installation's (settings.TIME_ZONE)."""
    return settings.TIME_ZONE


class Library(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    consortium = models.ForeignKey(
        Consortium, null=True, blank=True, on_delete=models.PROTECT, related_name="libraries"
    )
    jurisdiction = models.CharField(
        max_length=5,
        validators=[jurisdiction_validator],
        help_text="The state whose library-records law applies, e.g. US-MO.",
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="Minutes of inactivity before a session locks.",
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="The library's time zone, an IANA name such as America/Chicago: pages, "
        "mail and letters about the library show times in it.",
    )

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "libraries"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction_name(self) -> str:
        """The state whose law applies, as people say it ("Missouri")."""
        from .jurisdictions import jurisdiction_name

        return jurisdiction_name(self.jurisdiction)

    @property
    def library_id(self) -> int:
        return self.pk


class ScopedQuerySet(models.QuerySet):
    """Base for every model that belongs to a library: the one scoping method (DESIGN 4).

    ``Model.objects.for_user(user)`` is what the person may know exists (their libraries);
    ``for_user(user, perm)`` narrows it to the libraries where they hold ``perm``, and
    ``for_user(user, role=...)`` to those where they hold a role (for a duty a policy gives
    to one role, such as the director's view of incident acknowledgements).  A model
    reached through another (a notice of a log entry) names the path in ``library_field``.
    Never filter ``library_id__in=...`` by hand.
    """

    library_field = "library"

    def for_user(
        self, user: Any, perm: str | None = None, *, role: str | None = None
    ) -> ScopedQuerySet:
        ids = _library_ids_of(user, perm, role)
        if ids is None:
            return self.none()
        return self.filter(**{f"{self.library_field}__in": ids})


class Branch(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="branches")
    name = models.CharField(max_length=200)
    slug = models.SlugField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "branches"
        ordering = ["library__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["library", "slug"], name="branch_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(ScopedQuerySet):
    def active(self, on: datetime.date | None = None) -> MembershipQuerySet:
        """Memberships in force: not revoked, not expired, account active (CC-1)."""
        today = on or timezone.localdate()
        return self.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
            revoked_at__isnull=True,
            user__is_active=True,
        )


class Membership(models.Model):
    """A person's role at a library, or at one branch of it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="memberships")
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    ends_on = models.DateField(
        null=True, blank=True, help_text="Access ends after this day. Required for contractors."
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["library__name", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "library", "role"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_membership_per_role",
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.CONTRACTOR) | Q(ends_on__isnull=False),
                name="contractor_needs_end_date",
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.library}" + (f" / {self.branch}" if self.branch_id else "")
        return f"{self.user} as {self.get_role_display()} at {where}"

    @property
    def is_active(self) -> bool:
        return (
            self.revoked_at is None
            and self.user.is_active
            and (self.ends_on is None or self.ends_on >= timezone.localdate())
        )


def libraries_of(memberships: Iterable[Membership]) -> list[Library]:
    seen: dict[int, Library] = {}
    for m in memberships:
        seen.setdefault(m.library_id, m.library)
    return sorted(seen.values(), key=lambda lib: lib.name)
