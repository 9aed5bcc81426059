"""Forms of training and awareness (CC-10): fields and their checks; the rules live in
:mod:`bookwarden.training.actions`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from bookwarden.core.forms import DateInput
from bookwarden.core.models import Branch, User
from bookwarden.patrons.importer.small_files import FileForm

from .actions import MAX_CHOICES
from .models import STAFF_ROLE_CHOICES, Course, CourseAudience, CourseKind, Delivery, Question

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
BY_NAME = ("last_name", "first_name", "username")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_FORMAT)


class _BranchesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CourseForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=CourseKind.choices, label="What kind of course")
    delivery = forms.ChoiceField(
        choices=Delivery.choices, widget=forms.RadioSelect, label="How it is taken"
    )
    audience = forms.ChoiceField(
        choices=CourseAudience.choices,
        widget=forms.RadioSelect,
        label="Who must take it",
        help_text="Board members and auditors are not staff and never take courses here.",
    )
    audience_roles = forms.MultipleChoiceField(
        choices=STAFF_ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only these roles",
        help_text="With certain roles or branches: leave empty for every role.",
    )
    audience_branches = _BranchesField(
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only at these branches",
        help_text="With certain roles or branches: leave empty for every branch.",
    )
    recurrence_months = forms.IntegerField(
        min_value=1, max_value=120, initial=12, label="Done again every (months)"
    )
    days_to_complete = forms.IntegerField(
        min_value=1, max_value=365, initial=30, label="Days to complete it once assigned"
    )
    starts_on = forms.DateField(widget=DateInput, label="Starts on")
    code = forms.CharField(
        max_length=40,
        required=False,
        label="Short code (optional)",
        help_text="How an imported file from a learning system may name the course.",
    )
    material = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        label="Material to read (optional)",
        help_text="Short text for the course. Use blank lines between paragraphs, "
        "# for a heading and - for a list.",
    )
    pass_mark = forms.IntegerField(
        min_value=1, max_value=100, initial=80, label="Pass mark of the quiz (percent)"
    )
    active = forms.BooleanField(required=False, initial=True, label="Offered (people must take it)")

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience_branches"].queryset = branches  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "title": course.title,
            "kind": course.kind,
            "delivery": course.delivery,
            "audience": course.audience,
            "audience_roles": course.audience_roles,
            "audience_branches": list(course.audience_branches.all()),
            "recurrence_months": course.recurrence_months,
            "days_to_complete": course.days_to_complete,
            "starts_on": course.starts_on,
            "code": course.code,
            "material": course.material,
            "pass_mark": course.pass_mark,
            "active": course.active,
        }


class QuestionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Question")
    correct = forms.TypedChoiceField(
        coerce=int,
        choices=[(i, f"Choice {i + 1}") for i in range(MAX_CHOICES)],
        widget=forms.RadioSelect,
        label="The right answer",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MAX_CHOICES):
            self.fields[f"choice_{i}"] = forms.CharField(
                max_length=300,
                required=i < 2,
                label=f"Choice {i + 1}",
            )
        self.order_fields(["text", *(f"choice_{i}" for i in range(MAX_CHOICES)), "correct"])

    @property
    def choices(self) -> list[str]:
        return [self.cleaned_data.get(f"choice_{i}", "") for i in range(MAX_CHOICES)]

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        choices = list(question.choices.all())
        initial: dict[str, Any] = {"text": question.text}
        for i, choice in enumerate(choices):
            initial[f"choice_{i}"] = choice.text
            if choice.correct:
                initial["correct"] = i
        return initial


class QuizForm(forms.Form):
    """One radio group per question; the choices' ids are the values."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i, question in enumerate(questions, start=1):
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                coerce=int,
                choices=[(c.pk, c.text) for c in question.choices.all()],
                widget=forms.RadioSelect,
                label=f"{i}. {question.text}",
                required=False,
            )

    def answers(self) -> dict[int, int]:
        return {
            int(name[1:]): value
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


class SessionForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), empty_label="Choose a branch")
    starts_at = forms.DateTimeField(
        widget=DateTimeLocalInput, input_formats=[DATETIME_FORMAT], label="Date and time"
    )
    place = forms.CharField(max_length=200, help_text="The room, for example: Meeting room.")
    trainer = _PersonField(queryset=User.objects.none(), empty_label="Choose the trainer")
    topics = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(
        self, *args: Any, branches: QuerySet[Branch], trainers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches  # type: ignore[attr-defined]
        self.fields["trainer"].queryset = trainers  # type: ignore[attr-defined]


class AttendanceForm(forms.Form):
    """The checklist: the branch's staff first, then everyone else of the library."""

    def __init__(
        self, *args: Any, branch_people: list[User], others: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"] = forms.ModelMultipleChoiceField(
            queryset=User.objects.filter(pk__in=[u.pk for u in branch_people]).order_by(*BY_NAME),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Staff of this branch",
        )
        self.fields["attendees"].label_from_instance = str  # type: ignore[attr-defined]
        self.fields["others"] = forms.ModelMultipleChoiceField(
            queryset=User.objects.filter(pk__in=[u.pk for u in others]).order_by(*BY_NAME),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Others of the library",
        )
        self.fields["others"].label_from_instance = str  # type: ignore[attr-defined]

    def people(self) -> list[User]:
        return [*self.cleaned_data.get("attendees", []), *self.cleaned_data.get("others", [])]


class CompletionForm(forms.Form):
    person = _PersonField(queryset=User.objects.none(), empty_label="Choose the person")
    completed_on = forms.DateField(widget=DateInput, label="Completed on")

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people  # type: ignore[attr-defined]


class ImportForm(FileForm):
    columns = "Columns: email (or username), course, completed_on (YYYY-MM-DD)."
