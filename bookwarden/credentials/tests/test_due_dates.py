"""IT-2: a login is due 180 days after its last change, or after the library's shorter
period; due soon within 14 days; the period may only be shorter."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.credentials import actions
from bookwarden.credentials.models import Credential, due_on, status_of


def _fresh(credential) -> Credential:
    return Credential.objects.select_related("library__credential_settings").get(pk=credential.pk)


def test_due_180_days_after_the_last_change(make_credential) -> None:
    credential = make_credential(days_ago=10)
    assert due_on(_fresh(credential)) == credential.last_changed_on + datetime.timedelta(180)
    assert status_of(_fresh(credential)) == "ok"
    assert status_of(_fresh(make_credential(days_ago=170, system="Firewall"))) == "soon"
    assert status_of(_fresh(make_credential(days_ago=181, system="ILS database"))) == "overdue"


def test_a_shorter_period_brings_the_due_date_forward(people, new_madrid, make_credential) -> None:
    credential = make_credential(days_ago=100)
    assert status_of(_fresh(credential)) == "ok"
    actions.save_settings(actor=people["director"], library=new_madrid, rotation_days=90)
    assert due_on(_fresh(credential)) == credential.last_changed_on + datetime.timedelta(90)
    assert status_of(_fresh(credential)) == "overdue"
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIAL_SETTINGS_CHANGED).exists()


@pytest.mark.parametrize("days", [0, 181, 365])
def test_the_period_may_only_be_shorter(people, new_madrid, days) -> None:
    with pytest.raises(ValidationError):
        actions.save_settings(actor=people["director"], library=new_madrid, rotation_days=days)


def test_only_the_director_sets_the_period(people, new_madrid, client_as) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.save_settings(
            actor=people["tech_coordinator"], library=new_madrid, rotation_days=90
        )
    response = client_as("director").post(
        f"/credentials/settings/{new_madrid.slug}/", {"rotation_days": "200"}
    )
    assert response.status_code == 200
    response = client_as("director").post(
        f"/credentials/settings/{new_madrid.slug}/", {"rotation_days": "60"}
    )
    assert response.status_code == 302
    assert new_madrid.credential_settings.rotation_days == 60
