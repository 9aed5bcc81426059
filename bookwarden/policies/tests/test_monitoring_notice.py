"""LV-8, CC-4: a signed-in staff member who has not acknowledged the monitoring notice in
effect is sent to it before anything else, through the real sign-in pages; once they press
"I have read this notice" they go on; a new version marked "staff must sign again" shows it
again; the session remembers it, so the check costs one query per request."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import (
    audit_head,
    events_since,
    location_path,
    login_through_page,
)
from bookwarden.policies import actions
from bookwarden.policies.models import Audience, PolicyKind, Signature

from .conftest import days_ago

NOTICE = "/policies/notice/"


def _notice(make_policy, **kwargs):
    return make_policy(
        "Notice of monitoring",
        kind=PolicyKind.MONITORING_NOTICE,
        text="Library systems are **monitored**.",
        **kwargs,
    )


def test_notice_blocks_until_acknowledged(make_policy, people) -> None:
    notice = _notice(make_policy)
    client = Client()
    response = login_through_page(client, "bjohnson")
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and location_path(home) == NOTICE
    # Everything else waits too, with the way back kept.
    page = client.get("/policies/")
    assert location_path(page) == NOTICE and "next=%2Fpolicies%2F" in page["Location"]
    shown = client.get(NOTICE)
    assert shown.status_code == 200
    assert "<strong>monitored</strong>" in shown.content.decode()
    # Still open: sign-out, the idle lock, the health check, the portal.
    assert client.get("/healthz").status_code == 503  # not sent to the notice: no job loop here
    assert client.get("/portal/new-madrid/privacy/").status_code == 200

    head = audit_head()
    version = notice.versions.get()
    done = client.post(NOTICE, {"version": version.pk, "next": "/policies/"})
    assert location_path(done) == "/policies/"
    assert client.get("/").status_code == 200
    signature = Signature.objects.get(user=people["staff"], version=version)
    assert signature.typed_name == "Ben Johnson"
    assert len(events_since(head, AuditAction.POLICY_NOTICE_ACKNOWLEDGED)) == 1

    # A new version that staff must acknowledge again shows it again.
    actions.add_version(actor=None, policy=notice, text="Also the Wi-Fi.", effective_on=days_ago(0))
    assert location_path(client.get("/")) == NOTICE
    # A correction does not.
    client.post(NOTICE, {"version": notice.versions.order_by("-number")[0].pk})
    actions.add_version(
        actor=None,
        policy=notice,
        text="Also the Wi-Fi, corrected.",
        effective_on=days_ago(0),
        needs_signatures=False,
    )
    assert client.get("/").status_code == 200


def test_auditor_and_people_without_notice_go_on(make_policy, people, client_as) -> None:
    """Board members and auditors are not staff; Cresco has no notice."""
    _notice(make_policy)
    assert client_as("auditor").get("/").status_code == 200
    assert client_as("outsider_staff").get("/").status_code == 200
    assert client_as("server_admin").get(reverse("jobs:list")).status_code == 200


def test_notice_of_chosen_branches(make_policy, people, new_madrid, client_as) -> None:
    branch = new_madrid.branches.get(slug="rhodes")
    _notice(make_policy, audience=Audience.CHOSEN, audience_branches=[branch])
    assert location_path(client_as("volunteer").get("/")) == NOTICE  # works at Rhodes
    assert client_as("staff").get("/").status_code == 200  # works at Portageville


def test_once_acknowledged_one_query_per_request(
    make_policy, people, client_as, django_assert_max_num_queries
) -> None:
    """The session remembers the acknowledged version: one small query per request, and
    the signatures are not read again."""
    notice = _notice(make_policy)
    client = client_as("staff")
    client.post(NOTICE, {"version": notice.versions.get().pk})
    with django_assert_max_num_queries(50) as page:
        assert client.get("/libraries/new-madrid/").status_code == 200
    sql = [q["sql"] for q in page.captured_queries]
    assert len([q for q in sql if "monitoring_notice" in q]) == 1
    assert not [q for q in sql if "policies_signature" in q]
