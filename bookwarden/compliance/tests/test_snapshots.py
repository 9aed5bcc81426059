"""The daily snapshots (CC-8): the job writes one row per library, control and day, and
running it twice the same day writes the same rows again, not more; a control's history
reads them back over 12 months."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from bookwarden.compliance.controls import catalog, history
from bookwarden.compliance.jobs import compliance_snapshots
from bookwarden.compliance.models import ControlSnapshot
from bookwarden.compliance.snapshots import write_snapshots
from bookwarden.core.models import Library
from bookwarden.credentials.models import Credential
from bookwarden.credentials.tests.factories import a_credential_of
from bookwarden.jobs.registry import all_jobs

from .factories import CHECKED_CONTROL


def test_the_job_is_registered(people) -> None:
    assert "compliance_snapshots" in {job.name for job in all_jobs()}


def test_the_job_is_idempotent_per_day(people, new_madrid) -> None:
    libraries = Library.objects.count()
    controls = len(catalog(new_madrid))
    assert compliance_snapshots() == f"{libraries * controls} control statuses recorded."
    first = list(ControlSnapshot.objects.values_list("library_id", "control_id", "status"))
    compliance_snapshots()
    assert ControlSnapshot.objects.count() == libraries * controls
    assert sorted(first) == sorted(
        ControlSnapshot.objects.values_list("library_id", "control_id", "status")
    )


def test_history_keeps_a_year_of_days(people, new_madrid) -> None:
    """IT-2: a login overdue since a given day shows in the history from that day on."""
    login = a_credential_of(new_madrid)
    start = timezone.now() - datetime.timedelta(days=400)
    Credential.objects.filter(pk=login.pk).update(
        last_changed_on=timezone.localdate(start) - datetime.timedelta(days=100)
    )
    for days in (400, 200, 60, 1, 0):
        with time_machine.travel(timezone.now() - datetime.timedelta(days=days), tick=False):
            write_snapshots(libraries=[new_madrid])
    rows = history(new_madrid, "shared-logins-rotated")
    assert [r.status for r in rows] == ["failing"] * 4  # the one 400 days ago is too old
    assert rows == sorted(rows, key=lambda r: r.day)
    assert rows[-1].day == timezone.localdate()
    assert history(new_madrid, CHECKED_CONTROL)
