"""The security operations log (IT-10, CC-9, IT-7, IT-4): the library's incident reporting
system.  Every entry -- an incident, a policy violation, a change, a backup, an outside
maintenance visit, an interaction that needs follow-up -- is a :class:`LogEntry`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from bookwarden.core.models import Branch, Library, ScopedQuerySet


class EntryKind(models.TextChoices):
    # Security incidents (CC-9)
    INTRUSION = "intrusion", "Security incident: intrusion"
    MALWARE = "malware", "Security incident: malware"
    PHISHING = "phishing", "Security incident: phishing"
    FIREWALL_FAILURE = "firewall_failure", "Security incident: firewall failure"
    DATA_LOSS = "data_loss", "Security incident: data loss or theft"
    INAPPROPRIATE_ACCESS = "inappropriate_access", "Security incident: inappropriate access"
    OUTSIDE_NOTIFICATION = "outside_notification", "Security incident: outside notification"
    # Policy violations (IT-9, LV-12, CC-3, CC-11)
    STAFF_VIOLATION = "staff_violation", "Policy violation by staff"
    PATRON_VIOLATION = "patron_violation", "Policy violation by a patron"
    # Changes and maintenance (IT-10, IT-4)
    SERVER_CHANGE = "server_change", "Server change"
    SOFTWARE_CHANGE = "software_change", "Software configuration change"
    BACKUP = "backup", "Backup"
    FIREWALL_CHANGE = "firewall_change", "Firewall change"
    ROUTER_CHANGE = "router_change", "Router change"
    PATCHING = "patching", "Patching"
    MAINTENANCE = "maintenance", "Maintenance or repair"
    NETWORK_INTERRUPTION = "network_interruption", "Network interruption"
    # Interactions that may need follow-up (IT-10)
    CUSTOMER_FOLLOWUP = "customer_followup", "Customer interaction needing follow-up"
    STAFF_FOLLOWUP = "staff_followup", "Staff interaction needing follow-up"
    # What a staff member reports before anyone has classified it (CC-2).
    CONCERN = "concern", "Reported concern (not yet classified)"


INCIDENT_KINDS = frozenset(
    {
        EntryKind.INTRUSION,
        EntryKind.MALWARE,
        EntryKind.PHISHING,
        EntryKind.FIREWALL_FAILURE,
        EntryKind.DATA_LOSS,
        EntryKind.INAPPROPRIATE_ACCESS,
        EntryKind.OUTSIDE_NOTIFICATION,
    }
)
#: Incidents that compromise integrity: the IT manager or the assistant director for
#: operations is told too (IT-9).
INTEGRITY_KINDS = frozenset(
    {
        EntryKind.DATA_LOSS,
        EntryKind.INAPPROPRIATE_ACCESS,
        EntryKind.OUTSIDE_NOTIFICATION,
        EntryKind.INTRUSION,
    }
)
VIOLATION_KINDS = frozenset({EntryKind.STAFF_VIOLATION, EntryKind.PATRON_VIOLATION})


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class EntryStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    RESOLVED = "resolved", "Resolved, awaiting closure"
    CLOSED = "closed", "Closed"


class LogEntry(models.Model):
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=EntryKind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    status = models.CharField(
        max_length=12, choices=EntryStatus.choices, default=EntryStatus.OPEN, db_index=True
    )
    title = models.CharField(max_length=200)
    narrative = models.TextField(help_text="What happened, in detail.")
    occurred_at = models.DateTimeField(help_text="When it happened.")
    recorded_at = models.DateTimeField(default=timezone.now, help_text="When it was recorded.")
    closed_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    patron_data_involved = models.BooleanField(
        default=False, help_text="Patron information may be involved."
    )
    # --- added by migration 0002 -------------------------------------------------------
    affected_branches = models.ManyToManyField(
        Branch, blank=True, related_name="+", help_text="Branches affected."
    )
    devices = models.TextField(blank=True, help_text="Devices involved, one per line.")
    accounts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", help_text="Staff accounts involved."
    )
    preventive_measures = models.TextField(blank=True, help_text="Recommended preventive measures.")
    outside_party = models.BooleanField(
        default=False, help_text="Someone who is not library IT staff had access."
    )
    outside_party_name = models.CharField(
        max_length=200, blank=True, help_text="Who: name and company."
    )
    outside_access_resolved_at = models.DateTimeField(null=True, blank=True)
    outside_access_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: When those who must hear of an incident were told (CC-9), and when nobody had
    #: acknowledged it in time and it was escalated.
    notified_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    #: The one-time token of the report form this entry came from: the same form sent
    #: twice (a double tap, a resent page) finds this entry instead of making another.
    submission_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "log entries"
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "submission_token"],
                condition=~models.Q(submission_token=""),
                name="ops_entry_one_per_report_form",
            )
        ]
        indexes = [
            # The operations log's page: a library's entries, newest first (issue 16).
            models.Index(fields=["library", "-occurred_at", "-id"], name="ops_entry_log_page"),
            # The same page for a person of several libraries (a consortium's director):
            # the log newest first, filtered by their libraries, stops after the page
            # instead of reading and sorting every entry of those libraries (issue 16).
            models.Index(fields=["-occurred_at", "-id"], name="ops_entry_log_newest"),
            # The home page's "My tasks": the entries not yet closed, oldest first.
            models.Index(
                fields=["library", "recorded_at"],
                condition=~models.Q(status="closed"),
                name="ops_entry_not_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"Log entry #{self.pk}"

    @property
    def is_incident(self) -> bool:
        return self.kind in INCIDENT_KINDS

    @property
    def is_violation(self) -> bool:
        return self.kind in VIOLATION_KINDS

    @property
    def is_closed(self) -> bool:
        return self.status == EntryStatus.CLOSED

    @property
    def is_integrity_incident(self) -> bool:
        return self.kind in INTEGRITY_KINDS

    @property
    def device_list(self) -> list[str]:
        return [line.strip() for line in self.devices.splitlines() if line.strip()]

    @property
    def needs_password_change(self) -> bool:
        """IT-4: someone outside library IT had access and the passwords are not changed yet."""
        return self.outside_party and self.outside_access_resolved_at is None


class EntryScopedQuerySet(ScopedQuerySet):
    """Rows that belong to a log entry: scoped by the entry's library (DESIGN 4)."""

    library_field = "entry__library"


class StepKind(models.TextChoices):
    STEP = "step", "Step taken"
    NOTE = "note", "Note"
    CORRECTION = "correction", "Correction"
    SYSTEM = "system", "Recorded by Bookwarden"


#: What may still be added to a closed entry: it is never edited, only annotated.
AFTER_CLOSE_KINDS = frozenset({StepKind.NOTE, StepKind.CORRECTION})


class TimelineStep(models.Model):
    """One line of an entry's step-by-step account (IT-10): who did what, when."""

    entry = models.ForeignKey(LogEntry, on_delete=models.PROTECT, related_name="steps")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    kind = models.CharField(max_length=12, choices=StepKind.choices, default=StepKind.STEP)

    objects = EntryScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Step #{self.pk} of log entry #{self.entry_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Content-addressed: the same file is stored once; names never come from the upload."""
    return f"operations/{instance.entry.library_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """Evidence attached to an entry, with its SHA-256.  Served only through a view that
    checks the reader's permission, never from a public URL."""

    entry = models.ForeignKey(LogEntry, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = EntryScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"Attachment #{self.pk} of log entry #{self.entry_id}"


class IncidentNotice(models.Model):
    """Who was told of an incident (CC-9, IT-9), and whether by e-mail."""

    entry = models.ForeignKey(LogEntry, on_delete=models.PROTECT, related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    emailed = models.BooleanField(default=False)

    objects = EntryScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="one_notice_per_person"),
        ]

    def __str__(self) -> str:
        return f"Notice of log entry #{self.entry_id} to user #{self.user_id}"


class Acknowledgement(models.Model):
    """Someone who was told of an incident says they have read it (CC-9)."""

    entry = models.ForeignKey(LogEntry, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = EntryScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "user"], name="one_ack_per_person"),
        ]

    def __str__(self) -> str:
        return f"Acknowledgement of log entry #{self.entry_id} by user #{self.user_id}"


#: Default minutes before an unacknowledged incident is escalated (CC-9, IT-7).
DEFAULT_ESCALATION_MINUTES = 60


class OperationsSettings(models.Model):
    """A library's own escalation time and timeliness targets (IT-7).  Without a row, the
    defaults apply (:mod:`bookwarden.operations.timeliness`)."""

    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="operations_settings"
    )
    escalation_minutes = models.PositiveIntegerField(
        default=DEFAULT_ESCALATION_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text="Minutes after which an incident nobody has acknowledged is escalated.",
    )
    #: Overrides of the default targets: {"incident": {"critical": 2}} (days).
    target_days = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "operations settings"

    def __str__(self) -> str:
        return f"Operations settings of library #{self.library_id}"
