"""The library's time zone is a setting of the library (issue 10): the director changes it
on the settings page, the change is on record, and a name the installation does not know is
refused.  Dates and times have one format (core/when.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core import actions
from bookwarden.core import when as formats
from bookwarden.core.models import Library

from .helpers import audit_head, events_since, location_path


def test_director_sets_the_time_zone_on_the_settings_page(people, sudo_as, new_madrid) -> None:
    assert new_madrid.time_zone == "America/Chicago"  # the installation's, by default
    director = sudo_as("director")
    url = reverse("library_settings", args=[new_madrid.slug])
    page = director.get(url).content.decode()
    assert '<option value="America/Chicago" selected>Central (Chicago)</option>' in page

    head = audit_head()
    response = director.post(
        url, {"idle_timeout_minutes": "15", "time_zone": "America/Los_Angeles"}
    )
    assert location_path(response) == reverse("library_detail", args=[new_madrid.slug])
    assert Library.objects.get(pk=new_madrid.pk).time_zone == "America/Los_Angeles"
    (event,) = events_since(head, AuditAction.LIBRARY_SETTINGS_CHANGED)
    assert event.actor == people["director"]
    assert (event.before, event.after) == (
        {"time_zone": "America/Chicago"},
        {"time_zone": "America/Los_Angeles"},
    )

    response = director.post(url, {"idle_timeout_minutes": "15", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert Library.objects.get(pk=new_madrid.pk).time_zone == "America/Los_Angeles"


def test_the_action_refuses_a_zone_it_does_not_know(people, new_madrid) -> None:
    with pytest.raises(ValidationError):
        actions.update_library_settings(
            actor=people["director"],
            library=new_madrid,
            idle_timeout_minutes=15,
            time_zone="Central",
        )
    assert Library.objects.get(pk=new_madrid.pk).time_zone == "America/Chicago"


def test_one_format_in_the_zone_in_force() -> None:
    moment = datetime.datetime(2026, 12, 2, 22, 19, tzinfo=datetime.UTC)
    with timezone.override("America/Chicago"):
        assert formats.when(moment) == "Dec 2, 2026, 4:19 PM"
        assert formats.day(moment) == "Dec 2, 2026"
        assert formats.ago(moment, now=moment + datetime.timedelta(days=3)) == "3\xa0days ago"
    with timezone.override("Pacific/Auckland"):  # already the next day there
        assert formats.day(moment) == "Dec 3, 2026"
    assert formats.iso_utc(moment) == "2026-12-02T22:19:00Z"
