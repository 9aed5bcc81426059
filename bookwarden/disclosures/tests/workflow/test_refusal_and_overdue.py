"""A refusal letter cites the statute (CR-5a); overdue recovery (CR-5c) releases only the
overdue items and the amount, where the pack and the library's policy allow it."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.disclosures import actions
from bookwarden.patrons.models import Loan, Patron

from .helpers import events_of, nm_request


def test_the_refusal_letter_cites_the_statute(client_as, people, patrons, media) -> None:
    req = nm_request(people, [patrons["reader"]], instrument_reference="Subpoena 26-114")
    actions.decide(
        actor=people["director"], request=req, verdict="refuse", reasons="A subpoena alone."
    )
    client = client_as("director")
    assert client.get(f"/disclosures/{req.pk}/letter/").status_code == 404  # not yet produced
    assert client.post(f"/disclosures/{req.pk}/fulfil/").status_code == 302
    response = client.get(f"/disclosures/{req.pk}/letter/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "RSMo 182.817.1" in page
    assert "Subpoena 26-114" in page and "Det. Sam Ruiz" in page
    assert "disclosures/letter.css" in page and "style=" not in page
    assert "disclosure.letter_produced" in events_of(req)
    assert client_as("staff").get(f"/disclosures/{req.pk}/letter/").status_code == 403
    req.refresh_from_db()
    assert not req.packet_sha256


def _cresco_policy(people) -> Library:
    cresco = Library.objects.get(slug="cresco")
    actions.add_policy_rule(
        actor=people["outsider"],
        library=cresco,
        rule_id="CRESCO-5c-parent",
        requesters=["parent"],
        instruments=["none"],
        records=["loans"],
        bill_sent=True,
        max_age=17,
        outcome="release_overdue_only",
        citation="Cresco policy 5c",
    )
    return cresco


def test_overdue_recovery_releases_only_the_overdue_items_and_amount(
    client_as, people, patrons, media
) -> None:
    cresco = _cresco_policy(people)
    child = patrons["cresco_patron"]
    Patron.objects.filter(pk=child.pk).update(birth_date=datetime.date(2015, 3, 1))
    now = timezone.now()
    Loan._unguarded.create(
        library=cresco,
        patron=child,
        item_barcode="RETURNED1",
        title="Returned Late",
        checked_out_at=now - datetime.timedelta(days=50),
        due_at=now - datetime.timedelta(days=30),
        returned_at=now - datetime.timedelta(days=20),
        amount_owed=0,
    )
    req = actions.record_request(
        actor=people["outsider_staff"],
        library=cresco,
        requester_name="Marta Svoboda",
        requester_type="parent",
        instrument="none",
        record_types=["loans"],
        patrons=[child],
        bill_sent=True,
    )
    assert req.rule_decision["outcome"] == "release_overdue_only"
    assert "Cresco policy 5c" in req.rule_decision["citations"]
    assert req.rule_decision["steps"] == ["verify_identity", "custodian_decision"]
    actions.verify_identity(
        actor=people["outsider"], request=req, how="Photo ID; the child's guardian on file."
    )
    req = actions.decide(
        actor=people["outsider"],
        request=req,
        verdict="release_part",
        released_types=["loans"],
        reasons="Bill sent; parent of a minor (policy 5c).",
    )
    assert req.overdue_only and not req.against_rule
    req = actions.fulfil(actor=people["outsider"], request=req)
    content = client_as("outsider").get(f"/disclosures/{req.pk}/packet/").content
    archive = zipfile.ZipFile(io.BytesIO(content))
    body = json.loads(archive.read("records.json"))
    [person] = body["patrons"]
    overdue = Loan._unguarded.get(patron=child, item_barcode="3cr0001")
    assert [row["id"] for row in person["records"]["loans"]] == [overdue.pk]
    assert set(person["records"]["loans"][0]) == {"id", "Title", "Barcode", "Due", "Owed"}
    assert body["amount_owed"] == "2.50"
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert "Field Guide" not in everything and "Returned Late" not in everything
    assert "Night Sky" not in everything


def test_overdue_recovery_before_a_bill_is_refused_by_the_rules(people, patrons) -> None:
    cresco = _cresco_policy(people)
    child = patrons["cresco_patron"]
    Patron.objects.filter(pk=child.pk).update(birth_date=datetime.date(2015, 3, 1))
    req = actions.record_request(
        actor=people["outsider_staff"],
        library=cresco,
        requester_name="Marta Svoboda",
        requester_type="parent",
        instrument="none",
        record_types=["loans"],
        patrons=[child],
        bill_sent=False,
    )
    assert req.rule_decision["outcome"] == "refuse"
