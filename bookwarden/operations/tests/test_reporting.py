"""CC-2: any member of staff reports a concern in under a minute, from a phone, and follows
its status on "My reports"."""

from __future__ import annotations

import re

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.operations import actions
from bookwarden.operations.models import EntryKind, EntryStatus, LogEntry


def test_the_report_form_is_short_and_needs_no_script(client_as) -> None:
    page = client_as("volunteer").get("/operations/report/").content.decode()
    assert "<script" not in page.split("<main", 1)[1]
    assert 'name="viewport"' in page
    # Only the narrative is required; every visible field has a label.
    assert page.count("(required)") == 1
    for field_id in re.findall(r'<(?:textarea|select|input)[^>]* id="(id_[a-z_0-9]+)"', page):
        if field_id not in ("id_library", "id_submission_token"):  # hidden
            assert f'for="{field_id}"' in page or re.search(
                rf'<label[^>]*>\s*<input[^>]*id="{field_id}"', page
            ), field_id
    # One library: it is chosen already, not asked.
    assert 'type="hidden" name="library" value="new-madrid"' in page


def test_one_post_records_the_concern_and_the_reporter_sees_its_status(people, client_as) -> None:
    """CC-2: one POST with only what happened; when defaults to now."""
    client = client_as("volunteer")
    response = client.post("/operations/report/", {"narrative": "A stranger used the desk PC."})
    assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert response["Location"] == f"/operations/mine/{entry.pk}/"
    assert entry.kind == EntryKind.CONCERN
    assert entry.reported_by == people["volunteer"]
    assert entry.library.slug == "new-madrid"
    assert entry.occurred_at is not None
    event = AuditEvent.objects.get(action=AuditAction.OPS_ENTRY_CREATED)
    assert "stranger" not in str(event.after)  # the narrative never goes to the audit log

    mine = client.get("/operations/mine/").content.decode()
    assert "A stranger used the desk PC." in mine
    assert "Open" in mine
    # The report's number is a link to the report.
    assert f'href="/operations/mine/{entry.pk}/">#{entry.pk}</a>' in mine
    page = client.get(f"/operations/mine/{entry.pk}/").content.decode()
    assert f"Your report #{entry.pk}" in page and "A stranger used the desk PC." in page
    actions.update_entry(actor=people["it_staff"], entry=entry, status=EntryStatus.IN_PROGRESS)
    assert "In progress" in client.get("/operations/mine/").content.decode()
    # Someone else's reports are not listed, nor shown.
    other = client_as("staff")
    assert "A stranger" not in other.get("/operations/mine/").content.decode()
    assert other.get(f"/operations/mine/{entry.pk}/").status_code == 404


def _report_form(client) -> dict[str, str]:
    """The report form as the page shows it: its one-time token and its initial values."""
    page = client.get("/operations/report/").content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert token, "the form carries a one-time token"
    return {"submission_token": token.group(1), "library": "new-madrid"}


def test_the_same_report_sent_twice_makes_one_entry(people, client_as) -> None:
    """CC-2: a double tap, or the page sent again, records the report once (one entry, one
    audit event, one notice) and shows the report already made."""
    client = client_as("staff")
    form = _report_form(client) | {"narrative": "Ransom note on the desk PC", "kind": "malware"}
    first = client.post("/operations/report/", form)
    second = client.post("/operations/report/", form)
    entry = LogEntry.objects.get()
    assert first["Location"] == second["Location"] == f"/operations/mine/{entry.pk}/"
    assert AuditEvent.objects.filter(action=AuditAction.OPS_ENTRY_CREATED).count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "already sent" in page

    # A new form is a new report, even with the same words.
    client.post("/operations/report/", _report_form(client) | {"narrative": form["narrative"]})
    assert LogEntry.objects.count() == 2


def test_the_branch_is_the_reporters_own(people, client_as, new_madrid) -> None:
    """Staff of one branch find it chosen; "Not sure" is still offered."""
    page = client_as("staff").get("/operations/report/").content.decode()
    own = new_madrid.branches.get(slug="portageville")
    assert re.search(rf'<option value="{own.pk}" selected>', page)
    assert "Not sure" in page
    # The director works for the whole library: no branch is chosen for them.
    page = client_as("director").get("/operations/report/").content.decode()
    assert '<option value="" selected>Not sure</option>' in page


def test_narratives_keep_their_lines_in_the_normal_font(client_as, make_entry) -> None:
    entry = make_entry(narrative="First line\nSecond <line>")
    page = client_as("director").get(f"/operations/{entry.pk}/").content.decode()
    assert "First line<br>Second &lt;line&gt;" in page
    assert "<pre>" not in page


def test_a_report_with_all_fields_and_a_plain_kind(people, client_as, new_madrid) -> None:
    branch = new_madrid.branches.get(slug="rhodes")
    response = client_as("staff").post(
        "/operations/report/",
        {
            "narrative": "Pop-up asking to call Microsoft",
            "kind": EntryKind.MALWARE,
            "occurred_at": "2026-01-05T09:30",
            "library": "new-madrid",
            "branch": str(branch.pk),
            "device": "public PC 3",
            "patron_data_involved": "on",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get()
    assert (entry.kind, entry.branch, entry.devices) == (EntryKind.MALWARE, branch, "public PC 3")
    assert entry.patron_data_involved
    assert entry.occurred_at.year == 2026


def test_an_empty_report_is_refused_and_nothing_recorded(client_as) -> None:
    response = client_as("staff").post("/operations/report/", {"narrative": "  "})
    assert response.status_code == 400
    assert not LogEntry.objects.exists()


def test_the_home_page_offers_to_report(client_as) -> None:
    """CC-2: everyone who works at the library finds the way to report from their home
    page; board members and auditors never write, so they are not offered it."""
    for who in ("volunteer", "contractor", "director"):
        assert 'href="/operations/report/"' in client_as(who).get("/").content.decode()
    assert 'href="/operations/report/"' not in client_as("auditor").get("/").content.decode()


def test_the_auditor_reads_the_log_but_never_records(client_as, make_entry) -> None:
    entry = make_entry()
    client = client_as("auditor")
    assert client.get(f"/operations/{entry.pk}/").status_code == 200
    assert client.post(f"/operations/{entry.pk}/steps/", {"text": "x"}).status_code == 403
    assert client.get("/operations/new/").status_code == 403
