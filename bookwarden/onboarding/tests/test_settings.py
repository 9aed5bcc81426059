"""The director sets how long a person counts as new and when human resources is told
(CC-1, IT-11); recorded; bad input writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.onboarding.actions import update_settings
from bookwarden.onboarding.models import OnboardingSettings, settings_for


@pytest.mark.django_db
def test_the_director_changes_the_settings_from_the_page(people, new_madrid, client_as):
    assert settings_for(new_madrid).tell_hr_after_days == 14
    head = audit_head()
    client = client_as("director")
    response = client.post(
        "/onboarding/new-madrid/settings/", {"new_account_days": 30, "tell_hr_after_days": 7}
    )
    assert response.status_code == 302 and response["Location"] == "/onboarding/new-madrid/"
    row = settings_for(new_madrid)
    assert (row.new_account_days, row.tell_hr_after_days) == (30, 7)
    (event,) = events_since(head, AuditAction.ONBOARDING_SETTINGS_CHANGED)
    assert event.before == {"new_account_days": 60, "tell_hr_after_days": 14}
    assert event.after == {"new_account_days": 30, "tell_hr_after_days": 7}
    page = client.get("/onboarding/new-madrid/").content.decode()
    assert "more than 7 days late" in page and "last 30 days" in page


@pytest.mark.django_db
def test_bad_numbers_are_refused_and_nothing_is_written(people, new_madrid, client_as):
    head = audit_head()
    response = client_as("director").post(
        "/onboarding/new-madrid/settings/", {"new_account_days": 0, "tell_hr_after_days": ""}
    )
    assert response.status_code == 400
    assert not OnboardingSettings.objects.exists()
    assert not events_since(head, AuditAction.ONBOARDING_SETTINGS_CHANGED)
    with pytest.raises(ValidationError):
        update_settings(
            actor=people["director"],
            library=new_madrid,
            new_account_days=900,
            tell_hr_after_days=7,
        )
    assert not OnboardingSettings.objects.exists()


@pytest.mark.django_db
def test_only_the_director_changes_them(people, new_madrid, client_as) -> None:
    with pytest.raises(PermissionDenied):
        update_settings(
            actor=people["human_resources"],
            library=new_madrid,
            new_account_days=30,
            tell_hr_after_days=7,
        )
    assert client_as("human_resources").get("/onboarding/new-madrid/settings/").status_code == 403
    assert client_as("outsider").get("/onboarding/new-madrid/settings/").status_code == 404
