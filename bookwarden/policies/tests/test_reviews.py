"""CC-11, CC-12: each policy is reviewed a year after its last review by default; a policy
past its review date is on the director's "My tasks" until a review is recorded (kept as it
is) or a new version is added, which counts as the review."""

from __future__ import annotations

import datetime

from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.policies import actions
from bookwarden.policies.actions import add_months
from bookwarden.policies.models import PolicyReview

from .conftest import days_ago


def test_review_due_until_kept_or_replaced(
    make_policy, people, new_madrid, client_as, time_machine
) -> None:
    policy = make_policy("Cybersecurity Policy", effective_days_ago=400)
    policy.refresh_from_db()
    assert policy.next_review_on == add_months(days_ago(400), 12)
    director = client_as("director")
    home = director.get("/").content.decode()
    assert "Review the Cybersecurity Policy" in home
    assert "Review overdue" in director.get("/policies/").content.decode()
    assert "Review the Cybersecurity Policy" not in client_as("staff").get("/").content.decode()

    head = audit_head()
    response = director.post(reverse("policies:review", args=[policy.pk]), {"note": "Checked."})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.next_review_on == add_months(days_ago(0), 12)
    assert PolicyReview.objects.get(policy=policy).outcome == "kept"
    assert len(events_since(head, AuditAction.POLICY_REVIEWED)) == 1
    assert "Review the Cybersecurity Policy" not in director.get("/").content.decode()

    # A year on it is due again; a new version answers it.
    time_machine.move_to(datetime.datetime.combine(days_ago(-370), datetime.time(12)))
    director = client_as("director")  # a year on: a new session
    assert "Review the Cybersecurity Policy" in director.get("/").content.decode()
    actions.add_version(
        actor=people["director"], policy=policy, text="New.", effective_on=days_ago(0)
    )
    assert "Review the Cybersecurity Policy" not in director.get("/").content.decode()
    assert policy.reviews.first().outcome == "new_version"


def test_only_the_director_records_reviews(make_policy, people, client_as) -> None:
    policy = make_policy()
    for who in ("human_resources", "staff", "auditor"):
        assert (
            client_as(who).post(reverse("policies:review", args=[policy.pk]), {}).status_code == 403
        )
    assert not PolicyReview.objects.exists()
