"""The staff pages about patrons: search, the patron page, classification (CR-2, CR-5e), and
the actions behind them (what their audit events carry, and what they must not)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.disclosures.tests.factories import cresco_public_records_policy
from bookwarden.patrons import actions, classification
from bookwarden.patrons.classification import ClassificationError, for_jurisdiction, parse
from bookwarden.patrons.models import CardStatus
from bookwarden.patrons.records import RECORD_TYPES


def test_search_by_exact_card_number(patrons, client_as) -> None:
    head = audit_head()
    response = client_as("staff").get(reverse("patron_search"), {"q": "21000000000029"})
    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("patron_detail", args=[patrons["minor"].pk]) in body
    assert reverse("patron_detail", args=[patrons["parent"].pk]) not in body
    # A partial card number finds nobody.
    response = client_as("staff").get(reverse("patron_search"), {"q": "2100000000002"})
    assert "No patron matches" in response.content.decode()
    events = events_since(head, AuditAction.PATRON_SEARCHED)
    assert [e.after for e in events] == [{"results": 1}, {"results": 0}]
    for event in events:
        assert "2100000000002" not in f"{event.after} {event.purpose} {event.before}"


def test_search_by_name_words_shows_name_status_branch_only(patrons, client_as) -> None:
    response = client_as("volunteer").get(reverse("patron_search"), {"q": "delgado ros"})
    body = response.content.decode()
    assert "Delgado, Rosa" in body
    assert "Delgado, Leo" not in body  # every word must match
    assert "Active" in body
    assert patrons["parent"].home_branch.name in body
    assert patrons["parent"].phone not in body
    assert patrons["parent"].email not in body
    assert "21000000000011" not in body


def test_search_stays_in_ones_own_library(patrons, client_as) -> None:
    head = audit_head()
    body = client_as("outsider_staff").get(reverse("patron_search"), {"q": "Delgado"})
    assert "No patron matches" in body.content.decode()
    body = client_as("outsider_staff").get(reverse("patron_search"), {"q": "Svoboda"})
    assert reverse("patron_detail", args=[patrons["cresco_patron"].pk]) in body.content.decode()
    cresco_id = patrons["cresco_patron"].library_id
    events = events_since(head, AuditAction.PATRON_SEARCHED)
    assert [(e.library_id, e.after) for e in events] == [
        (cresco_id, {"results": 0}),
        (cresco_id, {"results": 1}),
    ]


def test_a_search_across_libraries_is_on_each_librarys_record(patrons, people, client_as) -> None:
    """CC-6: a person of several libraries searches them all at once; each library's log
    gets its own event with the number of its patrons found (written together)."""
    from bookwarden.core.actions.staff import assign_role
    from bookwarden.core.models import Library
    from bookwarden.core.roles import Role

    cresco = Library.objects.get(slug="cresco")
    assign_role(actor=None, user=people["staff"], library=cresco, role=Role.STAFF)
    head = audit_head()
    client_as("staff").get(reverse("patron_search"), {"q": "Svoboda"})
    events = events_since(head, AuditAction.PATRON_SEARCHED)
    assert sorted((e.library_id, e.after["results"]) for e in events) == sorted(
        [(patrons["parent"].library_id, 0), (cresco.pk, 1)]
    )


@pytest.mark.parametrize("who", ["tech_coordinator", "it_staff", "contractor", "auditor"])
def test_roles_that_do_not_find_patrons_are_refused(who, patrons, client_as) -> None:
    client = client_as(who)
    assert client.get(reverse("patron_search"), {"q": "Delgado"}).status_code == 403
    assert client.get(reverse("patron_detail", args=[patrons["parent"].pk])).status_code == 403


def test_viewing_a_patron_is_recorded(patrons, client_as) -> None:
    head = audit_head()
    client_as("staff").get(reverse("patron_detail", args=[patrons["parent"].pk]))
    client_as("volunteer").get(reverse("patron_detail", args=[patrons["parent"].pk]))
    events = events_since(head, AuditAction.PATRON_VIEWED)
    assert [(e.patron_id, e.after) for e in events] == [
        (patrons["parent"].pk, {"details": True}),
        (patrons["parent"].pk, {"details": False}),
    ]


def test_the_page_never_shows_records(patrons, client_as) -> None:
    body = client_as("director").get(reverse("patron_detail", args=[patrons["parent"].pk]))
    text = body.content.decode()
    assert "The Old Man and the Sea" not in text
    assert "river flood history" not in text


def test_classification_per_jurisdiction_on_the_pages(people, patrons, client_as) -> None:
    # Iowa: the library-records law (22.7(13)) does not cover room bookings; Cresco's own
    # policy says the contact given for a booking is public (its 5e, CR-5e).
    cresco_public_records_policy(people)
    body = (
        client_as("outsider")
        .get(reverse("patron_detail", args=[patrons["cresco_patron"].pk]))
        .content.decode()
    )
    assert "Cresco policy 5e" in body
    assert "Iowa Code 22.7(13)" in body
    assert "by the library's policy" in body
    body = (
        client_as("director")
        .get(reverse("patron_detail", args=[patrons["parent"].pk]))
        .content.decode()
    )
    assert "RSMo 182.817.1" in body
    assert ">Public<" not in body
    # The records page says it too.
    response = client_as("outsider").post(
        reverse("patron_records", args=[patrons["cresco_patron"].pk]),
        {"purpose": "patron_request", "note": "asked", "record_types": ["room_bookings", "loans"]},
        follow=True,
    )
    text = response.content.decode()
    assert "Public under the library's own policy" in text
    assert "Confidential under Iowa law" in text


def test_classification_files() -> None:
    """The classification comes from the jurisdiction's rule pack (the same data as the
    disclosure decisions): every stored record type, plus camera recordings (CR-5g) and
    registration records."""
    iowa, missouri, new_york = (for_jurisdiction(j) for j in ("US-IA", "US-MO", "US-NY"))
    for table in (iowa, missouri, new_york):
        assert set(RECORD_TYPES) <= set(table)
        assert {"camera_recordings", "registration"} <= set(table)
    # The statute alone makes nothing public in these three states: Iowa's room bookings
    # and camera recordings fall to chapter 22, for the custodian and counsel (CR-5e, CR-5g).
    assert not any(c.is_public for c in iowa.values())
    assert iowa["room_bookings"].citation == "Iowa Code 22.2(1)"
    assert iowa["loans"].citation == "Iowa Code 22.7(13)"
    assert not any(c.is_public for c in missouri.values())
    assert new_york["loans"].citation == "NY CPLR 4509"
    assert iowa["camera_recordings"].label == "Security camera recordings"
    # A jurisdiction without a pack fails closed.
    unknown = for_jurisdiction("US-ZZ")
    assert set(RECORD_TYPES) <= set(unknown)
    assert not any(c.is_public for c in unknown.values())


def test_a_bad_classification_file_names_file_and_key(tmp_path) -> None:
    good = (classification.DATA_DIR / "US-IA.yaml").read_text()
    path = tmp_path / "US-IA.yaml"
    bad_entry = "\nclassification:\n  room_bookings: {classification: open, citation: x}\n"
    path.write_text(good + bad_entry)
    with pytest.raises(
        ClassificationError, match=r"US-IA.yaml: classification.room_bookings.classification"
    ):
        parse(path, "US-IA")
    path.write_text(
        good
        + bad_entry.replace(
            "room_bookings: {classification: open", "holdz: {classification: confidential"
        )
    )
    with pytest.raises(ClassificationError, match=r"US-IA.yaml: classification.holdz"):
        parse(path, "US-IA")
    path.write_text(good.replace("jurisdiction: US-IA", "jurisdiction: US-MO"))
    with pytest.raises(ClassificationError, match=r"US-IA.yaml: jurisdiction"):
        parse(path, "US-IA")
    path.write_text("records: [")
    with pytest.raises(ClassificationError, match=r"US-IA.yaml"):
        parse(path, "US-IA")


def test_register_and_update_keep_personal_information_out_of_the_log(
    patrons, people, new_madrid
) -> None:
    head = audit_head()
    patron = actions.register_patron(
        actor=people["staff"],
        library=new_madrid,
        first_name="Mara",
        last_name="Quintero",
        card_number="21000000009999",
        phone="573-555-0777",
    )
    actions.update_patron(
        actor=people["staff"], patron=patron, phone="573-555-0888", email="mq@example.org"
    )
    events = events_since(head)
    assert [e.action for e in events] == [
        AuditAction.PATRON_CREATED,
        AuditAction.CARD_ISSUED,
        AuditAction.PATRON_UPDATED,
    ]
    assert events[0].after["fields"] == ["first_name", "last_name", "phone"]
    assert events[2].after == {"fields": ["email", "phone"]}
    logged = " ".join(f"{e.before} {e.after} {e.purpose}" for e in events)
    for secret in ("Mara", "Quintero", "0777", "0888", "mq@example.org"):
        assert secret not in logged
    patron.refresh_from_db()
    assert (patron.phone, patron.email) == ("573-555-0888", "mq@example.org")


def test_actions_check_the_role_and_the_library(patrons, people, new_madrid) -> None:
    with pytest.raises(PermissionDenied):
        actions.register_patron(
            actor=people["volunteer"], library=new_madrid, last_name="X", card_number="1"
        )
    with pytest.raises(PermissionDenied):
        actions.report_card(
            actor=people["outsider_staff"],
            card=patrons["parent"].cards.get(),
            status=CardStatus.LOST,
        )
    with pytest.raises(ValidationError):  # a card number already in use
        actions.issue_card(actor=people["staff"], patron=patrons["parent"], number="21000000000029")
    with pytest.raises(ValidationError):  # a guardian of another library
        actions.update_patron(
            actor=people["staff"], patron=patrons["minor"], guardian=patrons["cresco_patron"]
        )


def test_issuing_a_card_replaces_the_active_one(patrons, people) -> None:
    parent = patrons["parent"]
    old = parent.cards.get()
    actions.issue_card(actor=people["staff"], patron=parent, number="21000000000060")
    old.refresh_from_db()
    assert old.status == CardStatus.REPLACED
    assert not old.counts_as_consent


def test_patrons_in_the_menu_for_those_who_find_patrons(client_as, people) -> None:
    assert 'href="/patrons/"' in client_as("volunteer").get("/").content.decode()
    assert 'href="/patrons/"' not in client_as("it_staff").get("/").content.decode()
