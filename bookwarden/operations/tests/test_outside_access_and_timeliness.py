"""IT-4: after access by someone who is not library IT staff, the passwords change at once
(the technology coordinator's home page says so until it is recorded).  IT-7: entries are
closed in good time (targets per kind and severity; the library's own overrides)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.my_tasks import tasks_for
from bookwarden.operations import actions
from bookwarden.operations.models import OperationsSettings
from bookwarden.operations.timeliness import DEFAULT_TARGET_DAYS, effective_targets


def _titles(user) -> list[str]:
    user.forget_roles()
    return [t.title for t in tasks_for(user)]


def _overdue(user) -> list[str]:
    """The log entries past their target on the person's home."""
    user.forget_roles()
    return [t.title for t in tasks_for(user) if t.key.startswith("operations:") and t.overdue]


def test_outside_maintenance_is_open_until_the_passwords_changed(
    people, make_entry, client_as
) -> None:
    """The shared logins it names are the credentials app's tasks (its tests show them)."""
    when = timezone.now() - datetime.timedelta(days=2)
    entry = make_entry(
        kind="maintenance",
        title="Printer serviced",
        occurred_at=when,
        outside_party=True,
        outside_party_name="Dave Lutz, Bootheel Office Systems",
    )
    tech = people["tech_coordinator"]
    # It cannot be closed before the passwords changed.
    with pytest.raises(ValidationError):
        actions.close_entry(actor=people["it_staff"], entry=entry)
    # The auditor may not say the passwords changed.
    url = f"/operations/{entry.pk}/passwords-changed/"
    assert client_as("auditor").post(url).status_code == 403
    entry.refresh_from_db()
    assert entry.needs_password_change

    response = client_as("tech_coordinator").post(url, {"note": "printer admin, scan account"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.needs_password_change
    event = AuditEvent.objects.get(action=AuditAction.OPS_OUTSIDE_ACCESS_RESOLVED)
    assert event.actor == tech
    assert entry.steps.filter(text__contains="Passwords changed").exists()
    actions.close_entry(actor=people["it_staff"], entry=entry)


def test_outside_party_needs_a_name(make_entry) -> None:
    with pytest.raises(ValidationError):
        make_entry(kind="maintenance", outside_party=True, outside_party_name=" ")


def _recorded_days_ago(make_entry, days: float, **kwargs):
    recorded = timezone.now() - datetime.timedelta(days=days)
    return make_entry(actor=None, recorded_at=recorded, occurred_at=recorded, **kwargs)


def test_overdue_entries_against_the_default_targets(people, make_entry) -> None:
    """IT-7: a critical incident has 1 day, a high one 3, a medium change 7."""
    late_incident = _recorded_days_ago(
        make_entry, 1.5, kind="malware", title="Late malware", severity="critical"
    )
    _recorded_days_ago(make_entry, 1.5, kind="malware", title="High malware", severity="high")
    late_change = _recorded_days_ago(make_entry, 8, kind="server_change", title="Late change")
    _recorded_days_ago(make_entry, 6, kind="server_change", title="Recent change")
    closed = _recorded_days_ago(make_entry, 30, kind="backup", title="Old closed backup")
    actions.close_entry(actor=None, entry=closed)

    assert sorted(_overdue(people["it_staff"])) == sorted(
        [
            f"Security incident #{late_incident.pk}: Late malware",
            f"Log entry #{late_change.pk}: Late change",
        ]
    )
    # The high one is due within days: on the home page, not yet overdue.
    assert any(t.endswith(": High malware") for t in _titles(people["it_staff"]))
    # Only those who run the log are told: not HR, not the auditor, not Cresco.
    for who in ("human_resources", "auditor", "outsider", "staff"):
        assert not _overdue(people[who]), who


def test_a_librarys_own_targets_apply(people, make_entry, new_madrid, client_as) -> None:
    entry = _recorded_days_ago(make_entry, 6, kind="server_change", title="Change")
    assert not _overdue(people["it_staff"])
    response = client_as("director").post(
        f"/operations/settings/{new_madrid.slug}/",
        {"escalation_minutes": "30", "change__medium": "5"},
    )
    assert response.status_code == 302
    row = OperationsSettings.objects.get(library=new_madrid)
    assert row.escalation_minutes == 30
    assert row.target_days == {"change": {"medium": 5}}
    assert effective_targets(row.target_days)["change"]["medium"] == 5
    assert effective_targets(row.target_days)["incident"] == {
        str(k): v for k, v in DEFAULT_TARGET_DAYS["incident"].items()
    }
    assert _overdue(people["it_staff"]) == [f"Log entry #{entry.pk}: Change"]
    event = AuditEvent.objects.get(action=AuditAction.OPS_SETTINGS_CHANGED)
    assert event.after == {"escalation_minutes": 30, "target_days": {"change": {"medium": 5}}}
    page = client_as("director").get("/operations/").content.decode()
    assert "Overdue" in page


def test_only_the_director_changes_the_settings(client_as, new_madrid) -> None:
    url = f"/operations/settings/{new_madrid.slug}/"
    assert client_as("tech_coordinator").post(url, {"escalation_minutes": "5"}).status_code == 403
    assert client_as("outsider").post(url, {"escalation_minutes": "5"}).status_code == 404
    assert not OperationsSettings.objects.exists()
