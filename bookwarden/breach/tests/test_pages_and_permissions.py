"""CR-6e through the pages: the technology coordinator declares a breach from an incident,
lists the affected patrons, adds one by hand, notifies, prints the letters, marks one
mailed and records the review.  Staff get 403, another library's people 404, auditors read
without patron names and never write.  "My tasks" reminds those who handle breaches."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from bookwarden.audit.models import AuditEvent
from bookwarden.breach import actions
from bookwarden.breach.models import AffectedPatron, Breach, NoticeStatus
from bookwarden.core.my_tasks import tasks_for
from bookwarden.mail.delivery import deliver_due
from bookwarden.patrons.record_access import Purpose, open_records

from .conftest import RECORD_CONTENTS
from .factories import declare, incident


def _form_time(dt) -> str:
    from django.utils import timezone

    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_the_whole_breach_through_the_pages(people, patrons, new_madrid, client_as) -> None:
    from django.utils import timezone

    staff = people["staff"]
    for key in ("parent", "minor"):
        open_records(actor=staff, patron=patrons[key], purpose=Purpose.PATRON_REQUEST, note="phone")
    entry = incident(new_madrid)
    client = client_as("tech_coordinator")
    url = reverse("breach:declare", args=[entry.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Declare the breach" in page.content
    now = timezone.now()
    response = client.post(
        url,
        {
            "window_start": _form_time(now - timezone.timedelta(hours=1)),
            "window_end": _form_time(now + timezone.timedelta(minutes=1)),
            "accounts": [str(staff.pk)],
            "summary": "A staff password was used by someone else.",
            "library_response": "We changed it.",
            "contact": "Maria Reyes, 573-555-0100",
        },
    )
    breach = Breach.objects.get(entry=entry)
    detail = reverse("breach:detail", args=[breach.pk])
    assert response.status_code == 302 and response["Location"] == detail
    # Declaring again from the same incident leads to the breach.
    assert client.get(url)["Location"] == detail

    response = client.post(reverse("breach:list_affected", args=[breach.pk]))
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "Rosa Delgado" in page and "Leo Delgado" in page
    assert "From the audit log" in page

    response = client.post(
        reverse("breach:add_patron", args=[breach.pk]),
        {"add-card_number": "21000000000052", "add-reason": "on a screenshot"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("breach:add_patron", args=[breach.pk]),
        {"add-card_number": "22000000000010", "add-reason": "Cresco's card"},
    )
    assert response.status_code == 400
    assert b"No card of this library has that number" in response.content

    assert client.post(reverse("breach:notify", args=[breach.pk])).status_code == 302
    letters_url = reverse("breach:letters", args=[breach.pk])
    page = client.get(letters_url)
    assert page.status_code == 200 and b"Print 2 letters" in page.content
    printed = client.post(letters_url, {})
    assert printed.status_code == 200
    text = printed.content.decode()
    assert text.count('class="letter"') == 2
    assert "breach/letters" in text  # the print stylesheet
    assert "To the parent or guardian of Leo Delgado" in text
    assert "12 Mill Street" not in text  # Rosa is e-mailed, not written to
    for content in RECORD_CONTENTS:
        assert content not in text

    leo = AffectedPatron.objects.get(breach=breach, patron=patrons["minor"])
    response = client.post(reverse("breach:mark_sent", args=[breach.pk, leo.pk]))
    assert response.status_code == 302
    leo.refresh_from_db()
    assert leo.notice_status == NoticeStatus.LETTER_SENT

    response = client.post(
        reverse("breach:review", args=[breach.pk]),
        {"review-practice_evaluated": "Passwords only.", "review-procedures_changed": "2FA."},
    )
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "Passwords only." in page and "Reviewed" in page
    listing = client.get(reverse("breach:list"))
    assert listing.status_code == 200 and f"(breach #{breach.pk})" in listing.content.decode()


@pytest.fixture
def breach(people, patrons, new_madrid):
    open_records(
        actor=people["staff"],
        patron=patrons["parent"],
        purpose=Purpose.PATRON_REQUEST,
        note="phone",
    )
    breach = declare(new_madrid, [people["staff"]], actor=people["director"])
    actions.list_affected(actor=people["director"], breach=breach)
    return breach


def test_staff_get_403_outsiders_404_auditors_read_without_names(people, breach, client_as) -> None:
    detail = reverse("breach:detail", args=[breach.pk])
    notify = reverse("breach:notify", args=[breach.pk])
    assert client_as("staff").get(detail).status_code == 403
    assert client_as("staff").post(notify).status_code == 403
    assert client_as("outsider").get(detail).status_code == 404
    assert client_as("outsider").post(notify).status_code == 404
    auditor = client_as("auditor")
    page = auditor.get(detail)
    assert page.status_code == 200
    assert "Rosa" not in page.content.decode()
    assert "Affected patron 1" in page.content.decode()
    assert auditor.post(notify).status_code == 403
    assert auditor.get(reverse("breach:letters", args=[breach.pk])).status_code == 403
    assert not AffectedPatron.objects.exclude(notice_status=NoticeStatus.PENDING).exists()

    for who in ("staff", "auditor", "outsider", "it_staff"):
        with pytest.raises(PermissionDenied):
            actions.notify(actor=people[who], breach=breach)
    assert "Rosa Delgado" in client_as("director").get(detail).content.decode()


def test_audit_events_carry_ids_never_names_or_contents(
    people, patrons, breach, smtp_server
) -> None:
    director = people["director"]
    actions.add_patron_by_hand(
        actor=director, breach=breach, patron=patrons["minor"], reason="Leo Delgado's screenshot"
    )
    actions.notify(actor=director, breach=breach)
    deliver_due()
    letters = actions.print_letters(actor=director, breach=breach)
    actions.mark_letter_sent(actor=director, affected=letters[0].affected)
    actions.record_review(
        actor=director,
        breach=breach,
        practice_evaluated="Rosa Delgado was affected.",
        procedures_changed="2FA.",
    )
    events = AuditEvent.objects.filter(action__startswith="breach.")
    assert {e.action for e in events} == {
        "breach.declared",
        "breach.affected_listed",
        "breach.patron_added",
        "breach.notice_queued",
        "breach.letter_printed",
        "breach.notice_marked_sent",
        "breach.review_recorded",
    }
    forbidden = ["Rosa", "Delgado", "Leo", "example.org", "Mill Street", *RECORD_CONTENTS]
    for event in events:
        text = json.dumps([event.before, event.after, event.purpose])
        for word in forbidden:
            assert word not in text, (event.action, word)
        assert event.library_id == breach.library_id


def test_my_tasks_remind_those_who_handle_breaches(people, patrons, breach, client_as) -> None:
    director = people["director"]
    # One item for the breach, saying everything there is to do with it.
    (task,) = [t for t in tasks_for(director) if t.key == f"breach:{breach.pk}"]
    assert task.title.startswith(f"Breach #{breach.pk}, declared ")
    assert task.urgent
    assert task.todo.startswith("Send the notices to the 1 affected patron not yet told. ")
    assert "record the procedures you changed" in task.todo
    assert not [t for t in tasks_for(people["staff"]) if "Breach" in t.title]
    assert not [t for t in tasks_for(people["auditor"]) if "Breach" in t.title]
    assert not [t for t in tasks_for(people["outsider"]) if "Breach" in t.title]

    actions.add_patron_by_hand(
        actor=director, breach=breach, patron=patrons["minor"], reason="screenshot"
    )
    actions.notify(actor=director, breach=breach)
    (task,) = [t for t in tasks_for(people["tech_coordinator"]) if "Breach" in t.title]
    assert task.todo.startswith("Print the letter to the patron and mark it as mailed.")
    assert "not yet told" not in task.todo

    letters = actions.print_letters(actor=director, breach=breach)
    actions.mark_letter_sent(actor=director, affected=letters[0].affected)
    actions.record_review(
        actor=director, breach=breach, practice_evaluated="x", procedures_changed="y"
    )
    assert not [t for t in tasks_for(director) if "Breach" in t.title]
    assert client_as("director").get("/").status_code == 200


def test_declare_page_refuses_what_is_not_a_breach(people, new_madrid, client_as) -> None:
    entry = incident(new_madrid, patron_data=False)
    client = client_as("director")
    page = client.get(reverse("breach:declare", args=[entry.pk]))
    assert b"not marked as involving patron information" in page.content
    assert b"Declare the breach" not in page.content
    assert client_as("staff").get(reverse("breach:declare", args=[entry.pk])).status_code == 403
    outsider = client_as("outsider")
    assert outsider.get(reverse("breach:declare", args=[entry.pk])).status_code == 404


def test_a_breach_reads_as_what_happened(breach) -> None:
    """Issue 10: the breach is named by what happened, without "Breach #1: Breach: ...",
    and a count has the noun in the right number."""
    from bookwarden.core.wording import counted

    breach.entry.title = "Breach: a staff login used from an unknown computer"
    assert breach.title == "A staff login used from an unknown computer"
    assert counted(1, "compromised account") == "1 compromised account"
    assert counted(2, "letter") == "2 letters"
