"""The yearly transparency report: requests by requester type, instrument and outcome, the
open-records requests, and the decisions against the rule outcome; a page and a CSV with no
personal data, read by the audit readers and the custodian only, on record."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.disclosures import actions
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.rules.schema import INSTRUMENTS, RECORDS, REQUESTERS
from bookwarden.disclosures.tests.factories import (
    cresco_open_records,
    recorded,
    steps_recorded,
)
from bookwarden.disclosures.transparency import OUTCOMES, SCOPES, build

YEAR = timezone.localdate().year


def _requests(people: dict, patrons: dict) -> Library:
    """Five requests of New Madrid this year, one last year (not counted)."""
    nm = Library.objects.get(slug="new-madrid")
    director = people["director"]
    # Law enforcement, court order with a finding: one pending, one released.
    recorded(people, nm)
    actions.decide(
        actor=director,
        request=steps_recorded(people, recorded(people, nm)),
        verdict="release_all",
        reasons="Order.",
    )
    # An attorney's subpoena (refused by the Missouri rules): refused, and once released in
    # part against the rule outcome.
    subpoena = {"requester_type": "attorney", "instrument": "subpoena", "finding": "none"}
    actions.decide(
        actor=director, request=recorded(people, nm, **subpoena), verdict="refuse", reasons="No."
    )
    against = actions.decide(
        actor=director,
        request=steps_recorded(
            people, recorded(people, nm, record_types=["loans", "holds"], **subpoena)
        ),
        verdict="release_part",
        released_types=["loans"],
        reasons="Counsel advised.",
        justification="Counsel's written advice.",
    )
    assert against.against_rule
    # The patron's written consent, closed without a decision.
    consent = recorded(
        people, nm, requester_type="patron", instrument="written_consent", finding="none"
    )
    actions.close_request(actor=director, request=consent, note="Withdrawn by the patron.")
    # Last year's: not in this year's report.
    old = recorded(people, nm, requester_type="court", instrument="court_order")
    DisclosureRequest.objects.filter(pk=old.pk).update(
        received_at=timezone.now().replace(year=YEAR - 1)
    )
    return nm


def test_counts_match_the_requests(people, patrons, media) -> None:
    nm = _requests(people, patrons)
    report = build(nm, YEAR)
    cells = {(r.requester_type, r.instrument): r.counts for r in report.rows}
    assert cells == {
        ("attorney", "subpoena"): {"refuse": 1, "release_part": 1},
        ("law_enforcement", "court_order"): {"pending": 1, "release_all": 1},
        ("patron", "written_consent"): {"closed_undecided": 1},
    }
    assert report.requests == 5
    assert report.against_rule == 1
    assert report.overrides == 0
    assert report.open_records_total == 0  # Missouri: no public records
    assert build(nm, YEAR - 1).requests == 1
    cresco_open_records(people)
    cresco = build(Library.objects.get(slug="cresco"), YEAR)
    assert cresco.open_records == {"camera_recordings": 1} and cresco.requests == 0


def test_page_and_csv_for_auditor_with_no_personal_data(client_as, people, patrons, media) -> None:
    _requests(people, patrons)
    client = client_as("auditor")
    page = client.get("/disclosures/transparency/new-madrid/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"Requests for records in {YEAR}" in text
    assert "Decisions against the rule outcome:</strong> 1" in text
    response = client.get(f"/disclosures/transparency/new-madrid/{YEAR}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "year",
        "library",
        "section",
        "requester_type",
        "instrument",
        "record_type",
        "outcome",
        "count",
    ]
    codes = {"", *REQUESTERS, *INSTRUMENTS, *RECORDS, *(k for k, _ in OUTCOMES), "public"}
    codes |= {k for k, _ in SCOPES}
    codes |= {"open_records_request"}
    sections = set()
    for row in rows[1:]:
        year, library, section, requester, instrument, record_type, outcome, count = row
        assert (year, library) == (str(YEAR), "new-madrid")
        assert {requester, instrument, record_type, outcome} <= codes, row
        assert count.isdigit()
        sections.add(section)
    assert sections == {
        "requests_for_records",
        "requests_for_records_total",
        "releases_by_what_they_held",
        "decisions_against_rule_outcome",
        "steps_overridden",
        "open_records_requests_total",
    }
    assert [str(YEAR), "new-madrid", "decisions_against_rule_outcome", "", "", "", "", "1"] in rows
    assert [
        str(YEAR),
        "new-madrid",
        "requests_for_records",
        "attorney",
        "subpoena",
        "",
        "release_part",
        "1",
    ] in rows
    # No names, no patrons, no free text.
    for word in ("Ruiz", "Sheriff", "Delgado", "Okafor", "Harlan", "Counsel", "Withdrawn", "Order"):
        assert word not in body and word not in text.split("<main", 1)[-1]
    for patron in patrons.values():
        assert str(patron.pk) not in {cell for row in rows[1:] for cell in row[:7]}
    # On record: the view and the export.
    formats = list(
        AuditEvent.objects.filter(
            action=AuditAction.DISCLOSURE_TRANSPARENCY_REPORT, actor=people["auditor"]
        )
        .order_by("seq")
        .values_list("after__format", flat=True)
    )
    assert formats == ["page", "csv"]


def test_who_may_read(client_as, people, media) -> None:
    url = f"/disclosures/transparency/new-madrid/{YEAR}/"
    for who in ("director", "designee", "auditor"):
        assert client_as(who).get(url).status_code == 200, who
    for who in ("staff", "tech_coordinator", "volunteer"):
        assert client_as(who).get(url).status_code == 403, who
    for who in ("outsider", "outsider_staff"):
        assert client_as(who).get(url).status_code == 404, who
        assert client_as(who).get(url.rstrip("/") + ".csv").status_code == 404, who
    # The auditor reads; writing is not a thing here.
    assert client_as("auditor").post(url).status_code == 405
    # Years outside the installation's range are not found.
    future = f"/disclosures/transparency/new-madrid/{YEAR + 1}/"
    assert client_as("director").get(future).status_code == 404
    assert client_as("outsider").get("/disclosures/transparency/cresco/").status_code == 200


def test_releases_are_counted_by_what_they_held(client_as, people, patrons) -> None:
    """A release on a finer outcome (only an identity) is counted apart from a release in
    full, on the page and in the CSV (NM-4)."""
    nm = Library.objects.get(slug="new-madrid")
    director = people["director"]
    actions.decide(
        actor=director,
        request=steps_recorded(people, recorded(people, nm)),
        verdict="release_all",
        reasons="Order.",
    )
    actions.add_policy_rule(
        actor=director,
        library=nm,
        rule_id="NMCL-identity",
        requesters=["law_enforcement"],
        instruments=["court_order"],
        records=["loans"],
        outcome="release_identity_only",
        citation="Policy",
    )
    scoped = actions.decide(
        actor=director,
        request=steps_recorded(people, recorded(people, nm)),
        verdict="release_part",
        released_types=["loans"],
        reasons="Identity only.",
    )
    assert scoped.release_scope == "release_identity_only"
    report = build(nm, YEAR)
    assert report.scopes == {"full": 1, "release_identity_only": 1}
    client = client_as("director")
    page = client.get(f"/disclosures/transparency/new-madrid/{YEAR}/").content.decode()
    assert "What the releases held" in page
    assert "<td>Only the identity of a person</td><td>1</td>" in page
    body = client.get(f"/disclosures/transparency/new-madrid/{YEAR}.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    held = {r[6]: r[7] for r in rows if r[2] == "releases_by_what_they_held"}
    assert held["release_identity_only"] == "1" and held["full"] == "1"
    assert held["release_parent_identity_only"] == "0"
