"""LV-10: a request beyond the license's seats, for unlicensed software (not in the catalog)
or for software whose license has expired is refused with a clear reason, nothing
written."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.software import actions
from bookwarden.software.models import Installation, LicenseKind, RequestKind, RequestStatus

pytestmark = pytest.mark.django_db


def _ask(people, device, software=None, name=""):
    return actions.request_software(
        actor=people["staff"],
        device=device,
        kind=RequestKind.INSTALL,
        software=software,
        new_software_name=name,
        reason="Needed for work.",
    )


def _approve(people, request, **kw):
    return actions.decide_request(
        actor=people["tech_coordinator"], request=request, approve=True, **kw
    )


def test_a_request_over_the_seats_is_refused(people, make_device, make_software):
    tool = make_software("Editor", license_kind=LicenseKind.PER_SEAT, seats=2)
    for n in (1, 2):
        _approve(people, _ask(people, make_device(f"PC-{n}"), tool))
    third = _ask(people, make_device("PC-3"), tool)
    with pytest.raises(ValidationError, match="every seat of Editor's license is in use"):
        _approve(people, third)
    third.refresh_from_db()
    assert third.status == RequestStatus.PENDING
    assert Installation.objects.filter(software=tool).count() == 2
    assert not AuditEvent.objects.filter(
        action=AuditAction.SOFTWARE_REQUEST_APPROVED, target_id=str(third.pk)
    ).exists()
    # A removal frees a seat.
    removal = actions.request_software(
        actor=people["staff"],
        device=make_device("PC-1"),
        kind=RequestKind.REMOVE,
        software=tool,
        reason="No longer used.",
    )
    _approve(people, removal)
    _approve(people, third)
    assert Installation.objects.current().filter(software=tool).count() == 2


def test_seats_cannot_drop_below_the_installations(people, make_device, make_software):
    tool = make_software("Editor", license_kind=LicenseKind.PER_SEAT, seats=2)
    _approve(people, _ask(people, make_device("PC-1"), tool))
    _approve(people, _ask(people, make_device("PC-2"), tool))
    with pytest.raises(ValidationError, match="installed on 2 devices"):
        actions.change_software(actor=people["tech_coordinator"], software=tool, seats=1)


def test_an_expired_license_is_refused_until_renewed(people, make_device, make_software):
    with time_machine.travel(datetime.date(2026, 3, 1)):
        tutor = make_software(
            "Typing tutor",
            license_kind=LicenseKind.SUBSCRIPTION,
            license_expires_on=datetime.date(2026, 2, 20),
        )
        request = _ask(people, make_device(), tutor)
        with pytest.raises(
            ValidationError,
            match="Not licensed: the license of Typing tutor expired on Feb 20, 2026",
        ):
            _approve(people, request)
        actions.change_software(
            actor=people["tech_coordinator"],
            software=tutor,
            license_expires_on=datetime.date(2027, 2, 20),
        )
        _approve(people, request)
    assert Installation.objects.filter(request=request).exists()


def test_software_not_in_the_catalog_is_refused_until_added(people, make_device):
    request = _ask(people, make_device(), name="Video downloader")
    with pytest.raises(ValidationError, match="Not licensed: this software is not in the"):
        _approve(people, request)
    added = actions.add_software(
        actor=people["tech_coordinator"],
        library=request.library,
        name="Video downloader",
        license_kind=LicenseKind.FREE,
    )
    _approve(people, request, software=added)
    request.refresh_from_db()
    assert request.software == added
    assert Installation.objects.get(request=request).software == added


def test_a_refusal_needs_its_reason(people, make_device):
    request = _ask(people, make_device(), name="Video downloader")
    with pytest.raises(ValidationError, match="Say why"):
        actions.decide_request(actor=people["tech_coordinator"], request=request, approve=False)
    actions.decide_request(
        actor=people["tech_coordinator"], request=request, approve=False, note="Not licensed."
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert request.decision_note == "Not licensed."
    assert AuditEvent.objects.filter(
        action=AuditAction.SOFTWARE_REQUEST_REFUSED, target_id=str(request.pk)
    ).exists()
