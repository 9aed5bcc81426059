"""The case page (IT-9, LV-12): the checklist with what is done and what is next, the forms
of the steps the person may take now; scoping (Cresco's people get 404) and read-only
oversight (the auditor reads, never writes)."""

from __future__ import annotations

from django.urls import reverse

from bookwarden.audit.models import AuditEvent
from bookwarden.enforcement.demo import case_at
from bookwarden.enforcement.models import CaseStep, EnforcementCase, Stage, Step
from bookwarden.enforcement.my_tasks import hr_decisions


def test_case_page_shows_the_checklist_and_the_next_step(people, client_as) -> None:
    case = case_at(people, Step.HR_DECISION)
    url = reverse("enforcement:case", args=[case.pk])
    page = client_as("tech_coordinator").get(url).content.decode()
    assert "Waiting for human resources" in page
    assert page.count("(Done)") == 3 and "(Next)" in page
    assert "Tom Patel" in page  # who did the steps
    assert reverse("enforcement:hr_decision", args=[case.pk]) not in page
    assert reverse("enforcement:lock", args=[case.pk]) not in page
    page = client_as("human_resources").get(url).content.decode()
    assert reverse("enforcement:hr_decision", args=[case.pk]) in page


def test_hr_decides_through_the_page_and_the_director_is_refused(people, client_as) -> None:
    case = case_at(people, Step.HR_DECISION)
    url = reverse("enforcement:hr_decision", args=[case.pk])
    data = {"hr-discipline_needed": "no", "hr-note": ""}
    assert client_as("director").post(url, data).status_code == 403
    assert client_as("outsider").post(url, data).status_code == 404
    response = client_as("human_resources").post(url, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.CONTACT


def test_hr_is_told_of_cases_waiting_for_a_decision(people, client_as) -> None:
    case = case_at(people, Step.HR_DECISION)
    (task,) = hr_decisions(people["human_resources"])
    assert task.title == f"Enforcement case #{case.pk}: {case.entry.title}"
    assert task.todo.startswith("Decide whether discipline is needed")
    assert task.urgent and task.state == "About Ben Johnson, on CIRC-PC-03."
    assert not list(hr_decisions(people["director"]))
    assert f"Enforcement case #{case.pk}" in client_as("human_resources").get("/").content.decode()


def test_the_owner_sees_the_next_step(people, client_as) -> None:
    case = case_at(people, Step.ISOLATE)
    home = client_as("tech_coordinator").get("/").content.decode()
    # Each step says its own thing, in words (not the enforcement steps' generic sentence).
    assert f"Enforcement case #{case.pk}: {case.entry.title}" in home
    assert "Take the device (CIRC-PC-03) off the network, or record why that is not needed." in home


def test_cresco_gets_404_and_the_auditor_reads_but_never_writes(people, client_as) -> None:
    case = case_at(people, Step.REFER)
    url = reverse("enforcement:case", args=[case.pk])
    for who in ("outsider", "outsider_staff"):
        assert client_as(who).get(url).status_code == 404
    assert f"#{case.pk}" not in client_as("outsider").get("/enforcement/").content.decode()
    auditor = client_as("auditor")
    page = auditor.get(url).content.decode()
    assert "Enforcement case" in page and '<form method="post" action="/enforcement' not in page
    before = (CaseStep.objects.count(), AuditEvent.objects.count())
    for step in ("details", "refer", "close"):
        response = auditor.post(
            reverse(f"enforcement:{step}", args=[case.pk]),
            {"details-details": "x", "refer-agency": "x", "close-note": "x"},
        )
        assert response.status_code == 403
    assert (CaseStep.objects.count(), AuditEvent.objects.count()) == before
    assert client_as("volunteer").get(url).status_code == 403


def test_open_a_case_through_the_page(people, violation, client_as) -> None:
    client = client_as("assistant_director")
    response = client.post(
        reverse("enforcement:open"),
        {
            "entry": violation.pk,
            "subject_user": people["staff"].pk,
            "device": "CIRC-PC-02",
            "details": "Reported by a colleague.",
        },
    )
    case = EnforcementCase.objects.get(entry=violation)
    assert response["Location"] == reverse("enforcement:case", args=[case.pk])
    assert case.stage == Stage.INFORM
    assert (
        client_as("outsider").post(reverse("enforcement:open"), {"entry": violation.pk}).status_code
        == 404
    )
