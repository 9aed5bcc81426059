"""A filter value that cannot be used is an error, on the page and in the export; never
"No events match", which reads as "nothing happened" (issue 9; LV-3, CC-9)."""

from __future__ import annotations

from django.urls import reverse

from bookwarden.audit.models import AuditAction, AuditEvent

from .test_audit_export import confirm_password_recently

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")
BAD = {"since": "notadate", "patron": "abc"}


def assert_each_bad_value_named(page: str) -> None:
    assert "No events match." not in page
    assert "these filters could not be used" in page
    assert (
        "From: Not a date: give it as year-month-day, such as 2025-03-14. (given: notadate)" in page
    )
    assert "Patron id: A patron id is a whole number, such as 1042. (given: abc)" in page


def test_the_page_names_each_bad_value_instead_of_an_empty_list(client_as) -> None:
    response = client_as("director").get(LIST, BAD)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert_each_bad_value_named(response.content.decode())
    viewed = AuditEvent.objects.filter(action=AuditAction.AUDIT_VIEWED).latest("seq")
    assert viewed.after == {"refused_filters": ["patron", "since"]}  # nothing was shown


def test_the_htmx_results_name_each_bad_value(client_as) -> None:
    """The filters post by htmx into the results only: the errors must be there too."""
    response = client_as("director").get(LIST, BAD, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<form" not in page
    assert_each_bad_value_named(page)


def test_the_export_is_refused_with_each_bad_value(client_as, people) -> None:
    client = client_as("auditor")
    confirm_password_recently(client, people["auditor"])
    count = AuditEvent.objects.count()
    response = client.get(EXPORT, BAD)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("The audit log was not exported: these filters could not be used.")
    assert "- From: Not a date" in text and "(given: notadate)" in text
    assert "- Patron id: A patron id is a whole number" in text and "(given: abc)" in text
    assert AuditEvent.objects.count() == count  # nothing handed out, nothing recorded


def test_good_values_still_filter(client_as) -> None:
    response = client_as("director").get(LIST, {"since": "2020-01-01", "patron": "7"})
    assert response.status_code == 200
    assert response.context["page"] is not None
    assert "No events match." in response.content.decode()  # a real empty result
