"""What the onboarding app keeps (CC-1, IT-1, IT-11, LV-8, CC-10): each library's settings,
and the ledger of reminders sent, so that each reminder goes out once.

The duties themselves are not stored: :mod:`bookwarden.core.obligations` computes them from
what the other apps hold.  The ledger names a duty by its key only."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from bookwarden.core.models import Library, ScopedQuerySet
from bookwarden.mail.models import OutboxMessage

#: A person is new for this many days after their first role at the library (CC-1).
DEFAULT_NEW_ACCOUNT_DAYS = 60
#: Human resources is told of a person this many days late with a duty (IT-11).
DEFAULT_TELL_HR_AFTER_DAYS = 14


class OnboardingSettings(models.Model):
    """A library's own numbers for onboarding and reminders.  Without a row, the defaults."""

    library = models.OneToOneField(
        Library, on_delete=models.PROTECT, related_name="onboarding_settings"
    )
    new_account_days = models.PositiveSmallIntegerField(
        default=DEFAULT_NEW_ACCOUNT_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How many days after their first role a person counts as new.",
    )
    tell_hr_after_days = models.PositiveSmallIntegerField(
        default=DEFAULT_TELL_HR_AFTER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Human resources is told of someone this many days late with a task.",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "onboarding settings"

    def __str__(self) -> str:
        return f"Onboarding settings of library #{self.library_id}"


def settings_for(library: Library) -> OnboardingSettings:
    """The library's settings row, or an unsaved one holding the defaults."""
    row = OnboardingSettings.objects.filter(library=library).first()
    return row or OnboardingSettings(library=library)


class ReminderKind(models.TextChoices):
    ASSIGNED = "assigned", "New task"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    HR_TOLD = "hr_told", "Human resources told"


class DutyReminder(models.Model):
    """One reminder mailed about one duty of one person: at most one of each kind, ever.

    Unique per person, duty key and kind: a duty with the same key at two libraries (a
    consortium's policy) is mailed about once, from the first library the job reads."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_reminders"
    )
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    duty_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    #: The due date the reminder gave, as it was then.
    due_on = models.DateField(null=True, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "duty_key", "kind"], name="one_duty_reminder_of_each_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder #{self.pk} ({self.kind})"
