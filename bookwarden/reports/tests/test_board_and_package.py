"""The annual board report (CC-11, CC-12) as a page and a PDF, and the grant auditor's
package (CC-8, 2 CFR 200.303): each section is there, the PDF opens, the ZIP's manifest
names every file with its SHA-256, no cell runs as a formula, producing either is on record,
and both work from the command line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.reports.board import build, year_period

from .history import build_history

#: The board report page's own queries (the controls' evaluation counted apart).
BOARD_QUERIES = 23

SECTIONS = (
    "The state of each control",
    "Policies reviewed and adopted",
    "Training completion by branch",
    "Incidents and breaches",
    "Requests for patron records",
    "Retention of patron records",
    "Open items",
)


@pytest.fixture
def history(people):
    return build_history(people)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_the_board_report_page_has_each_section(client_as, history) -> None:
    """CC-11, CC-12: the board member reads every section; counts of requests only."""
    year = timezone.localdate().year
    page = client_as("auditor").get(f"/reports/new-madrid/board/?year={year}").content.decode()
    for title in SECTIONS:
        assert f">{title}</h2>" in page, title
    assert "Secret Patronname" not in page and "Pat Requester" not in page
    assert "phishing incident" in page  # the incidents, with what was done
    assert "Filter tightened." in page


def test_the_board_report_counts_the_year(history) -> None:
    first, last = year_period(timezone.localdate().year)
    report = build(history.nm, first, last)
    disclosures = next(s for s in report.sections if s.key == "disclosures")
    totals = disclosures.tables[0].rows[-1]
    assert totals[0] == "All"
    assert sum(int(c) for c in totals[1:-1]) == int(totals[-1])


def test_the_pdf_opens_and_is_on_record(client_as, history, people) -> None:
    """The PDF starts as a PDF, has pages, draws a name the built-in fonts lack, and its
    production is an audit event of the board member."""
    history.nm.name = "Biblioteka Łódź New Madrid"
    history.nm.save()
    year = timezone.localdate().year
    response = client_as("auditor").get(f"/reports/new-madrid/board/pdf/?year={year}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and _pages(pdf) >= 2
    event = AuditEvent.objects.filter(action=AuditAction.REPORT_BOARD_PRODUCED).get()
    assert event.actor_id == people["auditor"].pk and event.library_id == history.nm.pk


def _open(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_auditor_package_and_its_manifest(client_as, history, people) -> None:
    """CC-8: one ZIP with the report, each control's evidence, the audit log's check and
    head hash, and a manifest whose every line matches its file."""
    today = timezone.localdate()
    response = client_as("auditor").post(
        "/reports/new-madrid/package/",
        {"first": today.replace(month=1, day=1).isoformat(), "last": today.isoformat()},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = _open(response.content)
    manifest = files.pop("manifest.sha256").decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in manifest)
    assert set(listed) == set(files)
    for name, data in files.items():
        assert hashlib.sha256(data).hexdigest() == listed[name], name
    assert files["report.pdf"].startswith(b"%PDF-")
    assert "controls/summary.csv" in files and "controls/history.csv" in files
    assert any(
        n.startswith("controls/") and n.endswith(".csv") for n in listed if "summary" not in n
    )
    verification = json.loads(files["audit/verification.json"])
    assert verification["ok"] is True
    seq, head = files["audit/head.txt"].decode().split()
    assert verification["head_hash"] == head and int(seq) == verification["head_seq"]
    # The snapshot whose summary looks like a formula is written as text (CSV injection).
    history_rows = list(csv.reader(io.StringIO(files["controls/history.csv"].decode())))
    assert any(row[4] == '\'=HYPERLINK("http://evil")' for row in history_rows[1:])
    event = AuditEvent.objects.filter(action=AuditAction.REPORT_PACKAGE_PRODUCED).get()
    assert event.actor_id == people["auditor"].pk
    assert event.after["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.after["audit_head_seq"] == int(seq)


def test_a_package_of_a_backwards_range_is_refused(client_as, history) -> None:
    response = client_as("director").post(
        "/reports/new-madrid/package/", {"first": "2026-06-01", "last": "2026-01-01"}
    )
    assert response.status_code == 200
    assert "The last day comes before the first." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REPORT_PACKAGE_PRODUCED).exists()


def test_staff_and_other_libraries_cannot_produce_them(client_as, history) -> None:
    assert client_as("staff").post("/reports/new-madrid/package/", {}).status_code == 403
    assert client_as("outsider").post("/reports/new-madrid/package/", {}).status_code == 404
    assert client_as("outsider").get("/reports/new-madrid/board/pdf/").status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="reports.").exists()


def test_the_command_line(history, tmp_path) -> None:
    """``bookwarden report board`` and ``bookwarden report package``."""
    year = timezone.localdate().year
    pdf = tmp_path / "board.pdf"
    call_command(
        "report", "board", "--year", str(year), "--library", "new-madrid", "--output", str(pdf)
    )
    assert pdf.read_bytes().startswith(b"%PDF-")
    target = tmp_path / "package.zip"
    out = io.StringIO()
    call_command(
        "report",
        "package",
        "--library",
        "new-madrid",
        "--from",
        f"{year}-01-01",
        "--to",
        timezone.localdate().isoformat(),
        "--output",
        str(target),
        stdout=out,
    )
    assert hashlib.sha256(target.read_bytes()).hexdigest() in out.getvalue()
    assert "manifest.sha256" in _open(target.read_bytes())
    actors = set(
        AuditEvent.objects.filter(action__startswith="reports.").values_list("actor_id", flat=True)
    )
    assert actors == {None}
    with pytest.raises(CommandError, match="No library"):
        call_command("report", "board", "--year", str(year), "--library", "nowhere")
    with pytest.raises(CommandError, match="Not a date"):
        call_command(
            "report",
            "package",
            "--library",
            "new-madrid",
            "--from",
            "soon",
            "--to",
            "later",
            "--output",
            str(target),
        )


def test_the_board_report_query_count_is_pinned(client_as, history) -> None:
    """The report reads each section with a few queries, whatever the data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookwarden.reports import controls_state

    with CaptureQueriesContext(connection) as evaluation:
        controls_state.current([history.nm])
    client = client_as("auditor")
    with CaptureQueriesContext(connection) as page:
        assert client.get("/reports/new-madrid/board/").status_code == 200
    assert len(page) - len(evaluation) <= BOARD_QUERIES


def test_a_past_years_controls_are_what_was_recorded_then(history) -> None:
    """CC-8: a past year's report shows the controls as the daily record of its last
    recorded day says, never recomputed today."""
    from bookwarden.compliance.models import ControlSnapshot

    year = timezone.localdate().year - 1
    first, last = year_period(year)
    section = build(history.nm, first, last).sections[0]
    assert "No daily record" in section.paragraphs[0] and not section.tables[0].rows
    ControlSnapshot.objects.create(
        library=history.nm,
        day=last.replace(day=30),
        control_id="roles-held",
        status="failing",
        summary="Two roles were held by nobody.",
    )
    section = build(history.nm, first, last).sections[0]
    [row] = section.tables[0].rows
    assert row[2:] == ["Failing", "Two roles were held by nobody."]
