"""IT-10: the log is searched and filtered (kind, status, branch, dates, person, words) and
exported as CSV; the export is recorded, and its cells can never run as formulas."""

from __future__ import annotations

import csv
import datetime
import io

from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.operations import actions


def _titles(client, query: str) -> set[str]:
    response = client.get(f"/operations/?{query}")
    assert response.status_code == 200
    return {e.title for e, _ in response.context["rows"]}


def test_filters(people, make_entry, new_madrid, client_as) -> None:
    rhodes = new_madrid.branches.get(slug="rhodes")
    old = timezone.now() - datetime.timedelta(days=40)
    make_entry(title="Old backup", occurred_at=old)
    patch = make_entry(kind="patching", title="Patch Tuesday", branch=rhodes)
    make_entry(kind="router_change", title="Router swap", accounts=[people["staff"]])
    actions.add_step(actor=people["tech_coordinator"], entry=patch, text="Rebooted")
    actions.close_entry(actor=people["it_staff"], entry=patch)

    client = client_as("auditor")
    assert _titles(client, "") == {"Old backup", "Patch Tuesday", "Router swap"}
    assert _titles(client, "kind=patching") == {"Patch Tuesday"}
    assert _titles(client, "status=closed") == {"Patch Tuesday"}
    assert _titles(client, "status=unclosed") == {"Old backup", "Router swap"}
    assert _titles(client, f"branch={rhodes.pk}") == {"Patch Tuesday"}
    since = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert _titles(client, f"since={since}") == {"Patch Tuesday", "Router swap"}
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert _titles(client, f"until={until}") == {"Old backup"}
    assert _titles(client, "person=tpatel") == {"Patch Tuesday"}  # took a step
    assert _titles(client, "person=bjohnson") == {"Router swap"}  # account involved
    assert _titles(client, "q=router+swap") == {"Router swap"}


def test_open_entries_show_their_age_from_when_they_happened(make_entry, client_as) -> None:
    """An entry recorded today about something that happened three days ago is three days
    old, not "0 minutes" (issue 10: the age of the event, not of its row)."""
    make_entry(title="Aging", occurred_at=timezone.now() - datetime.timedelta(days=3))
    page = client_as("director").get("/operations/").content.decode()
    row = page[page.index("Aging") :]
    row = row[: row.index("</tr>")]
    assert "3\xa0days ago" in row
    assert "minute" not in row
    assert "Overdue" not in row  # a medium backup has 7 days, counted from its recording


def test_csv_export_is_recorded_and_injection_safe(people, make_entry, client_as) -> None:
    make_entry(title='=HYPERLINK("http://evil")', narrative="+1+cmd|' /C calc'!A0")
    make_entry(kind="patching", title="Ordinary")
    response = client_as("auditor").get("/operations/export/?kind=backup")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["id", "library", "branch"]
    assert len(rows) == 2  # the filter applies
    cells = rows[1]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "'+1+cmd|' /C calc'!A0" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)
    event = AuditEvent.objects.get(action=AuditAction.OPS_EXPORTED)
    assert event.actor == people["auditor"]
    assert event.after["rows"] == 1
    assert event.after["filters"] == {"kind": "backup"}


def test_the_list_and_export_hold_only_ones_own_library(make_entry, client_as, cresco) -> None:
    make_entry(title="New Madrid backup")
    actions.create_entry(
        actor=None,
        library=cresco,
        kind="backup",
        title="Cresco backup",
        narrative="ran",
        occurred_at=timezone.now(),
    )
    assert _titles(client_as("outsider"), "") == {"Cresco backup"}
    assert _titles(client_as("director"), "") == {"New Madrid backup"}
    export = client_as("outsider").get("/operations/export/").content.decode()
    assert "Cresco backup" in export and "New Madrid" not in export
