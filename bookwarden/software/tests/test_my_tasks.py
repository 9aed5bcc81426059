"""CC-4, LV-6, LV-10 on "My tasks": requests waiting for the approvers, the decision for the
person who asked (for two days), expiring and expired licenses for the coordinator."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from bookwarden.core.my_tasks import tasks_for
from bookwarden.software import actions
from bookwarden.software.models import LicenseKind, RequestKind

pytestmark = pytest.mark.django_db


def _titles(user, prefix):
    return [t for t in tasks_for(user) if t.title.startswith(prefix)]


def test_a_waiting_request_is_a_task_for_the_approvers_and_the_decision_for_the_asker(
    people, make_device, make_software
):
    request = actions.request_software(
        actor=people["staff"],
        device=make_device(),
        kind=RequestKind.INSTALL,
        software=make_software(),
        reason="Forms.",
    )
    for key in ("tech_coordinator", "director"):
        assert len(_titles(people[key], "Software request:")) == 1, key
    for key in ("it_staff", "staff", "outsider"):
        assert not _titles(people[key], "Software request:"), key
    actions.decide_request(actor=people["tech_coordinator"], request=request, approve=True)
    assert not _titles(people["tech_coordinator"], "Software request:")
    [seen] = _titles(people["staff"], "Your software request:")
    assert seen.state.startswith("Approved")
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3)):
        assert not _titles(people["staff"], "Your software request:")


def test_an_expiring_or_expired_license_is_a_task_for_the_coordinator(people, make_software):
    with time_machine.travel(datetime.date(2026, 6, 1)):
        make_software(
            "Soon",
            license_kind=LicenseKind.SUBSCRIPTION,
            license_expires_on=datetime.date(2026, 6, 20),
        )
        make_software(
            "Gone",
            license_kind=LicenseKind.SUBSCRIPTION,
            license_expires_on=datetime.date(2026, 5, 20),
        )
        make_software(
            "Later",
            license_kind=LicenseKind.SUBSCRIPTION,
            license_expires_on=datetime.date(2026, 9, 1),
        )
        tasks = {t.title: t for t in _titles(people["tech_coordinator"], "License of")}
        assert set(tasks) == {"License of Soon", "License of Gone"}
        assert tasks["License of Gone"].urgent and not tasks["License of Soon"].urgent
        assert not _titles(people["staff"], "License of")
