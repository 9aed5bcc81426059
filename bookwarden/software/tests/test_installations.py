"""CC-4, LV-6: nothing is installed without an approved request; approving an install
records it, approving a removal ends it; who may decide, and self-approval recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.software import actions
from bookwarden.software.models import Installation, RequestKind, RequestStatus

pytestmark = pytest.mark.django_db


def _ask(actor, device, software, kind=RequestKind.INSTALL):
    return actions.request_software(
        actor=actor, device=device, kind=kind, software=software, reason="Needed."
    )


def test_a_request_installs_nothing_until_approved(people, make_device, make_software):
    pc, reader = make_device(), make_software()
    request = _ask(people["staff"], pc, reader)
    assert not Installation.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.SOFTWARE_REQUESTED, target_id=str(request.pk)
    ).exists()
    actions.decide_request(actor=people["tech_coordinator"], request=request, approve=True)
    installation = Installation.objects.get()
    assert (installation.software, installation.device, installation.request) == (
        reader,
        pc,
        request,
    )
    assert installation.removed_on is None
    assert AuditEvent.objects.filter(
        action=AuditAction.SOFTWARE_INSTALLATION_RECORDED, target_id=str(installation.pk)
    ).exists()


def test_an_approved_removal_ends_the_installation(people, make_device, make_software):
    pc, reader = make_device(), make_software()
    actions.decide_request(
        actor=people["director"], request=_ask(people["staff"], pc, reader), approve=True
    )
    removal = _ask(people["staff"], pc, reader, RequestKind.REMOVE)
    assert Installation.objects.current().count() == 1
    actions.decide_request(actor=people["director"], request=removal, approve=True)
    installation = Installation.objects.get()
    assert installation.removed_on is not None
    assert installation.removal_request == removal
    assert not Installation.objects.current().exists()
    assert AuditEvent.objects.filter(action=AuditAction.SOFTWARE_INSTALLATION_REMOVED).exists()


def test_removing_what_is_not_installed_or_installing_twice_is_refused(
    people, make_device, make_software
):
    pc, reader = make_device(), make_software()
    with pytest.raises(ValidationError, match="is not installed on"):
        _ask(people["staff"], pc, reader, RequestKind.REMOVE)
    request = _ask(people["staff"], pc, reader)
    with pytest.raises(ValidationError, match="already waiting"):
        _ask(people["volunteer"], pc, reader)
    actions.decide_request(actor=people["tech_coordinator"], request=request, approve=True)
    with pytest.raises(ValidationError, match="already installed"):
        _ask(people["staff"], pc, reader)


@pytest.mark.parametrize("key", ["staff", "it_staff", "designee", "auditor"])
def test_only_the_coordinator_and_director_decide(people, make_device, make_software, key):
    request = _ask(people["staff"], make_device(), make_software())
    with pytest.raises(PermissionDenied):
        actions.decide_request(actor=people[key], request=request, approve=True)


def test_an_auditor_cannot_ask_and_the_catalog_is_kept_by_it(people, make_device, new_madrid):
    with pytest.raises(PermissionDenied):
        _ask(people["auditor"], make_device(), None)
    with pytest.raises(PermissionDenied):
        actions.add_software(
            actor=people["staff"], library=new_madrid, name="X", license_kind="free"
        )


def test_the_coordinator_may_approve_their_own_request_and_it_is_recorded(
    people, make_device, make_software
):
    coordinator = people["tech_coordinator"]
    request = _ask(coordinator, make_device(), make_software())
    actions.decide_request(actor=coordinator, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert request.self_approved is True
    event = AuditEvent.objects.get(
        action=AuditAction.SOFTWARE_REQUEST_APPROVED, target_id=str(request.pk)
    )
    assert event.after["self_approved"] is True
    other = _ask(people["staff"], make_device("PC-2"), make_software())
    actions.decide_request(actor=coordinator, request=other, approve=True)
    other.refresh_from_db()
    assert other.self_approved is False


def test_a_decided_request_is_not_decided_again(people, make_device, make_software):
    request = _ask(people["staff"], make_device(), make_software())
    actions.decide_request(actor=people["director"], request=request, approve=False, note="No.")
    with pytest.raises(ValidationError, match="already been decided"):
        actions.decide_request(actor=people["director"], request=request, approve=True)
    assert not Installation.objects.exists()


def test_software_of_another_library_is_refused(people, make_device, make_software, cresco):
    theirs = make_software("Cresco tool", library=cresco)
    with pytest.raises(ValidationError, match="device's library"):
        _ask(people["staff"], make_device(), theirs)
