"""API tokens of a person, and the monitoring or firewall services whose alerts become
operations-log entries (LV-3, CC-7, CC-9; docs/api.md).

Secrets are never stored: a token or an alert source keeps the SHA-256 of its secret and a
short public prefix (a token) or key (an alert source) to find it by.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet, User


class Scope(models.TextChoices):
    READ = "read", "Read only"
    WRITE = "write", "Read and write"


class TokenQuerySet(models.QuerySet["ApiToken"]):
    def of(self, user: User) -> TokenQuerySet:
        """A person's own tokens: nobody sees another's."""
        return self.filter(user=user)

    def live(self) -> TokenQuerySet:
        return self.filter(revoked_at__isnull=True, expires_on__gte=timezone.localdate())


class ApiToken(models.Model):
    """A token a person made for another system to act as them, within its scope and its
    libraries, until it expires or is revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="What it is for, such as 'HR roster'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    libraries = models.ManyToManyField(Library, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_on = models.DateField(help_text="It stops working after this day.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token {self.prefix}"

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE


class AlertSource(models.Model):
    """A monitoring or firewall service of a library that sends alerts to
    ``/api/alerts/<key>/`` with its secret as a bearer token."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="The service, such as 'Firewall'.")
    key = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    last_received_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["library__name", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class ReceivedAlert(models.Model):
    """One alert of a source, by the source's own id: the same alert sent again finds this
    row and its entry instead of making another (CC-9)."""

    source = models.ForeignKey(AlertSource, on_delete=models.PROTECT, related_name="alerts")
    alert_id = models.CharField(max_length=200)
    entry = models.ForeignKey(
        "operations.LogEntry", null=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "alert_id"], name="one_entry_per_alert"),
        ]

    def __str__(self) -> str:
        return f"Alert {self.alert_id}"


#: How long a token lives unless its maker chooses, and the longest it may.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365


def default_expiry(today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) + datetime.timedelta(days=DEFAULT_TOKEN_DAYS)


class TokenUser(User):
    """The owner of a token, as the API sees them for one request: their roles in force now
    (read afresh on every request), at the token's libraries only, and never the
    installation role.  Every permission check (``require``, ``for_user``) then answers for
    what both the person and the token allow; every event names the person."""

    class Meta:
        proxy = True

    token_library_ids: frozenset[int] = frozenset()

    def active_memberships(self, on: datetime.date | None = None) -> list[Any]:
        return [m for m in super().active_memberships(on) if m.library_id in self.token_library_ids]

    def forget_roles(self) -> None:
        super().forget_roles()
