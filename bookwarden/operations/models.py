"""The security operations log (IT-10, CC-9, IT-7, IT-4): the library's incident reporting
system.  Every entry -- an incident, a policy violation, a change, a backup, an outside
maintenance visit, an interaction that needs follow-up -- is a :class:`LogEntry`.
"""

from __future__ import annotations

from django.conf import settings
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

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "log entries"

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
