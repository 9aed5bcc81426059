"""Retention rules and the evidence of each retention run (CR-6a).

A :class:`RetentionRule` row is a library's override of one default from
``retention_defaults.yaml``; a record type without a row follows the default.  Every run of
``bookwarden retention run`` leaves a :class:`RetentionRun` row.  See
:mod:`bookwarden.patrons.retention` and docs/retention.md.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Library

from .record_kinds import RecordKind


class RetentionAction(models.TextChoices):
    UNLINK = "unlink", "Unlink from the patron"
    DELETE = "delete", "Delete"


class RetentionRule(models.Model):
    """A library's own rule for one record type.  There is no "keep forever": ``after`` is
    always a finite duration, checked again before every run."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=32, choices=RecordKind.choices)
    action = models.CharField(max_length=10, choices=RetentionAction.choices)
    after = models.DurationField(help_text="How long after the record's clock starts.")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["library_id", "record_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "record_type"], name="retention_rule_unique"
            ),
            models.CheckConstraint(
                condition=Q(after__gte=datetime.timedelta(0)), name="retention_after_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(action__in=RetentionAction.values), name="retention_action_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_type}: {self.action} after {self.after}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed part-way (rerun to continue)"
    REFUSED = "refused", "Refused before touching anything (bad or missing rule)"
    #: Set by the next run: the process stopped without a word (SIGKILL, a power cut).
    ABANDONED = "abandoned", "Stopped without finishing (found by the next run)"


class RetentionRun(models.Model):
    """Evidence of one run: when, over what, what it did (counts only, never contents).

    ``counts`` and ``details`` are saved in the transaction of each chunk, with the chunk's
    ``retention.chunk`` audit event, so they always equal what the run has committed, even
    when its process is killed."""

    library = models.ForeignKey(
        Library,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the run covered every library.",
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    dry_run = models.BooleanField(default=False)
    chunk_size = models.PositiveIntegerField(default=0)
    #: ``{record_type: rows changed}`` over all libraries of the run, plus side tables.
    counts = models.JSONField(default=dict)
    #: ``{library_slug: {record_type: {"action": ..., "after": ..., "count": n}}}``.
    details = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    abandoned_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="abandoned_runs",
        help_text="The run that found this one stopped without finishing.",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention run #{self.pk} ({self.status})"


class RetentionProof(models.Model):
    """Evidence that no patron link is older than its rule allows (CR-6a, CC-8): one run of
    :func:`bookwarden.patrons.retention_proof.take_proof` (``bookwarden retention prove``, the
    nightly ``retention_proof`` job).  ``findings`` holds, per table, column and library,
    the number of rows past their rule or never reviewed: counts, never contents."""

    library = models.ForeignKey(
        Library,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the proof covered every library.",
    )
    taken_at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField()
    #: ``[{"table", "column", "library", "count", "kind", "link"}]``.
    findings = models.JSONField(default=list)
    #: The links and record types the proof checked.
    checked = models.JSONField(default=list)
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-taken_at", "-pk"]

    def __str__(self) -> str:
        return f"Retention proof #{self.pk} ({'clean' if self.ok else 'findings'})"
