"""What the compliance controls keep (CC-8): a daily snapshot of each control's status per
library (the history of 12 months), the controls a library marked not applicable, the
library's own controls (the same YAML as the built-in catalog) and the answers a person gives
to the items that no check can answer (the ALA checklists, a library's own controls).

The statuses themselves are not stored: :func:`bookwarden.compliance.controls.evaluate`
computes them from the live data; a snapshot is what the daily job saw that day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet


class Status(models.TextChoices):
    OPERATING = "operating", "Operating"
    FAILING = "failing", "Failing"
    NO_EVIDENCE = "no_evidence", "No evidence yet"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ControlSnapshot(models.Model):
    """One control's status at one library on one day (written by the daily job)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    control_id = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=Status.choices)
    measure = models.FloatField(null=True, blank=True)
    summary = models.CharField(max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["library", "day", "control_id"], name="one_snapshot_per_control_and_day"
            )
        ]
        indexes = [models.Index(fields=["library", "control_id", "day"])]
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.control_id} on {self.day}"


class NotApplicable(models.Model):
    """A control the library marked not applicable, with its reason (undone by deleting)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    control_id = models.CharField(max_length=80)
    reason = models.TextField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["library", "control_id"], name="one_not_applicable_per_control"
            )
        ]

    def __str__(self) -> str:
        return f"{self.control_id} not applicable"


class OwnCatalog(models.Model):
    """The library's own controls, in the catalog's YAML (validated before it is kept)."""

    library = models.OneToOneField(Library, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Own controls of {self.library}"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ChecklistAnswer(models.Model):
    """A person's answer to an item that no check answers (the latest one counts)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    control_id = models.CharField(max_length=80)
    answer = models.CharField(max_length=16, choices=Answer.choices)
    note = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["library", "control_id"], name="one_answer_per_checklist_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.control_id}: {self.answer}"
