"""The API's filters are the pages' own filter forms (IT-10, CC-7): django-filter declares
the parameters (for the schema), the page's form checks and applies them, so that a list
filtered on the page and through the API gives the same rows."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from bookwarden.core.models import Branch, Library
from bookwarden.core.roles import Perm
from bookwarden.devices.forms import DeviceFilterForm
from bookwarden.devices.models import DeviceKind
from bookwarden.operations.forms import EntryFilterForm
from bookwarden.operations.models import EntryKind, EntryStatus

_ID = {"min_value": 1, "max_value": 2**31 - 1}
ENTRY_STATUS_FILTER = [("unclosed", "Not closed"), *EntryStatus.choices]


class PageFormFilterSet(django_filters.FilterSet):
    """A filter set whose form is a page's filter form, bound to the query string."""

    page_form: Any  # a form class taking ``branches=``
    perm: str

    @property
    def form(self) -> Any:
        if not hasattr(self, "_form"):
            user = self.request.user
            self._form = self.page_form(
                self.data, branches=Branch.objects.for_user(user, self.perm)
            )
        return self._form

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return self.apply(self.form, queryset)

    def apply(self, form: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        raise NotImplementedError


class EntryFilter(PageFormFilterSet):
    """The operations log page's filters (operations.forms.EntryFilterForm)."""

    page_form = EntryFilterForm
    perm = Perm.VIEW_OPERATIONS

    q = django_filters.CharFilter(help_text="Words of the title or story, or an entry's number.")
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices)
    status = django_filters.ChoiceFilter(choices=ENTRY_STATUS_FILTER)
    branch = django_filters.NumberFilter(help_text="A branch's number.", **_ID)
    since = django_filters.DateFilter(help_text="Occurred on or after this day.")
    until = django_filters.DateFilter(help_text="Occurred on or before this day.")
    person = django_filters.CharFilter(
        help_text="A username: reported it, took a step, or whose account is involved."
    )

    def apply(self, form: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return form.filter(queryset)


class DeviceFilter(PageFormFilterSet):
    """The devices page's filters (devices.forms.DeviceFilterForm)."""

    page_form = DeviceFilterForm
    perm = Perm.VIEW_IT_INVENTORY

    branch = django_filters.NumberFilter(help_text="A branch's number.", **_ID)
    kind = django_filters.ChoiceFilter(choices=DeviceKind.choices)
    patch = django_filters.ChoiceFilter(
        choices=[("overdue", "Overdue only")], help_text="overdue: patches overdue only."
    )

    def apply(self, form: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        libraries = Library.objects.for_user(self.request.user, self.perm)
        return form.filter(queryset, libraries)
