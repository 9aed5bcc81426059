"""The compliance pages (CC-8): the controls by status, a control's page, not applicable
and its undo, the library's own controls, the ALA checklists and their answers.  Refusals
give clear messages and write nothing; another library's page is 404; each page's query
count is pinned."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bookwarden.audit.models import AuditEvent
from bookwarden.compliance.controls import evaluate
from bookwarden.compliance.models import ChecklistAnswer, NotApplicable, OwnCatalog
from bookwarden.compliance.snapshots import write_snapshots
from bookwarden.compliance.views.catalog import checklist_progress
from bookwarden.compliance.views.controls import months_of

from .factories import ANSWERED_CONTROL, CHECKED_CONTROL

OWN = """\
framework: own
controls:
  - id: board-minutes
    title: The board minutes record the privacy review
    requirements: [CC-11]
    source: Our bylaws
    sentence: "The board reviews the privacy program every year."
    owner: director
  - id: logins-of-our-own
    title: Our own logins change in time
    owner: tech_coordinator
    checks: [credentials-rotated]
"""


def url(name: str, *args: str) -> str:
    return reverse(f"compliance:{name}", args=["new-madrid", *args])


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


#: The pinned number of queries of each page (the checks read every library at once).
PAGES = {
    "list": ((), 66),
    "detail": ((CHECKED_CONTROL,), 16),
    "checklists": ((), 66),
    "own": ((), 10),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_query_counts_are_pinned(
    page, people, client_as, django_assert_max_num_queries
) -> None:
    args, most = PAGES[page]
    client = client_as("director")
    with django_assert_max_num_queries(most, info=page):
        response = client.get(url(page, *args))
    assert response.status_code == 200


def test_the_list_puts_failing_first(people, client_as) -> None:
    """The most urgent first: failing controls, then those without evidence."""
    page = client_as("auditor").get(url("list")).content.decode()
    failing, no_evidence = page.find("<h2>Failing ("), page.find("<h2>No evidence yet (")
    assert -1 < failing < no_evidence
    assert "Every employee completes the yearly cybersecurity training" in page


def test_a_control_page_shows_its_policy_owner_and_ids(people, client_as) -> None:
    page = client_as("auditor").get(url("detail", CHECKED_CONTROL)).content.decode()
    assert "No history yet" in page
    write_snapshots()
    page = client_as("auditor").get(url("detail", CHECKED_CONTROL)).content.decode()
    month = months_of([], timezone.localdate())[0].label
    assert f'<td data-label="Month">{month}</td>' in page
    assert "All employees must complete annual cybersecurity training" in page
    assert "Technology coordinator (IT manager)" in page
    assert 'class="req-ids">CC-10<' in page
    assert "The last 12 months" in page
    # Read only: the board member or auditor is offered no form.
    assert "Mark not applicable" not in page


def test_another_librarys_control_is_404(people, client_as) -> None:
    """Cresco's director learns nothing of New Madrid, nor of a control id that is not one."""
    assert client_as("outsider").get(url("detail", CHECKED_CONTROL)).status_code == 404
    assert client_as("director").get(url("detail", "no-such-control")).status_code == 404


def test_mark_not_applicable_and_undo(people, new_madrid, client_as) -> None:
    """A control marked not applicable, with its reason, on record; undone, it counts again."""
    client = client_as("tech_coordinator")
    short = client.post(url("not_applicable", CHECKED_CONTROL), {"reason": "No."})
    assert "Say why the control does not apply" in short.content.decode()
    assert not NotApplicable.objects.exists()
    done = client.post(
        url("not_applicable", CHECKED_CONTROL),
        {"reason": "Training is given by the county for every employee."},
    )
    assert done.status_code == 302
    result = evaluate([new_madrid], only={CHECKED_CONTROL})[new_madrid.pk][0]
    assert result.status == "not_applicable"
    assert result.not_applicable_reason == "Training is given by the county for every employee."
    assert events("compliance.not_applicable") == 1
    again = client.post(
        url("not_applicable", CHECKED_CONTROL),
        {"reason": "Training is given by the county for every employee."},
        follow=True,
    )
    assert "already marked not applicable" in again.content.decode()
    client.post(url("applicable", CHECKED_CONTROL))
    assert not NotApplicable.objects.exists()
    assert events("compliance.applicable") == 1


def test_the_auditor_and_staff_cannot_mark(people, client_as) -> None:
    for who in ("auditor", "staff"):
        response = client_as(who).post(
            url("not_applicable", CHECKED_CONTROL), {"reason": "Some long enough reason."}
        )
        assert response.status_code == 403
    assert not NotApplicable.objects.exists()


def test_own_controls_are_validated_and_kept(people, new_madrid, client_as) -> None:
    """The library's own controls: a bad text is refused with every error and kept as typed;
    a good one adds the controls, checked from the records or answered by a person."""
    client = client_as("director")
    bad = OWN.replace("owner: director", "owner: boss").replace(
        "[credentials-rotated]", "[no-such-check]"
    )
    response = client.post(url("own"), {"text": bad})
    page = response.content.decode()
    assert "the owner must be one of the roles" in page
    assert "no check is called no-such-check" in page
    assert "owner: boss" in page  # nothing lost
    assert not OwnCatalog.objects.exists()
    upload = SimpleUploadedFile("ours.yaml", OWN.encode())
    assert client.post(url("own"), {"text": "", "upload": upload}).status_code == 302
    ids = [r.control.id for r in evaluate([new_madrid])[new_madrid.pk]]
    assert ids[-2:] == ["board-minutes", "logins-of-our-own"]
    assert events("compliance.own_controls_saved") == 1
    assert "The board minutes record" in client.get(url("list")).content.decode()


def test_an_uploaded_file_with_errors_is_shown_to_correct(people, client_as) -> None:
    upload = SimpleUploadedFile("ours.yaml", OWN.replace("owner: director", "owner: x").encode())
    page = client_as("director").post(url("own"), {"text": "", "upload": upload}).content.decode()
    assert "the owner must be one of the roles" in page
    assert "The board minutes record the privacy review" in page  # the file's text, to correct


def test_answering_an_item(people, new_madrid, client_as) -> None:
    """An item no check answers: the answer is recorded and sets its status; a note is
    needed unless yes; an item the records answer is refused."""
    client = client_as("director")
    refused = client.post(url("answer", ANSWERED_CONTROL), {"answer": "partly", "note": ""})
    assert "Say what is missing or why it does not apply" in refused.content.decode()
    client.post(url("answer", ANSWERED_CONTROL), {"answer": "partly", "note": "Two branches."})
    result = evaluate([new_madrid], only={ANSWERED_CONTROL})[new_madrid.pk][0]
    assert result.status == "failing"
    assert ChecklistAnswer.objects.get().answered_by == people["director"]
    assert events("compliance.item_answered") == 1
    checked = client.post(url("answer", CHECKED_CONTROL), {"answer": "yes"}, follow=True)
    assert "answered by the library&#x27;s records" in checked.content.decode()


def test_checklist_progress_per_checklist_and_priority(people, new_madrid, client_as) -> None:
    """ALA: progress per checklist and per priority; an item answered "not applicable"
    leaves the share, one answered yes counts as done."""
    client = client_as("director")
    before, overall_before = checklist_progress(evaluate([new_madrid])[new_madrid.pk])
    overview = next(c for c in before if c.key == "overview")
    client.post(url("answer", "ala-overview-certificates-valid"), {"answer": "yes"})
    client.post(
        url("answer", "ala-overview-paper-destroyed"),
        {"answer": "not_applicable", "note": "The library keeps no paper sign-in sheets."},
    )
    after, overall_after = checklist_progress(evaluate([new_madrid])[new_madrid.pk])
    overview_after = next(c for c in after if c.key == "overview")
    assert overview_after.tally.done == overview.tally.done + 1
    assert overview_after.tally.counted == overview.tally.counted - 1
    assert overall_after[0].done == overall_before[0].done + 1
    assert overall_after[0].not_applicable == overall_before[0].not_applicable + 1
    page = client.get(url("checklists")).content.decode()
    assert "Public access computers and networks" in page
    assert "https://www.ala.org/advocacy/privacy/checklists/overview" in page


#: The pinned number of queries of each write (a POST that redirects) and of the entry page.
WRITES = {
    "home": (None, (), 9),
    "not_applicable": ({"reason": "The county trains every employee."}, (CHECKED_CONTROL,), 24),
    "applicable": ({}, (CHECKED_CONTROL,), 20),
    "answer": ({"answer": "yes", "note": ""}, (ANSWERED_CONTROL,), 23),
    "own": ({"text": OWN}, (), 18),
}


@pytest.mark.parametrize("name", WRITES)
def test_write_query_counts_are_pinned(
    name, people, client_as, django_assert_max_num_queries
) -> None:
    data, args, most = WRITES[name]
    client = client_as("director")
    if name == "applicable":
        client.post(url("not_applicable", *args), WRITES["not_applicable"][0])
    with django_assert_max_num_queries(most, info=name):
        if data is None:
            response = client.get(reverse("compliance:home"))
        else:
            response = client.post(url(name, *args), data)
    assert response.status_code == 302
