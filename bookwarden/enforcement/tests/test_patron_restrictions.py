"""CC-3, CC-11: a patron's computer privileges can be restricted for a period after a patron
policy violation; the restriction appears on the patron's page and is gone once it ends."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.core.when import day
from bookwarden.enforcement import actions
from bookwarden.enforcement.models import PatronRestriction


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_current_timezone())


def test_restriction_shows_on_the_patron_page_until_it_ends(people, patrons, client_as) -> None:
    patron = patrons["reader"]
    url = reverse("patron_detail", args=[patron.pk])
    ends_on = timezone.localdate() + datetime.timedelta(days=14)
    head = audit_head()
    actions.restrict_patron(
        actor=people["assistant_director"],
        patron=patron,
        reason="Bypassed the time limits twice.",
        ends_on=ends_on,
    )
    (event,) = events_since(head, AuditAction.PATRON_RESTRICTED)
    assert event.patron_id == patron.pk and event.after["ends_on"] == ends_on.isoformat()
    assert "time limits" not in str(event.after)

    page = client_as("staff").get(url).content.decode()
    assert "may not use the library's computers until " + day(ends_on) in page
    assert "Bypassed the time limits twice." in page
    # The volunteer at the desk sees that it holds, not why.
    page = client_as("volunteer").get(url).content.decode()
    assert "Restricted" in page and "Bypassed" not in page
    assert reverse("enforcement:restrict", args=[patron.pk]) not in page

    with time_machine.travel(_at(ends_on), tick=False):
        page = client_as("staff").get(url).content.decode()
    assert "may not use the library" not in page
    assert "No restriction is in force." in page and "Ended" in page


def test_only_those_who_restrict_patrons_may(people, patrons) -> None:
    later = timezone.localdate() + datetime.timedelta(days=7)
    for who in ("staff", "tech_coordinator", "human_resources", "auditor", "outsider"):
        with pytest.raises(PermissionDenied):
            actions.restrict_patron(
                actor=people[who], patron=patrons["reader"], reason="x", ends_on=later
            )
    with pytest.raises(ValidationError):
        actions.restrict_patron(
            actor=people["director"], patron=patrons["reader"], reason="x", ends_on=None
        )
    assert not PatronRestriction.objects.exists()


def test_restrict_and_lift_through_the_pages(people, patrons, client_as) -> None:
    patron = patrons["reader"]
    director = client_as("director")
    detail = reverse("patron_detail", args=[patron.pk])
    assert (
        reverse("enforcement:restrict", args=[patron.pk]) in director.get(detail).content.decode()
    )
    ends_on = timezone.localdate() + datetime.timedelta(days=10)
    response = director.post(
        reverse("enforcement:restrict", args=[patron.pk]),
        {"reason": "Viewed harmful content at a children's computer.", "ends_on": ends_on},
    )
    assert response.status_code == 302 and response["Location"] == detail
    restriction = PatronRestriction.objects.get(patron=patron)
    # Cresco's director cannot see it or lift it.
    outsider = client_as("outsider")
    assert outsider.get(reverse("enforcement:restrict", args=[patron.pk])).status_code == 404
    lift = reverse("enforcement:restriction_lift", args=[restriction.pk])
    assert outsider.post(lift, {f"lift{restriction.pk}-reason": "x"}).status_code == 404
    assert client_as("auditor").post(lift, {f"lift{restriction.pk}-reason": "x"}).status_code == 403
    head = audit_head()
    director.post(lift, {f"lift{restriction.pk}-reason": "Apologised."})
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None
    assert events_since(head, AuditAction.PATRON_RESTRICTION_ENDED)
    assert "No restriction is in force." in director.get(detail).content.decode()
