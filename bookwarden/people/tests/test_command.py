"""``bookwarden staff end-account USERNAME --library SLUG [--last-day YYYY-MM-DD]`` (CC-1):
the same actions as the pages, from the command line, acting as the installation."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.people.models import Departure


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("staff", *args, stdout=out)
    return out.getvalue()


def test_end_account_now(people, new_madrid) -> None:
    staff = people["staff"]
    head = audit_head()
    out = _run("end-account", staff.username, "--library", "new-madrid")
    assert "ended" in out and "turned off" in out
    staff.refresh_from_db()
    assert not staff.is_active
    (ended,) = events_since(head, AuditAction.ACCOUNT_ENDED)
    assert ended.actor_id is None and ended.request_id.startswith("cli-staff-")


def test_end_account_on_a_last_day_to_come_then_moved(people, new_madrid) -> None:
    staff = people["staff"]
    day = timezone.localdate() + datetime.timedelta(days=7)
    out = _run("end-account", staff.username, "--library", "new-madrid", "--last-day", str(day))
    assert day.isoformat() in out and "when that day is over" in out
    staff.refresh_from_db()
    assert staff.is_active
    later = day + datetime.timedelta(days=3)
    _run("end-account", staff.username, "--library", "new-madrid", "--last-day", str(later))
    departure = Departure.objects.get(user=staff)
    assert departure.last_day == later and departure.is_pending


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody", "--library", "new-madrid"), "No account"),
        (("bjohnson", "--library", "nowhere"), "No library"),
        (("pnguyen", "--library", "new-madrid"), "no role here"),
    ],
)
def test_end_account_refuses_bad_input(people, args, message) -> None:
    head = audit_head()
    with pytest.raises(CommandError, match=message):
        _run("end-account", *args)
    assert events_since(head) == []
