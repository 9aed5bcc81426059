"""CC-10: the pages on the demo's training: each person's own list, the coordinator's and
human resources' overview (numbers per course, per branch, per person, who is overdue),
its CSV export, course management; scoping (another library 404, no permission 403) and
pinned query counts."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since

from ..progress import library_progress


def test_the_overview_counts(people, new_madrid, demo_courses) -> None:
    progress = library_progress(new_madrid)
    by_course = {t.label: (t.people, t.done, t.overdue) for t in progress.by_course}
    assert by_course == {
        "Yearly cybersecurity training": (9, 7, 0),
        "Phishing awareness": (9, 4, 0),
        "Safe use of patron information": (9, 6, 3),
    }
    assert {str(p.user) for p in progress.overdue_people} == {
        "Sam Williams",
        "Linda Chen",
        "Rick Alvarez",
    }
    by_branch = {t.label: (t.people, t.done) for t in progress.by_branch}
    assert by_branch["Portageville"] == (3, 3)  # Ben Johnson: all three done
    assert by_branch["Rhodes Memorial"] == (3, 3)  # Emma Kim too
    assert "Helen Brooks" not in {str(p.user) for p in progress.people}  # the auditor


def test_the_overview_page(
    people, new_madrid, demo_courses, client_as, django_assert_max_num_queries
) -> None:
    client = client_as("human_resources")
    url = reverse("training:overview", args=[new_madrid.slug])
    with django_assert_max_num_queries(12):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sam Williams: Safe use of patron information (due" in page
    assert "<td>Phishing awareness</td><td>9</td><td>4 (44%)</td><td>0</td>" in page


def test_the_export(people, new_madrid, demo_courses, client_as) -> None:
    head = audit_head()
    response = client_as("tech_coordinator").get(reverse("training:export", args=[new_madrid.slug]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 27  # nine people, three courses
    sam = [r for r in rows if r["username"] == "swilliams" and r["course"].startswith("Safe")]
    assert sam[0]["status"] == "Overdue" and sam[0]["completed_on"] == ""
    assert events_since(head, AuditAction.TRAINING_EXPORTED)[0].after == {"rows": 27}


def test_another_library_is_404_and_no_permission_403(
    people, new_madrid, demo_courses, client_as
) -> None:
    url = reverse("training:overview", args=[new_madrid.slug])
    assert client_as("outsider").get(url).status_code == 404
    assert client_as("staff").get(url).status_code == 403
    course = demo_courses["phishing"]
    assert (
        client_as("outsider").get(reverse("training:course", args=[course.pk])).status_code == 404
    )
    assert (
        client_as("staff").get(reverse("training:course_edit", args=[course.pk])).status_code == 403
    )


def test_my_training_most_urgent_first(
    people, demo_courses, client_as, django_assert_max_num_queries
) -> None:
    client = client_as("it_staff")
    with django_assert_max_num_queries(11):
        page = client.get(reverse("training:mine")).content.decode()
    # Overdue first, then the phishing quiz still to take; the yearly training is done.
    assert page.index("Safe use of patron information") < page.index("Phishing awareness")
    assert "Overdue" in page
    assert page.index("Completed") < page.index(
        "Yearly cybersecurity training", page.index("Completed")
    )


def test_the_course_page_renders_material_safely(
    people, make_course, client_as, django_assert_max_num_queries
) -> None:
    course = make_course(material="# Heading\n\n<script>alert(1)</script> **bold**")
    client = client_as("staff")
    with django_assert_max_num_queries(11):
        page = client.get(reverse("training:course", args=[course.pk])).content.decode()
    assert "<h1>Heading</h1>" in page and "<strong>bold</strong>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "Take the quiz" in page


def test_management_pages(
    people, new_madrid, demo_courses, client_as, django_assert_max_num_queries
) -> None:
    client = client_as("tech_coordinator")
    with django_assert_max_num_queries(11):
        assert client.get(reverse("training:manage", args=[new_madrid.slug])).status_code == 200
    course = demo_courses["yearly"]
    with django_assert_max_num_queries(14):
        page = client.get(reverse("training:course", args=[course.pk])).content.decode()
    assert "Schedule a session" in page and "Record a completion" in page
    session = course.sessions.order_by("pk").first()
    with django_assert_max_num_queries(15):
        assert client.get(reverse("training:session", args=[session.pk])).status_code == 200


def test_adding_a_course_and_a_question_from_the_pages(people, new_madrid, client_as) -> None:
    client = client_as("tech_coordinator")
    response = client.post(
        reverse("training:course_new", args=[new_madrid.slug]),
        {
            "title": "Social engineering",
            "kind": "social_engineering",
            "delivery": "online_here",
            "audience": "chosen",
            "audience_roles": ["staff", "volunteer"],
            "recurrence_months": "12",
            "days_to_complete": "30",
            "starts_on": "2026-01-01",
            "pass_mark": "80",
            "active": "on",
        },
    )
    assert response.status_code == 302
    course_url = response["Location"]
    course_id = int(course_url.rstrip("/").rsplit("/", 1)[1])
    response = client.post(
        reverse("training:question_new", args=[course_id]),
        {
            "text": "Who may ask for a password?",
            "choice_0": "Nobody",
            "choice_1": "IT",
            "correct": "0",
        },
    )
    assert response.status_code == 302
    page = client.get(course_url).content.decode()
    assert (
        "Who may ask for a password?" in page and "Nobody <strong>(right answer)</strong>" in page
    )
    refused = client.post(
        reverse("training:course_new", args=[new_madrid.slug]),
        {
            "title": "Social engineering",
            "kind": "social_engineering",
            "delivery": "online_here",
            "audience": "chosen",
            "recurrence_months": "12",
            "days_to_complete": "30",
            "starts_on": "2026-01-01",
            "pass_mark": "80",
        },
    )
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "already has a course with this title" in text or "Choose at least one role" in text


def test_form_pages_query_counts(
    people, new_madrid, make_course, client_as, django_assert_max_num_queries
) -> None:
    course = make_course()
    coordinator = client_as("tech_coordinator")
    for url, most in (
        (reverse("training:quiz", args=[course.pk]), 12),
        (reverse("training:import", args=[new_madrid.slug]), 9),
        (reverse("training:course_new", args=[new_madrid.slug]), 10),
        (reverse("training:course_edit", args=[course.pk]), 11),
        (reverse("training:session_new", args=[course.pk]), 11),
    ):
        with django_assert_max_num_queries(most):
            assert coordinator.get(url).status_code == 200, url


def test_my_tasks_show_overdue_training(people, demo_courses) -> None:
    """An overdue course is urgent on "My tasks"; a course done is not there."""
    from bookwarden.core.my_tasks import tasks_for

    tasks = {t.title: t for t in tasks_for(people["it_staff"])}
    overdue = tasks["Training: Safe use of patron information"]
    assert overdue.urgent and overdue.todo == "Complete it now: it is overdue."
    assert "Training: Yearly cybersecurity training" not in tasks
