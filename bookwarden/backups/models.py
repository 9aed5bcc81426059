"""What the backups app keeps (CC-8: evidence that the backups run and can be restored).

Both models belong to the installation, not to a library: a backup holds every library's
records.  The installation role reads them in full; a library's people who see the jobs
read only whether backups run (:mod:`bookwarden.backups.views`).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class BackupOrigin(models.TextChoices):
    JOB = "job", "Nightly job"
    COMMAND = "command", "Command line"


class BackupRecord(models.Model):
    """One backup file made by ``bookwarden backup create`` or the nightly job."""

    file_name = models.CharField(max_length=200)
    folder = models.CharField(max_length=500, help_text="The server's folder: installation only.")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    seconds = models.FloatField(default=0, help_text="How long making it took.")
    origin = models.CharField(max_length=10, choices=BackupOrigin.choices)
    engine = models.CharField(max_length=20)
    audit_seq = models.BigIntegerField(help_text="The audit log's newest event in the backup.")
    stored_files = models.IntegerField(default=0)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deletion_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.file_name


class CheckKind(models.TextChoices):
    VERIFY = "verify", "Check from the command line"
    DRILL = "drill", "Monthly restore drill"


class BackupCheck(models.Model):
    """One ``backup verify`` (or monthly drill): the file restored into a scratch database,
    its audit log checked, its row counts compared with its manifest."""

    backup = models.ForeignKey(
        BackupRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    kind = models.CharField(max_length=10, choices=CheckKind.choices)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(default=0)
    checked_at = models.DateTimeField(default=timezone.now, db_index=True)
    seconds = models.FloatField(default=0)
    ok = models.BooleanField()
    failure = models.TextField(blank=True, help_text="What failed, in one or two sentences.")
    audit_events = models.BigIntegerField(default=0)
    tables = models.IntegerField(default=0)
    stored_files = models.IntegerField(default=0)

    class Meta:
        ordering = ["-checked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name}: {'passed' if self.ok else 'failed'}"
