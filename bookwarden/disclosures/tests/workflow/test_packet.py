"""Fulfilment (CR-5a, NM-4): the packet holds exactly the records in scope, read through the
confidential-access function with purpose ``disclosure:<id>``; the manifest's hashes match."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.patrons.models import CatalogSearch, Loan

from .helpers import days, nm_request, released


def _zip(client, req) -> zipfile.ZipFile:
    response = client.get(f"/disclosures/{req.pk}/packet/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    content = b"".join(response) if response.streaming else response.content
    req.refresh_from_db()
    assert hashlib.sha256(content).hexdigest() == req.packet_sha256
    return zipfile.ZipFile(io.BytesIO(content))


def test_the_packet_holds_exactly_the_scope(client_as, people, patrons, media) -> None:
    reader, other = patrons["reader"], patrons["parent"]
    now = timezone.now()
    lib = reader.library
    # Outside the date range: an old loan and an old search of the same patron.
    old_loan = Loan._unguarded.create(
        library=lib, patron=reader, item_barcode="OLD1", title="Old", checked_out_at=now - days(90)
    )
    old_search = CatalogSearch._unguarded.create(
        library=lib, patron=reader, terms="old terms", searched_at=now - days(60)
    )
    # Inside the range.
    new_search = CatalogSearch._unguarded.create(
        library=lib, patron=reader, terms="recent terms", searched_at=now - days(1)
    )
    req = nm_request(
        people,
        [reader],
        instrument="court_order",
        finding="public_safety",
        record_types=["loans", "searches"],
        date_from=(now - days(10)).date(),
        date_to=timezone.localdate(),
    )
    assert req.rule_decision["outcome"] == "release"
    req = released(people, req)

    inside_loans = set(
        Loan._unguarded.filter(patron=reader, checked_out_at__gte=now - days(10)).values_list(
            "pk", flat=True
        )
    )
    inside_searches = set(
        CatalogSearch._unguarded.filter(patron=reader, searched_at__gte=now - days(10)).values_list(
            "pk", flat=True
        )
    )
    assert new_search.pk in inside_searches and inside_loans

    archive = _zip(client_as("director"), req)
    assert sorted(archive.namelist()) == [
        "loans.csv",
        "manifest.json",
        "records.json",
        "searches.csv",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["request"] == req.pk
    assert manifest["decision"]["verdict"] == "release_all"
    assert manifest["generated_at"]
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    got = {(r["type"], r["id"]) for r in manifest["records"]}
    assert got == {("loans", pk) for pk in inside_loans} | {
        ("searches", pk) for pk in inside_searches
    }
    assert {r["patron_id"] for r in manifest["records"]} == {reader.pk}

    body = json.loads(archive.read("records.json"))
    [person] = body["patrons"]
    assert person["patron_id"] == reader.pk
    assert set(person["records"]) == {"loans", "searches"}
    for row in person["records"]["searches"]:
        record_hash = next(
            r["sha256"]
            for r in manifest["records"]
            if (r["type"], r["id"]) == ("searches", row["id"])
        )
        canonical = json.dumps(
            {"patron_id": reader.pk, **row}, sort_keys=True, separators=(",", ":")
        )
        assert hashlib.sha256(canonical.encode()).hexdigest() == record_hash
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    # Nothing outside the scope: another patron, another type, outside the dates.
    assert "old terms" not in everything and "OLD1" not in everything
    assert "Night Sky Atlas" not in everything  # a hold: a type not asked for
    assert str(other.pk) not in {str(r["patron_id"]) for r in manifest["records"]}
    assert old_loan.pk not in {r["id"] for r in manifest["records"] if r["type"] == "loans"}
    assert old_search.pk not in {r["id"] for r in manifest["records"] if r["type"] == "searches"}
    assert {r["type"] for r in manifest["records"]} == {"loans", "searches"}
    rows = list(csv.reader(io.StringIO(archive.read("searches.csv").decode())))
    assert rows[0][:2] == ["patron_id", "id"] and len(rows) == 1 + len(inside_searches)

    # The reading is on record: one opening with purpose disclosure:<id> and the types.
    [opening] = AuditEvent.objects.filter(
        action=AuditAction.RECORDS_OPENED, purpose=f"disclosure:{req.pk}"
    )
    assert opening.patron_id == reader.pk and opening.actor == people["director"]
    assert opening.after["record_types"] == ["loans", "searches"]
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSURE_PACKET_DOWNLOADED).count() == 1


def test_only_the_custodian_downloads_the_packet(client_as, people, patrons, media) -> None:
    req = released(
        people,
        nm_request(people, [patrons["reader"]], instrument="court_order", finding="public_safety"),
    )
    url = f"/disclosures/{req.pk}/packet/"
    assert client_as("staff").get(url).status_code == 403
    assert client_as("auditor").get(url).status_code == 403
    assert client_as("outsider").get(url).status_code == 404
    assert client_as("designee").get(url).status_code == 200


def test_staff_cannot_open_records_for_a_disclosure(people, patrons) -> None:
    import pytest
    from django.core.exceptions import PermissionDenied

    from bookwarden.patrons.record_access import open_records_for_disclosure

    with pytest.raises(PermissionDenied):
        open_records_for_disclosure(
            actor=people["staff"], patron=patrons["reader"], request_id=1, record_types=["loans"]
        )
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORDS_REFUSED, purpose="disclosure:1"
    ).exists()
