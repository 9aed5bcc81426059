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
    #: When it was last returned to service: an isolation recorded before this is over.
    returned_at = models.DateTimeField(null=True, blank=True)
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

    @property
    def protection(self) -> str:
        """ "Antivirus, firewall", "No antivirus; firewall": what protects it, in words."""
        parts = [
            ("antivirus", self.antivirus),
            ("firewall", self.firewall),
            ("intrusion detection", self.intrusion_detection),
        ]
        have = [name for name, on in parts if on]
        missing = [name for name, on in parts[:2] if not on]
        text = "; ".join(
            filter(None, [", ".join(have), ("no " + " and no ".join(missing)) if missing else ""])
        )
        return text[:1].upper() + text[1:]

    @property
    def remote_access_problem(self) -> str:
        """CC-7: what is wrong with its remote access, in plain words ("" when nothing)."""
        if not self.remote_access:
            return ""
        missing = []
        if not self.remote_access_authenticated:
            missing.append("without signing in")
        if not self.remote_access_encrypted:
            missing.append("over a connection that is not secure")
        if not missing:
            return ""
        return "Can be reached remotely " + " and ".join(missing) + "."


#: A device whose last patch is older than this many days is overdue, unless the library
#: chose another target.
DEFAULT_PATCH_TARGET_DAYS = 30


class DeviceSettings(models.Model):
    """A library's patching target (CC-7): days after which a device's patch is overdue."""

    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="device_settings"
    )
    patch_target_days = models.PositiveIntegerField(
        default=DEFAULT_PATCH_TARGET_DAYS,
        help_text="A device not patched for longer than this is overdue.",
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "device settings"

    def __str__(self) -> str:
        return f"Device settings of {self.library}"


class PatchRecordQuerySet(ScopedQuerySet):
    library_field = "device__library"


class PatchRecord(models.Model):
    """One patching of one device (CC-7): the day, who recorded it, and the operations log
    entry it came from, if any."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="patches")
    patched_on = models.DateField()
    entry = models.ForeignKey(
        "operations.LogEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="device_patches",
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PatchRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-patched_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "entry"],
                condition=Q(entry__isnull=False),
                name="device_patch_once_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"Patch of {self.device}"


class PublicComputerCheck(models.Model):
    """The weekly check of a branch's public computers (CC-3, CR-6d): after logging out of
    a test session, nothing of it is left.  ``week_of`` is the Monday of the week, in the
    library's time zone.  A failed check opens ``followup`` on the operations log."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    week_of = models.DateField()
    checked_at = models.DateTimeField(default=timezone.now)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_history = models.BooleanField(default=False)
    no_cookies = models.BooleanField(default=False)
    no_files = models.BooleanField(default=False)
    no_sessions = models.BooleanField(default=False)
    passed = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    followup = models.ForeignKey(
        "operations.LogEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"Check of public computers at {self.branch}"
