"""A release on a finer outcome holds only what that outcome allows (NM-4: minimal; CR-5c;
CC-5): the packet ZIP of a release of the name, contact information and amount owed, of the
identity only, and of the parent's identity only, each opened and checked to hold nothing
more.  The cover letter and the patron's notice say the same in plain words.

The finer outcome comes from the library's own policy, stricter than Missouri law (a
stricter policy applies), so that these tests do not depend on a state pack's wording."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.disclosures import actions
from bookwarden.disclosures.actions.notices import notice_text
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.tests.factories import steps_recorded

from .helpers import nm_request

#: Every title and search of the demo patrons' records: none may be in a finer packet.
RECORD_WORDS = (
    "Old Man and the Sea",
    "Field Guide",
    "Night Sky",
    "river flood",
    "plat maps",
    "PC-03",
    "Meeting room",
    "Seed library",
    "30001",
)


def _policy(people: dict[str, Any], outcome: str, requester: str = "law_enforcement") -> None:
    actions.add_policy_rule(
        actor=people["director"],
        library=Library.objects.get(slug="new-madrid"),
        rule_id="NMCL-minimal",
        requesters=[requester],
        instruments=["court_order"],
        records=["loans", "registration"],
        outcome=outcome,
        citation="New Madrid County Library privacy policy",
    )


def _released(people: dict[str, Any], patron: Any, outcome: str) -> DisclosureRequest:
    _policy(people, outcome)
    req = nm_request(
        people,
        [patron],
        instrument="court_order",
        finding="public_safety",
        record_types=["loans", "registration"],
    )
    assert req.rule_decision["outcome"] == outcome
    req = steps_recorded(people, req)
    req = actions.decide(
        actor=people["director"],
        request=req,
        verdict="release_part",
        released_types=["loans", "registration"],
        reasons="The policy allows this much only.",
    )
    assert req.release_scope == outcome and not req.against_rule
    return actions.fulfil(actor=people["director"], request=req)


def _open(client: Any, req: DisclosureRequest) -> tuple[dict[str, bytes], str]:
    response = client.get(f"/disclosures/{req.pk}/packet/")
    assert response.status_code == 200
    content = b"".join(response) if response.streaming else response.content
    archive = zipfile.ZipFile(io.BytesIO(content))
    files = {name: archive.read(name) for name in archive.namelist()}
    return files, b"".join(files.values()).decode()


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def test_contact_and_amount_owed_holds_no_item(client_as, people, patrons, media) -> None:
    reader = patrons["reader"]
    req = _released(people, reader, "release_contact_and_amount_owed")
    files, everything = _open(client_as("director"), req)
    assert sorted(files) == ["contact.csv", "manifest.json", "records.json"]
    [row] = _rows(files["contact.csv"])
    assert set(row) == {
        "patron_id",
        "First name",
        "Last name",
        "Address",
        "Address line 2",
        "City",
        "State",
        "Postal code",
        "Phone",
        "E-mail",
        "Amount owed",
    }
    assert (row["First name"], row["Last name"]) == ("Walter", "Okafor")
    assert row["E-mail"] == "w.okafor@example.org"
    assert row["Amount owed"] == "2.50"  # the one overdue loan's amount
    assert all(word not in everything for word in RECORD_WORDS)
    assert "21000000000037" not in everything  # no card number either
    # The amount was read from the loans through the one access function, on record.
    assert AuditEvent.objects.filter(action=AuditAction.RECORDS_OPENED, purpose=req.purpose)
    body = json.loads(files["records.json"])
    assert set(body) == {"request", "library", "holds", "patrons"}
    manifest = json.loads(files["manifest.json"])
    assert manifest["decision"]["scope"] == "release_contact_and_amount_owed"
    assert set(manifest["files"]) == {"contact.csv", "records.json"}


def test_identity_only_holds_the_name_and_card_number(client_as, people, patrons, media) -> None:
    """The patron whose first card was reported lost: only the active card is given."""
    patron = patrons["lost_card"]
    req = _released(people, patron, "release_identity_only")
    files, everything = _open(client_as("director"), req)
    assert sorted(files) == ["identity.csv", "manifest.json", "records.json"]
    [row] = _rows(files["identity.csv"])
    assert row == {
        "patron_id": str(patron.pk),
        "First name": "June",
        "Last name": "Harlan",
        "Card numbers": "21000000000052",
    }
    assert all(word not in everything for word in RECORD_WORDS)
    assert "573-555-0199" not in everything and "21000000000045" not in everything
    # No library record was opened for it.
    assert not AuditEvent.objects.filter(action=AuditAction.RECORDS_OPENED, purpose=req.purpose)


def test_parent_identity_only_holds_nothing_of_the_child(client_as, people, patrons, media) -> None:
    minor = patrons["minor"]
    req = _released(people, minor, "release_parent_identity_only")
    files, everything = _open(client_as("director"), req)
    assert sorted(files) == ["manifest.json", "parent.csv", "records.json"]
    [row] = _rows(files["parent.csv"])
    assert row == {"patron_id": str(minor.pk), "Parent or guardian": "Rosa Delgado"}
    assert "Leo" not in everything and "21000000000029" not in everything
    assert "rosa.delgado" not in everything and "Mill Street" not in everything
    assert all(word not in everything for word in RECORD_WORDS)


@pytest.mark.parametrize(
    ("outcome", "letter_words", "notice_words"),
    [
        (
            "release_identity_only",
            "the identity of the person (name and library card number) only",
            "Only your name and library card number were given",
        ),
        (
            "release_contact_and_amount_owed",
            "the patron's name, contact information and the amount owed",
            "Only your name, your contact information and the amount you owe",
        ),
    ],
)
def test_the_letter_and_the_notice_say_what_was_given(
    client_as, people, patrons, media, outcome, letter_words, notice_words
) -> None:
    reader = patrons["reader"]
    req = _released(people, reader, outcome)
    client = client_as("director")
    letter = client.get(f"/disclosures/{req.pk}/letter/").content.decode()
    assert letter_words in letter.replace("&#x27;", "'")
    assert "Kinds of records" not in letter
    _subject, body = notice_text(req, reader)
    assert notice_words in body
    assert "Kinds of records released" not in body
    page = client.get(f"/disclosures/{req.pk}/").content.decode()
    assert "Open the cover letter for the requester" in page
    assert client_as("staff").get(f"/disclosures/{req.pk}/letter/").status_code == 403


def test_my_tasks_say_what_the_packet_will_hold(client_as, people, patrons, media) -> None:
    """A release decided on a finer outcome, not yet fulfilled: the custodian's task says
    what the packet will hold."""
    _policy(people, "release_identity_only")
    req = nm_request(people, [patrons["reader"]], instrument="court_order", finding="public_safety")
    req = actions.decide(
        actor=people["director"],
        request=steps_recorded(people, req),
        verdict="release_part",
        released_types=["loans"],
        reasons="Identity only.",
    )
    home = client_as("director").get("/").content.decode().replace("&#x27;", "'")
    assert "Produce the packet, which holds only who the patron is (name and card number)" in home


def test_a_release_decided_before_the_scope_keeps_its_overdue_limit() -> None:
    """Requests decided before release_scope existed kept overdue_only: still honoured."""
    old = DisclosureRequest(overdue_only=True)
    assert old.scope == "release_overdue_only"
    assert DisclosureRequest().scope == ""
    assert DisclosureRequest(release_scope="release_identity_only").scope == (
        "release_identity_only"
    )
