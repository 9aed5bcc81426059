"""Training and awareness (CC-10): courses, their quizzes, in-person sessions, attendance
and completions.

CC-10 asks for yearly cybersecurity training for every employee, online and in person at
each branch, and yearly awareness programs (phishing, social engineering).  A course names
its audience and how often it must be done; a person of the audience completes it once per
cycle, by attending a session, passing its quiz in Bookwarden, or by a completion imported
from an outside learning system.  When each cycle is due is computed in
:mod:`bookwarden.training.cycles`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookwarden.core.models import Branch, Library, ScopedQuerySet
from bookwarden.core.roles import Role


class CourseKind(models.TextChoices):
    CYBERSECURITY = "cybersecurity", "Yearly cybersecurity training"
    PHISHING = "phishing", "Awareness: phishing"
    SOCIAL_ENGINEERING = "social_engineering", "Awareness: social engineering"
    PATRON_DATA = "patron_data", "Awareness: safe use of patron information"
    AWARENESS = "awareness", "Awareness: another topic"


class Delivery(models.TextChoices):
    ONLINE_HERE = "online_here", "Online, here (material and quiz)"
    ONLINE_ELSEWHERE = (
        "online_elsewhere",
        "Online, in another learning system (completions imported)",
    )
    IN_PERSON = "in_person", "In person, at sessions in the branches"


class CourseAudience(models.TextChoices):
    ALL_STAFF = "all_staff", "All staff"
    CHOSEN = "chosen", "Certain roles or branches"


#: Roles that are not staff: board members and auditors read, they are never trained here.
NOT_STAFF_ROLES = frozenset({Role.AUDITOR})

#: The roles a course may be limited to (every staff role).
STAFF_ROLE_CHOICES = [
    (value, label) for value, label in Role.choices if value not in NOT_STAFF_ROLES
]


class Course(models.Model):
    """One course of a library (CC-10), done once per cycle by each person of its audience.

    ``recurrence_months``: how long a completion counts (a year by default).
    ``days_to_complete``: how long a person has from the day the course is theirs (the
    course's start, or the day they joined its audience) to complete it the first time.
    ``code``: a short code that an imported file may name the course by.
    """

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(max_length=200)
    code = models.CharField(
        max_length=40,
        blank=True,
        help_text="Optional short name used in imported files, such as SEC-2026.",
    )
    kind = models.CharField(max_length=24, choices=CourseKind.choices)
    delivery = models.CharField(max_length=24, choices=Delivery.choices)
    audience = models.CharField(
        max_length=16, choices=CourseAudience.choices, default=CourseAudience.ALL_STAFF
    )
    #: With ``CourseAudience.CHOSEN``: the roles and branches it is for.  A person matches
    #: by holding one of the roles (any, when none is named) at one of the branches (any,
    #: when none is named).
    audience_roles = models.JSONField(default=list, blank=True)
    audience_branches = models.ManyToManyField(Branch, blank=True, related_name="+")
    recurrence_months = models.PositiveSmallIntegerField(
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long a completion counts before it must be done again.",
    )
    days_to_complete = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days a person has to complete it once it is theirs.",
    )
    starts_on = models.DateField(default=timezone.localdate)
    material = models.TextField(blank=True, help_text="Short reading for the course, in Markdown.")
    pass_mark = models.PositiveSmallIntegerField(
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Share of right answers needed to pass the quiz, in percent.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["library", "title"]
        constraints = [
            models.UniqueConstraint(fields=["library", "title"], name="course_title_unique"),
            models.UniqueConstraint(
                fields=["library", "code"], condition=~Q(code=""), name="course_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A question of a course's quiz, with its choices (exactly one right)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="questions")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["course", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    correct = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class Session(models.Model):
    """An in-person session of a course at a branch (CC-10), with its trainer."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    topics = models.TextField(blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.course} at {self.branch}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["session", "user"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attended_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} attended {self.session}"


class QuizAttempt(models.Model):
    """One try at a course's quiz: its score and whether it passed (kept for both)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    right = models.PositiveSmallIntegerField()
    questions = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(help_text="Percent of right answers.")
    passed = models.BooleanField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user}: {self.score}% at {self.course}"


class CompletedBy(models.TextChoices):
    SESSION = "session", "Attended a session"
    QUIZ = "quiz", "Passed the quiz"
    IMPORT = "import", "Imported from a learning system"
    RECORDED = "recorded", "Recorded by the coordinator"


class Completion(models.Model):
    """A person completed a course on a day (CC-10): evidence for one cycle.

    ``cycle_due_on`` is the due date of the cycle it completed (so a person's duty names
    the same cycle before and after); ``late`` when it came after that date.  One per
    person, course and day; a second completion of a cycle already done is never written.
    """

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_completions"
    )
    completed_on = models.DateField()
    cycle_due_on = models.DateField()
    late = models.BooleanField(default=False)
    how = models.CharField(max_length=16, choices=CompletedBy.choices)
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.ForeignKey(
        QuizAttempt, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_sha256 = models.CharField(max_length=64, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["course", "user", "-completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "user", "completed_on"], name="one_completion_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} completed {self.course} on {self.completed_on}"
