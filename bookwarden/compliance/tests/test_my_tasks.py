""" "My tasks" (CC-8): a control that failed in last night's snapshot is a task of those who
hold its owner's role, not of the others."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.compliance.snapshots import write_snapshots
from bookwarden.core.my_tasks import tasks_for
from bookwarden.credentials.models import Credential
from bookwarden.credentials.tests.factories import a_credential_of

TITLE = "Failing control: Shared logins change at least every 180 days"


def test_a_failing_control_is_a_task_of_its_owner(people, new_madrid) -> None:
    login = a_credential_of(new_madrid)
    Credential.objects.filter(pk=login.pk).update(
        last_changed_on=timezone.localdate() - datetime.timedelta(days=200)
    )
    assert TITLE not in [t.title for t in tasks_for(people["tech_coordinator"])]
    write_snapshots(libraries=[new_madrid])
    (task,) = [t for t in tasks_for(people["tech_coordinator"]) if t.title == TITLE]
    assert task.url == "/compliance/new-madrid/controls/shared-logins-rotated/"
    assert "changed within 180 days" in task.state
    # The owner is the technology coordinator: the director and the auditor are not asked.
    assert TITLE not in [t.title for t in tasks_for(people["director"])]
    assert TITLE not in [t.title for t in tasks_for(people["auditor"])]
