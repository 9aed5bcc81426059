"""A director resets the second factor of someone who lost their phone and recovery codes:
the authenticators go, the reason is in the audit log, and the person must enrol again
before doing anything else."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core import actions

from .helpers import audit_head, events_since, location_path


def _url(person, library) -> str:
    return reverse("second_factor_reset", args=[library.slug, person.pk])


def test_director_resets_from_the_staff_page(people, sudo_as, client_as, new_madrid) -> None:
    person = people["tech_coordinator"]
    director = sudo_as("director")
    page = director.get(reverse("staff_detail", args=[new_madrid.slug, person.pk]))
    assert "Reset two-factor login" in page.content.decode()
    head = audit_head()

    response = director.post(_url(person, new_madrid), {"reason": "phone lost on the bus"})

    assert location_path(response) == reverse("staff_detail", args=[new_madrid.slug, person.pk])
    assert not Authenticator.objects.filter(user=person).exists()
    removed = events_since(head, AuditAction.MFA_REMOVED)
    assert {e.before["type"] for e in removed} == {"totp", "recovery_codes"}
    assert all(e.actor == people["director"] for e in removed)
    assert all(e.subject_user == person and e.library == new_madrid for e in removed)
    assert all(e.purpose == "phone lost on the bus" for e in removed)
    # The technology coordinator must set up a new authenticator before anything else.
    assert location_path(client_as("tech_coordinator").get("/")) == "/accounts/two-factor-required/"


def test_a_reason_is_required_and_nothing_is_removed_without_one(
    people, sudo_as, new_madrid
) -> None:
    person = people["tech_coordinator"]
    response = sudo_as("director").post(_url(person, new_madrid), {"reason": "  "}, follow=True)
    assert "Say why" in response.content.decode()
    assert Authenticator.objects.filter(user=person).count() == 2


def test_rules_of_the_action(people, new_madrid) -> None:
    director = people["director"]
    with pytest.raises(ValidationError, match="your own"):
        actions.reset_second_factor(
            actor=director, user=director, library=new_madrid, reason="testing"
        )
    with pytest.raises(ValidationError, match="no two-factor"):
        actions.reset_second_factor(
            actor=director, user=people["staff"], library=new_madrid, reason="testing"
        )
    # Cresco's director cannot reach New Madrid's people through their own library either.
    cresco = people["outsider"].active_memberships()[0].library
    with pytest.raises(ValidationError, match="no role at this library"):
        actions.reset_second_factor(
            actor=people["outsider"], user=people["tech_coordinator"], library=cresco, reason="x"
        )
    assert Authenticator.objects.filter(user=people["tech_coordinator"]).count() == 2
