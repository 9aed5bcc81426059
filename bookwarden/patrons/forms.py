"""Forms of the staff pages about patrons."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from bookwarden.audit.models import AuditEvent
from bookwarden.core.models import Branch, Library

from .actions import REPORTABLE
from .models import CONTACT_FIELDS, Card, CardStatus, NoticeChannel
from .record_access import CUSTODIAN_PURPOSES, PURPOSE_TYPES, Purpose
from .records import RECORD_TYPES


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Card number or name",
        max_length=200,
        required=False,
        help_text="The exact card number, or one or more words of the name.",
    )


class OpenRecordsForm(forms.Form):
    """Opening a patron's library records: a purpose first (CR-5)."""

    purpose = forms.ChoiceField(label="Purpose", widget=forms.RadioSelect)
    card_number = forms.CharField(
        label="Card number presented",
        max_length=64,
        required=False,
        help_text="Needed when serving the patron at the desk: the card they present.",
    )
    note = forms.CharField(
        label="Note",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was asked, what is suspected, how identity was checked. "
        "Needed for every purpose except the desk and overdue recovery.",
    )
    record_types = forms.MultipleChoiceField(
        label="Kinds of records",
        choices=[(key, rt.label) for key, rt in RECORD_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
        help_text="Open only what the purpose needs. Overdue recovery shows overdue loans only.",
    )

    # At the desk: the card, then the kinds of records; the note, for the other purposes.
    field_order = ["purpose", "card_number", "record_types", "note"]

    def __init__(self, *args: Any, custodian: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every purpose is accepted, so that a custodian purpose sent by someone else
        # reaches the access function and its refusal is recorded; only those the role may
        # use are offered.
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = Purpose.choices
        field.widget.choices = [
            (value, label)
            for value, label in Purpose.choices
            if custodian or value not in CUSTODIAN_PURPOSES
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        purpose = data.get("purpose")
        if purpose == Purpose.DESK and not (data.get("card_number") or "").strip():
            self.add_error("card_number", "Enter the number of the card the patron presents.")
        allowed = PURPOSE_TYPES.get(purpose or "")
        if allowed and data.get("record_types"):
            wrong = [t for t in data["record_types"] if t not in allowed]
            if wrong:
                labels = ", ".join(RECORD_TYPES[t].label.lower() for t in allowed)
                self.add_error("record_types", f"This purpose may open only: {labels}.")
        return data


class CardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.number)


class RecordWindowForm(forms.Form):
    """Which page of an opening's records to show (a patron with thousands of loans):
    one kind or all, between two days, and the page (issue 16)."""

    kind = forms.ChoiceField(label="Show", required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(
        min_value=1, max_value=1_000_000, required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, record_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", "Every kind opened")] + [
            (key, RECORD_TYPES[key].label) for key in record_types if key in RECORD_TYPES
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day comes before the first.")
        return data


class ReportCardForm(forms.Form):
    card = CardChoiceField(queryset=Card.objects.none(), label="Card")
    status = forms.ChoiceField(
        label="Report as",
        choices=[(s.value, s.label) for s in REPORTABLE],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, patron: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["card"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Card.objects.filter(patron=patron, status=CardStatus.ACTIVE)


class LastBorrowerForm(forms.Form):
    library = forms.ChoiceField(label="Library")
    item_barcode = forms.CharField(label="Item barcode", max_length=64)
    note = forms.CharField(
        label="What was found",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was left inside the item, or what harmful content it had.",
    )

    def __init__(self, *args: Any, libraries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(lib.slug, lib.name) for lib in libraries]


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _branch_with_library(branch: Branch) -> str:
    return f"{branch.library.name}: {branch.name}"


class PatronForm(forms.Form):
    """Personal information of a patron (CR-2c), their guardian and notice preference.

    The guardian is named by one of their card numbers at the same library, or by name when
    they are not a patron there.  Registering adds the library and the first card.
    ``branches``: the home branches to offer, scoped by the view."""

    home_branch = BranchChoiceField(
        queryset=Branch.objects.none(), label="Home branch", required=False
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150)
    address_line1 = forms.CharField(label="Address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Address, second line", max_length=200, required=False)
    city = forms.CharField(label="City", max_length=100, required=False)
    state = forms.CharField(label="State", max_length=100, required=False)
    postal_code = forms.CharField(label="Postal code", max_length=20, required=False)
    phone = forms.CharField(label="Phone", max_length=50, required=False)
    email = forms.EmailField(label="E-mail", required=False)
    birth_date = forms.DateField(
        label="Birth date",
        required=False,
        help_text="As YYYY-MM-DD.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    guardian_card = forms.CharField(
        label="Guardian's card number",
        max_length=64,
        required=False,
        help_text="When the guardian is a patron of this library.",
    )
    guardian_name = forms.CharField(
        label="Guardian's name",
        max_length=200,
        required=False,
        help_text="When the guardian is not a patron of this library.",
    )
    notice_channel = forms.ChoiceField(
        label="Send notices by",
        choices=NoticeChannel.choices,
        initial=NoticeChannel.EMAIL,
        widget=forms.RadioSelect,
    )

    #: The form's fields by fieldset, for the template.
    PERSONAL = CONTACT_FIELDS
    GUARDIAN = ("guardian_card", "guardian_name")

    #: The actions' argument names that differ from this form's fields (for ``submit``).
    ACTION_FIELDS = {"guardian": "guardian_card"}

    def __init__(
        self,
        *args: Any,
        libraries: list[Library],
        branches: models.QuerySet[Branch],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.libraries = libraries
        field = self.fields["home_branch"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = branches.select_related("library")
        if len(libraries) > 1:
            field.help_text = "A branch of the library chosen above."
            field.label_from_instance = _branch_with_library  # type: ignore[method-assign,assignment]

    def chosen_library(self) -> Library:
        """The library the patron belongs to (overridden when registering)."""
        return self.libraries[0]

    #: Fields of the first fieldset, before the personal information.
    FIRST: tuple[str, ...] = ("home_branch",)
    FIRST_LEGEND = "Library"

    def fieldsets(self) -> list[tuple[str, list[Any]]]:
        """(legend, bound fields) for the template: each group is a fieldset."""
        groups = [
            (self.FIRST_LEGEND, self.FIRST),
            ("Personal information", self.PERSONAL),
            ("Guardian", self.GUARDIAN),
            # A group of radio buttons: already a fieldset of its own, with its legend.
            ("", ("notice_channel",)),
        ]
        return [
            (legend, [self[n] for n in names if not self[n].is_hidden]) for legend, names in groups
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        card = (data.get("guardian_card") or "").strip()
        name = (data.get("guardian_name") or "").strip()
        data["guardian"] = None
        if card and name:
            self.add_error(
                "guardian_name", "Give the guardian's card number or their name, not both."
            )
        elif card:
            library = self.chosen_library()
            found = Card.objects.filter(library=library, number=card).select_related("patron")
            guardian = found.first()
            if guardian is None:
                self.add_error(
                    "guardian_card", f"No patron of {library.name} has a card with that number."
                )
            else:
                data["guardian"] = guardian.patron
        return data

    def personal_fields(self) -> dict[str, Any]:
        """The values for register_patron / update_patron (PERSONAL_FIELDS)."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.PERSONAL}
        values.update(
            home_branch=data["home_branch"],
            guardian=data["guardian"],
            guardian_name=data["guardian_name"].strip() if not data["guardian"] else "",
            notice_channel=data["notice_channel"],
        )
        return values


class RegisterPatronForm(PatronForm):
    library = forms.ChoiceField(label="Library")
    card_number = forms.CharField(
        label="Card number",
        max_length=64,
        help_text="The number of the card given to the patron now.",
    )

    FIRST = ("library", "card_number", "home_branch")
    FIRST_LEGEND = "Library and card"

    def __init__(self, *args: Any, libraries: list[Library], **kwargs: Any) -> None:
        super().__init__(*args, libraries=libraries, **kwargs)
        field = self.fields["library"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(lib.slug, lib.name) for lib in libraries]
        if len(libraries) == 1:
            field.initial = libraries[0].slug
            field.widget = forms.HiddenInput()

    @property
    def single_library(self) -> Library | None:
        return self.libraries[0] if len(self.libraries) == 1 else None

    def chosen_library(self) -> Library:
        slug = self.data.get("library") if self.is_bound else None
        for lib in self.libraries:
            if lib.slug == slug:
                return lib
        return self.libraries[0]


class IssueCardForm(forms.Form):
    card_number = forms.CharField(
        label="New card number",
        max_length=64,
        help_text="The patron's other active cards are marked replaced: presenting them no "
        "longer counts as consent.",
    )


class NewPinForm(forms.Form):
    """A new portal PIN typed twice; the rules are in :mod:`bookwarden.patrons.pins`."""

    pin = forms.CharField(
        label=_("New portal PIN"),
        max_length=12,
        strip=False,
        help_text=_("4 to 12 digits; not 1111, 1234 or digits of the card."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    pin_again = forms.CharField(
        label=_("The PIN again"),
        max_length=12,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin") != data.get("pin_again"):
            self.add_error("pin_again", _("The two PINs are not the same."))
        return data


class SetPinForm(NewPinForm):
    """Staff set a portal PIN with the patron at the desk; the patron types it."""


class RenewCardForm(forms.Form):
    """CR-6c: a renewal goes with a reminder of the patron's privacy rights."""

    card = CardChoiceField(queryset=Card.objects.none(), label="Card")
    reminded = forms.BooleanField(
        label="I gave the patron the privacy notice (printed, or read it with them)",
        required=True,
        error_messages={
            "required": "Give the patron the privacy notice, then confirm that you did."
        },
    )

    def __init__(self, *args: Any, patron: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["card"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Card.objects.filter(
            patron=patron, status__in=[CardStatus.ACTIVE, CardStatus.EXPIRED]
        )


class SealOpeningForm(forms.Form):
    """A court's non-disclosure order: hide one opening of ``patron``'s records from their
    portal.  ``event`` comes back as the audit event, one of this patron's."""

    event = forms.IntegerField(widget=forms.HiddenInput)
    order_reference = forms.CharField(
        label="Court order",
        max_length=200,
        help_text="The court, the case number and the date of the order.",
        error_messages={"required": "Name the court order (court, case, date)."},
    )
    sealed_until = forms.DateField(
        label="Hidden until",
        required=False,
        help_text="Leave empty if the order has no end date (until the court lifts it).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, patron: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patron = patron

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("event") is not None:
            event = (
                AuditEvent.objects.filter(
                    pk=data["event"],
                    patron_id=self.patron.pk,
                    library_id=self.patron.library_id,
                )
                .select_related("actor")
                .first()
            )
            if event is None:
                raise forms.ValidationError("That opening is not one of this patron's.")
            data["event"] = event
        return data
