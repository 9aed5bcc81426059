"""IT-4: a login changes at once, with the reason recorded, after an outside party's access
to what it opens, after a holder leaves or loses the IT role, or when an incident names it
as compromised.  Recording the change clears it and keeps the history (IT-2)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Membership
from bookwarden.credentials import actions
from bookwarden.credentials.jobs import credentials as credentials_job
from bookwarden.credentials.models import Credential
from bookwarden.operations import actions as operations
from bookwarden.people import actions as people_actions


def _outside_visit(people, new_madrid, *, devices="", title="Firmware update", outside=True, **kw):
    return operations.create_entry(
        actor=people["it_staff"],
        library=new_madrid,
        kind="maintenance",
        title=title,
        narrative="The vendor's technician updated the firmware.",
        occurred_at=kw.pop("occurred_at", timezone.now()),
        devices=devices,
        outside_party=outside,
        outside_party_name="Joe Banks, Delta Fiber" if outside else "",
    )


def _reload(credential) -> Credential:
    return Credential.objects.get(pk=credential.pk)


def test_an_outside_visit_to_a_device_it_opens_makes_it_due_at_once(
    people, new_madrid, router, make_credential
) -> None:
    credential = make_credential(devices=[router])
    other = make_credential(system="ILS database", kind="database", account_name="koha")
    entry = _outside_visit(people, new_madrid, devices="nm-rtr01")
    credential = _reload(credential)
    assert credential.is_due_now
    assert "Joe Banks, Delta Fiber had access to Main router" in credential.due_reason
    assert not _reload(other).is_due_now
    event = AuditEvent.objects.get(action=AuditAction.CREDENTIAL_DUE_NOW)
    assert event.target_id == str(credential.pk) or int(event.target_id) == credential.pk
    assert event.after == {"cause": "outside_access", "entry": entry.pk}
    # The job finds nothing more to do (idempotent).
    credentials_job()
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIAL_DUE_NOW).count() == 1


def test_an_entry_naming_the_system_counts_too(people, new_madrid, make_credential) -> None:
    credential = make_credential(system="ILS database", kind="database", account_name="koha")
    _outside_visit(people, new_madrid, title="Vendor tuned the ILS database")
    assert _reload(credential).is_due_now


def test_library_it_staff_or_an_older_visit_do_not_count(
    people, new_madrid, router, make_credential
) -> None:
    credential = make_credential(devices=[router], days_ago=5)
    _outside_visit(people, new_madrid, devices="NM-RTR01", outside=False)
    _outside_visit(
        people,
        new_madrid,
        devices="NM-RTR01",
        occurred_at=timezone.now() - datetime.timedelta(days=10),
    )
    credentials_job()
    assert not _reload(credential).is_due_now


def test_the_job_catches_a_visit_recorded_before_the_login_was_named(
    people, new_madrid, router, make_credential
) -> None:
    credential = make_credential(days_ago=20)
    _outside_visit(people, new_madrid, devices="NM-RTR01")
    assert not _reload(credential).is_due_now
    actions.update_credential(
        actor=people["tech_coordinator"],
        credential=credential,
        system=credential.system,
        kind=credential.kind,
        account_name=credential.account_name,
        manager_kind=credential.manager_kind,
        manager_item=credential.manager_item,
        holders=[people["it_staff"]],
        devices=[router],
    )
    assert credentials_job() == "1 shared login marked to change now."
    assert _reload(credential).is_due_now
    assert credentials_job() == "0 shared logins marked to change now."


def test_a_holder_who_leaves_makes_it_due(people, new_madrid, it_person, make_credential) -> None:
    credential = make_credential(holders=[it_person, people["it_staff"]])
    credentials_job()
    assert not _reload(credential).is_due_now
    people_actions.record_departure(
        actor=people["human_resources"],
        user=it_person,
        library=new_madrid,
        last_day=timezone.localdate(),
        end_now=True,
    )
    credentials_job()
    credential = _reload(credential)
    assert credential.is_due_now
    assert "A holder left or lost the role" in credential.due_reason
    assert "Rita Lane" in credential.due_reason
    # The change is recorded: the leaver no longer holds it, and it stays fine.
    actions.record_rotation(
        actor=people["it_staff"],
        credential=credential,
        changed_on=timezone.localdate(),
        changed_by=people["it_staff"],
    )
    credential = _reload(credential)
    assert not credential.is_due_now
    assert list(credential.holders.all()) == [people["it_staff"]]
    credentials_job()
    assert not _reload(credential).is_due_now


def test_a_holder_who_loses_the_it_role_makes_it_due(
    people, new_madrid, it_person, make_credential
) -> None:
    from bookwarden.core.actions import revoke_role

    credential = make_credential(holders=[it_person])
    revoke_role(
        actor=people["director"],
        membership=Membership.objects.get(user=it_person, library=new_madrid),
    )
    credentials_job()
    assert _reload(credential).is_due_now


def test_only_it_staff_may_hold_a_login(people, make_credential) -> None:
    with pytest.raises(ValidationError) as refused:
        make_credential(holders=[people["staff"]])
    assert "holders" in refused.value.message_dict


def test_an_incident_marks_it_compromised(people, new_madrid, make_credential) -> None:
    credential = make_credential()
    backup = _outside_visit(people, new_madrid, outside=False)
    with pytest.raises(ValidationError):
        actions.mark_compromised(
            actor=people["tech_coordinator"], credential=credential, incident=backup
        )
    incident = operations.create_entry(
        actor=people["it_staff"],
        library=new_madrid,
        kind="intrusion",
        title="Unknown login on the router",
        narrative="Someone logged in to the router from abroad.",
        occurred_at=timezone.now(),
    )
    actions.mark_compromised(
        actor=people["tech_coordinator"], credential=credential, incident=incident
    )
    credential = _reload(credential)
    assert credential.is_due_now
    assert f"security incident #{incident.pk}" in credential.due_reason
    event = AuditEvent.objects.get(action=AuditAction.CREDENTIAL_DUE_NOW)
    assert event.after == {"cause": "incident", "entry": incident.pk}


def test_a_rotation_clears_it_and_keeps_the_history(people, new_madrid, make_credential) -> None:
    credential = make_credential(days_ago=200)
    it = people["it_staff"]
    with pytest.raises(ValidationError):
        actions.record_rotation(
            actor=it,
            credential=credential,
            changed_on=timezone.localdate() + datetime.timedelta(days=1),
            changed_by=it,
        )
    first = actions.record_rotation(
        actor=it,
        credential=credential,
        changed_on=timezone.localdate() - datetime.timedelta(days=3),
        changed_by=it,
        note="Yearly change.",
    )
    second = actions.record_rotation(
        actor=people["tech_coordinator"],
        credential=credential,
        changed_on=timezone.localdate(),
        changed_by=people["tech_coordinator"],
    )
    credential = _reload(credential)
    assert credential.last_changed_on == timezone.localdate()
    assert credential.last_changed_by == people["tech_coordinator"]
    assert list(credential.rotations.all()) == [second, first]
    assert second.recorded_by == people["tech_coordinator"]
    assert AuditEvent.objects.filter(action=AuditAction.CREDENTIAL_ROTATED).count() == 2
    with pytest.raises(ValidationError):  # before the last change
        actions.record_rotation(
            actor=it, credential=credential, changed_on=first.changed_on, changed_by=it
        )
