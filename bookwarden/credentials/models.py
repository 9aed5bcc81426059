"""Shared logins and their rotation (IT-2, IT-3, IT-4).

A :class:`Credential` is one shared login of a system (a router, a firewall, the ILS
database, a mail admin account): who holds it and where its secret is kept in the library's
password manager.  Bookwarden never keeps the secret itself (IT-3): every text field is
checked by :mod:`.secrets_check`.  It is due for rotation a library's period after its last
change (IT-2, at most 180 days), and at once (``due_now_since``) after an outside party's
access to what it opens (IT-4), a holder's departure, or an incident that names it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet
from bookwarden.devices.models import Device

#: IT-2: every shared password changes at least this often; a library may only shorten it.
MAX_ROTATION_DAYS = 180
#: A rotation due within this many days is "due soon".
DUE_SOON_DAYS = 14


class CredentialKind(models.TextChoices):
    SERVER = "server", "Server"
    ROUTER = "router", "Router"
    FIREWALL = "firewall", "Firewall"
    DATABASE = "database", "Database"
    INTERNET_ACCOUNT = "internet_account", "Internet account"
    OTHER = "other", "Other"


class ManagerKind(models.TextChoices):
    BITWARDEN = "bitwarden", "Bitwarden"
    PASSBOLT = "passbolt", "Passbolt"
    KEEPASS = "keepass", "KeePass"
    ONEPASSWORD = "1password", "1Password"
    OTHER = "other", "Other"


class CredentialQuerySet(ScopedQuerySet):
    def in_use(self) -> CredentialQuerySet:
        return self.filter(retired_at__isnull=True)


class Credential(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    system = models.CharField(max_length=120, help_text="What it opens, e.g. Main router.")
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    account_name = models.CharField(max_length=120, help_text="The login name, e.g. admin.")
    devices = models.ManyToManyField(
        Device, blank=True, related_name="+", help_text="The devices this login opens."
    )
    holders = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="The IT staff who know it.",
    )
    manager_kind = models.CharField(max_length=20, choices=ManagerKind.choices)
    manager_item = models.CharField(
        max_length=200,
        help_text="Where it is kept in the password manager: the folder and item name.",
    )
    last_changed_on = models.DateField()
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: When the last change was recorded: an outside visit recorded later on the same day
    #: still makes it due.
    last_recorded_at = models.DateTimeField(default=timezone.now)
    due_now_since = models.DateTimeField(null=True, blank=True)
    due_reason = models.CharField(max_length=300, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["library__name", "system", "account_name"]

    def __str__(self) -> str:
        return f"{self.system} ({self.account_name})"

    @property
    def is_due_now(self) -> bool:
        return self.due_now_since is not None


class RotationQuerySet(ScopedQuerySet):
    library_field = "credential__library"


class Rotation(models.Model):
    """One change of a credential's secret (IT-2): who did it, when, who recorded it."""

    credential = models.ForeignKey(Credential, on_delete=models.PROTECT, related_name="rotations")
    changed_on = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)

    objects = RotationQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_on", "-recorded_at"]

    def __str__(self) -> str:
        return f"Rotation #{self.pk}"


class CredentialSettings(models.Model):
    """A library's rotation period (IT-2): 180 days, or shorter."""

    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="credential_settings"
    )
    rotation_days = models.PositiveSmallIntegerField(
        default=MAX_ROTATION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_ROTATION_DAYS)],
        help_text="Every shared login changes at least this often (at most 180 days).",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "credential settings"

    def __str__(self) -> str:
        return f"Credential settings of {self.library}"


def rotation_days_of(library: Library) -> int:
    """The library's period, read from ``library.credential_settings`` when loaded."""
    # A missing reverse one-to-one raises an AttributeError: no settings, the default.
    row = getattr(library, "credential_settings", None)
    return MAX_ROTATION_DAYS if row is None else row.rotation_days


def due_on(credential: Credential, days: int | None = None) -> datetime.date:
    """IT-2: the day the next rotation is due; today when it must rotate now."""
    if days is None:
        days = rotation_days_of(credential.library)
    periodic = credential.last_changed_on + datetime.timedelta(days=days)
    if credential.due_now_since is not None:
        return min(periodic, timezone.localdate(credential.due_now_since))
    return periodic


def status_of(credential: Credential, today: datetime.date | None = None) -> str:
    """ "now", "overdue", "soon" or "ok"."""
    today = today or timezone.localdate()
    if credential.due_now_since is not None:
        return "now"
    due = due_on(credential)
    if due < today:
        return "overdue"
    if due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return "ok"
