"""CR-5, CR-5b: opening a patron's records is one action with one audit event, and its page
can be reloaded, gone back to and bookmarked.  The POST records the opening and goes on to
the opening's own page; that page reads the records again through the access function
(``reread_opening``) for the person who opened them, for BOOKWARDEN_RECORD_OPENING_MINUTES,
without a new event; after that, or for anyone else, it shows no records.  And the desk's
patron page: the form to open records comes first, refusals show at the form."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.patrons.models import RecordOpening
from bookwarden.patrons.record_access import OpeningExpired, Purpose, reread_opening

OLD_TITLE = "The Old Man and the Sea"  # a loan of every demo patron
ROSA_CARD = "21000000000011"
DESK = {"purpose": Purpose.DESK, "card_number": ROSA_CARD, "record_types": ["loans"]}


def _open(client, patron, data=DESK):
    return client.post(reverse("patron_records", args=[patron.pk]), data)


def test_one_opening_is_one_event_and_its_page_reloads_without_another(
    patrons, client_as, django_assert_max_num_queries
) -> None:
    rosa = patrons["parent"]
    staff = client_as("staff")
    head = audit_head()
    response = _open(staff, rosa)
    assert response.status_code == 302
    opening = RecordOpening.objects.get()
    assert response["Location"] == reverse("patron_record_opening", args=[rosa.pk, opening.pk])
    (event,) = events_since(head, AuditAction.RECORDS_OPENED)
    assert opening.event_id == event.pk and opening.patron_id == rosa.pk
    assert opening.purpose == Purpose.DESK and opening.record_types == ["loans"]

    for _ in range(2):  # the redirect, then a reload
        with django_assert_max_num_queries(12):
            page = staff.get(response["Location"])
        assert page.status_code == 200
        assert OLD_TITLE in page.content.decode()
        assert "Confidential under Missouri law" in page.content.decode()  # not "US-MO"
        assert "no-store" in page["Cache-Control"]
    assert events_since(head, AuditAction.RECORDS_OPENED) == [event]


def test_an_opening_is_its_openers_alone(patrons, client_as) -> None:
    rosa = patrons["parent"]
    url = _open(client_as("staff"), rosa)["Location"]
    head = audit_head()
    for who in ("director", "assistant_director", "volunteer", "outsider"):
        response = client_as(who).get(url)
        assert response.status_code == 404, who
        assert OLD_TITLE not in response.content.decode()
    assert not events_since(head, AuditAction.RECORDS_OPENED)
    # The patron page of another patron does not reach it either.
    other = reverse("patron_record_opening", args=[patrons["minor"].pk, url.split("/")[-2]])
    assert client_as("staff").get(other).status_code == 404


def test_an_expired_opening_shows_no_records_and_asks_again(patrons, client_as) -> None:
    rosa = patrons["parent"]
    staff = client_as("staff")
    url = _open(staff, rosa)["Location"]
    head = audit_head()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        response = staff.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "has expired" in body
    assert OLD_TITLE not in body
    # The purpose form again, as it was chosen, the card to type again.
    assert re.search(r'<input[^>]*value="desk"[^>]*checked', body)
    assert re.search(r'<input[^>]* autofocus [^>]*id="id_card_number"', body)
    assert "no-store" in response["Cache-Control"]
    assert not events_since(head, AuditAction.RECORDS_OPENED)


@override_settings(BOOKWARDEN_RECORD_OPENING_MINUTES=1)
def test_the_time_an_opening_lasts_is_a_setting(patrons, people) -> None:
    from bookwarden.patrons.record_access import open_records

    opened = open_records(
        actor=people["staff"], patron=patrons["parent"], purpose=Purpose.OVERDUE_RECOVERY
    )
    assert opened.opening is not None
    assert reread_opening(actor=people["staff"], opening=opened.opening).records["loans"]
    later = timezone.now() + datetime.timedelta(seconds=61)
    with time_machine.travel(later), pytest.raises(OpeningExpired):
        reread_opening(actor=people["staff"], opening=opened.opening)
    with pytest.raises(PermissionDenied):
        reread_opening(actor=people["director"], opening=opened.opening)


def test_a_refused_opening_keeps_what_was_typed_at_the_form(patrons, client_as) -> None:
    rosa = patrons["parent"]
    head = audit_head()
    wrong = dict(DESK, card_number="21000000000029", note="patron at the desk")  # Leo's card
    response = _open(client_as("staff"), rosa, wrong)
    assert response.status_code == 403
    body = response.content.decode()
    assert OLD_TITLE not in body
    assert "That card is not this patron&#x27;s." in body
    assert re.search(r'<input[^>]*value="desk"[^>]*checked', body)
    assert 'value="21000000000029"' in body
    assert "patron at the desk</textarea>" in body
    assert re.search(r'<input[^>]*value="loans"[^>]*checked', body)
    # The error is at the card number, which has the cursor (and nothing else has it).
    assert body.count("autofocus") == 1
    assert re.search(r'<input[^>]* autofocus [^>]*id="id_card_number"', body)
    assert body.index("id_card_number_error") < body.index('id="card-tasks"')
    assert len(events_since(head, AuditAction.RECORDS_REFUSED)) == 1
    assert not RecordOpening.objects.exists()


def test_the_patron_page_leads_with_opening_records(patrons, client_as) -> None:
    rosa = patrons["parent"]
    body = client_as("staff").get(reverse("patron_detail", args=[rosa.pk])).content.decode()
    open_form = body.index(reverse("patron_records", args=[rosa.pk]))
    for form in ("patron_issue_card", "patron_renew_card", "patron_set_pin", "patron_report_card"):
        assert open_form < body.index(reverse(form, args=[rosa.pk])), form
    # At the desk, the patron's card in hand: the desk is chosen, the cursor in the card number.
    assert re.search(r'<input[^>]*value="desk"[^>]*checked', body)
    assert body.count("autofocus") == 1
    assert re.search(r'<input[^>]* autofocus [^>]*id="id_card_number"', body)
    # The card tasks wait behind their own buttons; no requirement ids in the page's text.
    assert '<details id="issue-card">' in body
    assert not re.search(r"\b(CR|CC|NM)-\d", body)
