"""The main pages run a fixed number of queries, however much data there is (DESIGN:
query counts of the main pages are pinned).  A change that adds a query per row fails here."""

from __future__ import annotations

import pytest

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core import actions
from bookwarden.core.models import Library
from bookwarden.core.roles import Role

from .helpers import audit_event_queries

EVENT = audit_event_queries()

# session, user, memberships, TOTP check, then the page's own queries; the session row is
# saved on every request (the idle lock keeps its time there).
PAGES = {
    # + breaches to handle (breach.my_tasks)
    # + incidents to acknowledge, who acknowledged (director), overdue entries (operations.my_tasks)
    # + enforcement cases (enforcement.my_tasks): 15 with everything registered today
    # + requests for records, policy rules (disclosures.my_tasks)
    # + mail that failed (mail.my_tasks); the jobs whose last run failed (jobs.my_tasks) are
    # the installation role's, not a library director's (issue 9)
    # + courses to complete (one query), sessions to take attendance at (training.my_tasks)
    # + policies to sign, policies to review (policies.my_tasks)
    # + the account review when due and the last days to come (people.my_tasks)
    # + software requests to decide and decisions to see (software.my_tasks)
    # + vendors whose privacy review is due (vendors.my_tasks)
    # + API tokens that stop working soon (api.my_tasks)
    # + the controls that failed in last night's snapshot (compliance.my_tasks)
    "/": 28,  # one more: colleagues locked out of signing in
    # Every page but /accounts/ also asks whether a monitoring notice waits (one query,
    # policies.notice; no notice here, so no signature is read).
    "/libraries/new-madrid/": 11,
    "/libraries/new-madrid/staff/": 10,
    # + the person's API tokens (api.account; their libraries are one more when there are some)
    "/accounts/security/": 8,
    # The audit log's pages are read by sequence number: no count of the log (issue 16);
    # + the page's own audit event.
    "/audit/": 10 + EVENT,
    "/audit/?action=auth.login": 10 + EVENT,
    "/audit/?before=100": 10 + EVENT,
}


def _more_data(people) -> None:
    library = Library.objects.get(slug="new-madrid")
    for n in range(15):
        actions.create_staff(
            actor=None,
            library=library,
            username=f"extra{n}",
            email=f"extra{n}@example.org",
            password=None,
            role=Role.STAFF,
        )
    for _ in range(60):
        record(AuditAction.LOGIN, actor=people["staff"], library=library)


@pytest.mark.parametrize("url", list(PAGES))
def test_query_count_is_pinned(url, client_as, people, django_assert_num_queries) -> None:
    client = client_as("director")
    with django_assert_num_queries(PAGES[url]):
        assert client.get(url).status_code == 200
    _more_data(people)
    client = client_as("director")
    with django_assert_num_queries(PAGES[url]):
        assert client.get(url).status_code == 200


def test_staff_detail_query_count(client_as, people, django_assert_num_queries) -> None:
    client = client_as("director")
    # + whether the person has two-factor login, and whether their sign-in is locked
    # + whether a monitoring notice waits (policies.notice)
    # + their last day at the library (people.staff_pages)
    with django_assert_num_queries(14):
        response = client.get(f"/libraries/new-madrid/staff/{people['staff'].pk}/")
    assert response.status_code == 200
