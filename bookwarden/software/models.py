"""Software, its licenses and the requests to install or remove it (CC-4, LV-6, LV-10).

A library keeps a catalog of approved software with its license (kind, seats, expiry).
Staff ask to install or remove software on a device, with the reason (LV-6); the
technology coordinator or the director approves or refuses.  An :class:`Installation`
exists only through an approved request (its ``request`` is required), so nothing is
"installed" in the inventory without an approval; a removal approved ends it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet
from bookwarden.devices.models import Device

#: A license expiring within this many days is a task for the technology coordinator.
EXPIRY_NOTICE_DAYS = 30


class LicenseKind(models.TextChoices):
    FREE = "free", "Free or open source"
    PER_SEAT = "per_seat", "Per seat"
    SITE = "site", "Site license"
    SUBSCRIPTION = "subscription", "Subscription"


class Software(models.Model):
    """One piece of approved software in a library's catalog, with its license."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="software")
    name = models.CharField(max_length=200)
    publisher = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=60, blank=True)
    license_kind = models.CharField(max_length=20, choices=LicenseKind.choices)
    seats = models.PositiveIntegerField(
        null=True, blank=True, help_text="For a per-seat license: how many computers it covers."
    )
    license_expires_on = models.DateField(
        null=True, blank=True, help_text="Empty if the license does not expire."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["library__name", "name"]
        verbose_name_plural = "software"
        constraints = [
            models.UniqueConstraint(fields=["library", "name"], name="software_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    @property
    def per_seat(self) -> bool:
        return self.license_kind == LicenseKind.PER_SEAT

    def expired(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.license_expires_on is not None and self.license_expires_on < today

    def expiring(self, today: datetime.date | None = None) -> bool:
        """Expired, or expiring within :data:`EXPIRY_NOTICE_DAYS` days."""
        today = today or timezone.localdate()
        return self.license_expires_on is not None and self.license_expires_on <= (
            today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS)
        )


class RequestKind(models.TextChoices):
    INSTALL = "install", "Install"
    REMOVE = "remove", "Remove"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class SoftwareRequest(models.Model):
    """A person's request to install or remove software on a device, with the reason (LV-6).

    ``software`` is a catalog entry; a request for software not yet in the catalog names it
    in ``new_software_name`` until the approver adds it with its license.  ``self_approved``
    records that the person who decided is the person who asked.
    """

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="software_requests")
    kind = models.CharField(max_length=10, choices=RequestKind.choices)
    software = models.ForeignKey(
        Software, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    new_software_name = models.CharField(max_length=200, blank=True)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="software_requests")
    reason = models.TextField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="software_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    self_approved = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.software_name} on {self.device}"

    @property
    def software_name(self) -> str:
        return str(self.software) if self.software_id else self.new_software_name

    @property
    def pending(self) -> bool:
        return self.status == RequestStatus.PENDING


class InstallationQuerySet(ScopedQuerySet):
    def current(self) -> InstallationQuerySet:
        return self.filter(removed_on__isnull=True)


class Installation(models.Model):
    """Software installed on a device, through the approved request ``request``; ended by
    the approved removal ``removal_request``."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    software = models.ForeignKey(Software, on_delete=models.PROTECT, related_name="installations")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="installations")
    installed_on = models.DateField()
    request = models.ForeignKey(
        SoftwareRequest, on_delete=models.PROTECT, related_name="installations"
    )
    removed_on = models.DateField(null=True, blank=True)
    removal_request = models.ForeignKey(
        SoftwareRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="removals"
    )

    objects = InstallationQuerySet.as_manager()

    class Meta:
        ordering = ["device__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["software", "device"],
                condition=Q(removed_on__isnull=True),
                name="software_installed_once_per_device",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.software} on {self.device}"
