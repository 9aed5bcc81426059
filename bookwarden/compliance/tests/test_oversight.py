"""Who sees the controls (CC-2, CR-5): a board member or auditor reads them but never a
patron's records, only counts; a person with roles at two libraries picks the library."""

from __future__ import annotations

from django.urls import reverse

from bookwarden.core.actions import assign_role
from bookwarden.core.models import Library
from bookwarden.core.roles import Role
from bookwarden.patrons.record_access import Purpose, open_records


def test_the_auditor_sees_counts_never_a_patron(demo_patrons, people, client_as) -> None:
    """CR-5: openings of a patron's records show on the control as counts; the page names
    neither the patron nor what they borrowed."""
    reader = demo_patrons["reader"]
    open_records(
        actor=people["director"],
        patron=reader,
        purpose=Purpose.LAST_BORROWER,
        note="A letter was left in a returned book.",
    )
    url = reverse("compliance:detail", args=["new-madrid", "last-borrower-lookups"])
    page = client_as("auditor").get(url).content.decode()
    assert "For a last borrower or an investigation (custodian only)" in page
    assert '<td data-label="Count">1</td>' in page
    for private in (reader.first_name, reader.last_name, "letter was left"):
        assert private not in page


def test_a_person_of_two_libraries_picks_the_library(people, client_as) -> None:
    assign_role(
        actor=None,
        user=people["auditor"],
        library=Library.objects.get(slug="cresco"),
        role=Role.AUDITOR,
    )
    page = client_as("auditor").get(reverse("compliance:home"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "/compliance/new-madrid/" in text and "/compliance/cresco/" in text
