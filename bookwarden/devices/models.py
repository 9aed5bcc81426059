"""Library-owned devices (CC-7), public computers that forget their users (CC-3, CR-6d).

A device belongs to a library and, usually, one branch.  Other apps point at it: a shared
login opens devices (credentials), software is installed on devices (software), the
operations log's patching entries name them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Branch, Library, ScopedQuerySet


class DeviceKind(models.TextChoices):
    STAFF_COMPUTER = "staff_computer", "Staff computer"
    PUBLIC_COMPUTER = "public_computer", "Public computer"
    SERVER = "server", "Server"
    ROUTER = "router", "Router"
    FIREWALL = "firewall", "Firewall"
    PRINTER = "printer", "Printer"
    OTHER = "other", "Other"


class DeviceQuerySet(ScopedQuerySet):
    def in_service(self) -> DeviceQuerySet:
        return self.filter(retired_at__isnull=True)


class Device(models.Model):
    """One library-owned device.

    ``remote_access`` says how it is reached from elsewhere (empty: it is not); CC-7 asks
    that remote access need authentication and a secure connection.  ``reset_mechanism``
    is for public computers: what wipes a user's traces between sessions (a
    restore-on-reboot tool, a kiosk profile).  ``isolated_at``: taken off the network (an
    enforcement case, IT-9), until ``returned_at``.
    """

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="devices")
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="devices"
    )
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    name = models.CharField(max_length=120, help_text="The name on its label, e.g. CIRC-PC-03.")
    operating_system = models.CharField(max_length=120, blank=True)
    antivirus = models.BooleanField(default=False)
    firewall = models.BooleanField(default=False)
    intrusion_detection = models.BooleanField(default=False)
    last_patched_on = models.DateField(null=True, blank=True)
    remote_access = models.CharField(
        max_length=200, blank=True, help_text="How it is reached remotely; empty if it is not."
    )
    remote_access_authenticated = models.BooleanField(default=False)
    remote_access_encrypted = models.BooleanField(default=False)
    reset_mechanism = models.CharField(
        max_length=200,
        blank=True,
        help_text="Public computers: what wipes a user's traces between sessions.",
    )
    notes = models.TextField(blank=True)
    isolated_at = models.DateTimeField(null=True, blank=True)
    isolation_reason = models.CharField(max_length=300, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["library__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "name"],
                condition=Q(retired_at__isnull=True),
                name="device_name_unique_in_library",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.kind == DeviceKind.PUBLIC_COMPUTER

    @property
    def is_isolated(self) -> bool:
        return self.isolated_at is not None
