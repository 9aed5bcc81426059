"""What the patron does in the portal: see and download their records (each time recorded),
turn reading history on and off (timestamped, withdrawable; NM-6, CR-6a), see who on
staff opened their records (NM-7) except openings a court sealed, change their PIN."""

from __future__ import annotations

import csv
import datetime
import io
import json

import time_machine
from django.test import Client
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.patrons import actions as patron_actions
from bookwarden.patrons.demo import DEMO_PIN
from bookwarden.patrons.models import Loan
from bookwarden.patrons.record_access import Purpose, open_records
from bookwarden.patrons.retention import run_retention

from .conftest import card_of, login_url, url


def test_seeing_the_records_is_recorded_as_the_patrons_own_opening(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    page = portal_as("parent").get(url("records", rosa)).content.decode()
    assert "The Old Man and the Sea" in page and "river flood history" in page
    event = AuditEvent.objects.filter(action=AuditAction.RECORDS_OPENED).latest("seq")
    assert event.patron_id == rosa.pk and event.actor_id is None
    assert event.purpose == "portal: viewed in the portal"
    # Contents never go into the log: ids and types only.
    assert "Old Man" not in json.dumps([event.before, event.after])


def test_my_records_lead_with_what_is_out_the_holds_and_what_is_owed(patrons, portal_as) -> None:
    rosa = patrons["parent"]  # two loans out (one 19 days overdue, $2.50), one hold waiting
    page = portal_as("parent").get(url("records", rosa)).content.decode()
    glance = page[page.index("At a glance") : page.index('id="records-loans"')]
    assert "<strong>2</strong> items out, <strong>1 overdue</strong>; next due" in glance
    assert "<strong>1</strong> hold waiting" in glance
    assert "You owe <strong>$2.50</strong>" in glance
    # On a phone each row reads as "heading: value" lines (portal.css, table.stacked).
    assert '<td data-label="Due">' in page


def test_json_download_has_every_kind_and_her_details(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    response = portal_as("parent").get(url("download", rosa, fmt="json"))
    assert response["Content-Disposition"].startswith("attachment;")
    body = json.loads(response.content)
    assert body["you"]["last_name"] == "Delgado" and body["you"]["email"] == rosa.email
    assert set(body["records"]) == {
        "loans",
        "holds",
        "searches",
        "reference",
        "computer_sessions",
        "room_bookings",
        "program_registrations",
    }
    titles = {loan["Title"] for loan in body["records"]["loans"]}
    assert titles == {"The Old Man and the Sea", "A Field Guide to Missouri Birds"}
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORDS_OPENED, purpose="portal: downloaded from the portal as json"
    ).exists()


def test_csv_download_is_a_spreadsheet_that_cannot_run_formulas(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    Loan._unguarded.create(
        library=rosa.library,
        patron=rosa,
        item_barcode="3pa0003",
        title='=HYPERLINK("http://evil.example","x")',
        checked_out_at=timezone.now(),
    )
    content = portal_as("parent").get(url("download", rosa, fmt="csv")).content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "Kind of record" and "Title" in rows[0]
    kinds = {row[0] for row in rows[1:]}
    assert {"Loans", "Holds", "Catalog searches", "Program registrations"} <= kinds
    title_col = rows[0].index("Title")
    titles = [row[title_col] for row in rows[1:] if row[0] == "Loans"]
    assert '\'=HYPERLINK("http://evil.example","x")' in titles


def test_reading_history_consent_is_timestamped_and_can_be_withdrawn(patrons, portal_as) -> None:
    """NM-6, CR-6a: with consent a returned loan stays linked through retention; after the
    consent is withdrawn, the next retention run unlinks it."""
    rosa = patrons["parent"]
    client = portal_as("parent")
    returned = Loan._unguarded.create(
        library=rosa.library,
        patron=rosa,
        item_barcode="3pa0009",
        title="Returned long ago",
        checked_out_at=timezone.now() - datetime.timedelta(days=30),
        returned_at=timezone.now() - datetime.timedelta(days=20),
    )
    at = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=1)
    with time_machine.travel(at, tick=False):
        response = client.post(url("reading_history", rosa), {"keep": "yes"})
    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.keeps_reading_history is True
    assert rosa.reading_history_changed_at == at
    event = AuditEvent.objects.filter(action=AuditAction.READING_HISTORY_CHANGED).latest("seq")
    assert event.patron_id == rosa.pk and event.actor_id is None
    assert event.after["reading_history"] is True and event.after["by"] == "patron"

    run_retention()
    assert Loan._unguarded.get(pk=returned.pk).patron_id == rosa.pk

    later = at + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        client = Client()
        client.post(login_url(rosa), {"card_number": card_of(rosa), "pin": DEMO_PIN})
        client.post(url("reading_history", rosa), {"keep": "no"})
        page = client.get(url("reading_history", rosa)).content.decode()
    rosa.refresh_from_db()
    assert rosa.keeps_reading_history is False
    assert rosa.reading_history_changed_at == later
    assert "It is <strong>off</strong>" in page

    run_retention()
    assert Loan._unguarded.get(pk=returned.pk).patron_id is None


def test_who_opened_lists_staff_openings_without_their_notes(patrons, people, portal_as) -> None:
    rosa = patrons["parent"]
    open_records(
        actor=people["staff"], patron=rosa, purpose=Purpose.DESK, card_number=card_of(rosa)
    )
    open_records(
        actor=people["director"],
        patron=rosa,
        purpose=Purpose.INVESTIGATION,
        note="suspected damage to PC-03 on Tuesday",
    )
    client = portal_as("parent")
    client.get(url("records", rosa))  # her own opening: not listed
    page = client.get(url("who_opened", rosa)).content.decode()
    staff, director = people["staff"], people["director"]
    assert (staff.get_full_name() or staff.username) in page
    assert (director.get_full_name() or director.username) in page
    assert "Serving the patron at the desk" in page
    assert "Investigating a suspected violation" in page
    assert "PC-03 on Tuesday" not in page
    assert page.count("<tr>") == 3  # the header and two openings


def test_an_opening_sealed_by_a_court_stays_hidden_while_the_order_lasts(
    patrons, people, portal_as
) -> None:
    rosa = patrons["parent"]
    shown = open_records(
        actor=people["staff"], patron=rosa, purpose=Purpose.DESK, card_number=card_of(rosa)
    )
    sealed = open_records(
        actor=people["director"],
        patron=rosa,
        purpose=Purpose.INVESTIGATION,
        note="court order",
    )
    until = timezone.localdate() + datetime.timedelta(days=90)
    patron_actions.seal_opening(
        actor=people["director"],
        event=sealed.event,
        order_reference="Circuit Court of New Madrid County, 26-CV-118",
        sealed_until=until,
    )
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_SEALED, patron_id=rosa.pk).exists()
    page = portal_as("parent").get(url("who_opened", rosa)).content.decode()
    assert "Investigating" not in page
    assert "Serving the patron at the desk" in page
    assert shown.event is not None
    # When the order ends, the opening is shown.
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91)):
        client = Client()
        client.post(login_url(rosa), {"card_number": card_of(rosa), "pin": DEMO_PIN})
        page = client.get(url("who_opened", rosa)).content.decode()
    assert "Investigating a suspected violation" in page


def test_changing_the_pin_needs_the_current_one(patrons, portal_as) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    wrong = client.post(url("pin", rosa), {"current": "1357", "pin": "5093", "pin_again": "5093"})
    assert wrong.status_code == 400 and "not your current PIN" in wrong.content.decode()
    easy = client.post(url("pin", rosa), {"current": DEMO_PIN, "pin": "1234", "pin_again": "1234"})
    assert easy.status_code == 400 and "too easy" in easy.content.decode()
    ok = client.post(url("pin", rosa), {"current": DEMO_PIN, "pin": "5093", "pin_again": "5093"})
    assert ok.status_code == 302
    event = AuditEvent.objects.filter(action=AuditAction.PIN_SET).latest("seq")
    assert event.after == {"by": "patron", "first": False}
    number, login = card_of(rosa), login_url(rosa)
    assert Client().post(login, {"card_number": number, "pin": DEMO_PIN}).status_code == 400
    assert Client().post(login, {"card_number": number, "pin": "5093"}).status_code == 302
