"""IT-2, IT-4: logins to change are on the holders' and the technology coordinator's "My
tasks", and are duties of each holder, which the reminders job mails once each."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from bookwarden.core.my_tasks import tasks_for
from bookwarden.core.obligations import duties_for
from bookwarden.credentials import actions
from bookwarden.onboarding.models import DutyReminder
from bookwarden.onboarding.reminders import send_reminders


def _titles(user) -> list[str]:
    user.forget_roles()
    return [t.title for t in tasks_for(user) if t.key.startswith("credentials:")]


def test_on_the_holders_and_the_coordinators_home(people, make_credential, it_person) -> None:
    make_credential(days_ago=181, holders=[it_person])
    make_credential(days_ago=10, system="Firewall", kind="firewall")
    title = "Shared login: Main router (admin)"
    assert _titles(it_person) == [title]
    assert _titles(people["tech_coordinator"]) == [title]
    # Sam holds only the firewall, which is fine; staff and other libraries see nothing.
    assert _titles(people["it_staff"]) == []
    assert _titles(people["staff"]) == []
    assert _titles(people["outsider"]) == []
    task = next(t for t in tasks_for(people["tech_coordinator"]) if t.title == title)
    assert task.urgent and task.overdue


def test_due_soon_then_due_now_is_one_task(people, new_madrid, make_credential) -> None:
    credential = make_credential(days_ago=170)
    [task] = [t for t in tasks_for(people["it_staff"]) if t.key.startswith("credentials:")]
    assert not task.urgent
    actions.mark_compromised(
        actor=people["tech_coordinator"],
        credential=credential,
        incident=_incident(people, new_madrid),
    )
    [task] = [t for t in tasks_for(people["it_staff"]) if t.key.startswith("credentials:")]
    assert task.urgent and task.todo.startswith("Change it now")


def _incident(people, library):
    from bookwarden.operations.actions import create_entry

    return create_entry(
        actor=people["it_staff"],
        library=library,
        kind="malware",
        title="Malware on the ILS server",
        narrative="Ransomware note found.",
        occurred_at=timezone.now(),
    )


def test_duties_of_each_holder_and_reminded_once(
    people, new_madrid, make_credential, it_person
) -> None:
    credential = make_credential(days_ago=175, holders=[it_person, people["it_staff"]])
    key = f"credentials:{credential.pk}:{credential.last_changed_on.isoformat()}"
    for person in (it_person, people["it_staff"]):
        [duty] = [d for d in duties_for(person, new_madrid) if d.kind == "credential"]
        assert duty.key == key
        assert duty.due_on == credential.last_changed_on + datetime.timedelta(days=180)
    assert not [
        d for d in duties_for(people["tech_coordinator"], new_madrid) if d.kind == "credential"
    ]

    send_reminders()
    send_reminders()
    assert DutyReminder.objects.filter(duty_key=key).count() == 2  # once per holder
    with time_machine.travel(timezone.now() + datetime.timedelta(days=10)):
        send_reminders()
        send_reminders()
    assert DutyReminder.objects.filter(duty_key=key, user=it_person).count() == 2  # + overdue

    # Changed: the duty is gone, the next period's is a new key.
    actions.record_rotation(
        actor=it_person,
        credential=credential,
        changed_on=timezone.localdate(),
        changed_by=it_person,
    )
    assert not [d for d in duties_for(it_person, new_madrid) if d.kind == "credential"]
