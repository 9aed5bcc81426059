"""CC-12, IT-1: the director adds a policy and its versions from the pages (Markdown and a
PDF kept with its SHA-256, downloaded only while it matches); bad input is refused with a
clear message and nothing written."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bookwarden.audit.models import AuditAction
from bookwarden.core.tests.helpers import audit_head, events_since
from bookwarden.policies.models import Policy, PolicyVersion

from .conftest import days_ago

PDF = b"%PDF-1.4\n% a policy\n%%EOF\n"


def test_director_adds_a_policy_and_a_version_with_a_pdf(people, client_as) -> None:
    client = client_as("director")
    head = audit_head()
    response = client.post(
        reverse("policies:create"),
        {
            "library": "new-madrid",
            "title": "Acceptable Use Policy",
            "kind": "staff",
            "audience": "chosen",
            "audience_roles": ["staff", "volunteer"],
            "must_sign": "on",
            "review_every_months": "12",
        },
    )
    policy = Policy.objects.get(title="Acceptable Use Policy")
    assert response["Location"] == reverse("policies:version_create", args=[policy.pk])
    assert policy.audience_roles == ["staff", "volunteer"]

    response = client.post(
        reverse("policies:version_create", args=[policy.pk]),
        {
            "text": "# Acceptable use\n\nBe kind.",
            "document": SimpleUploadedFile("aup.pdf", PDF, "application/pdf"),
            "approved_by": "Board of Trustees",
            "adopted_on": days_ago(3).isoformat(),
            "effective_on": days_ago(1).isoformat(),
            "needs_signatures": "on",
            "days_to_sign": "30",
        },
    )
    assert response.status_code == 302
    version = PolicyVersion.objects.get(policy=policy)
    assert version.document_sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.fingerprint == PolicyVersion.fingerprint_of(
        "# Acceptable use\n\nBe kind.", version.document_sha256
    )
    actions_written = [e.action for e in events_since(head) if e.action.startswith("policy.")]
    assert actions_written == [AuditAction.POLICY_ADDED, AuditAction.POLICY_VERSION_ADDED]

    download = client_as("staff").get(reverse("policies:document", args=[policy.pk, version.pk]))
    assert download.status_code == 200 and download.content == PDF
    # A file changed on disk no longer matches its fingerprint: refused.
    with version.document.open("wb") as handle:
        handle.write(b"%PDF-1.4 tampered")
    tampered = client_as("staff").get(reverse("policies:document", args=[policy.pk, version.pk]))
    assert tampered.status_code == 409


def test_bad_versions_are_refused_and_nothing_written(people, client_as, make_policy) -> None:
    policy = make_policy(effective_days_ago=5)
    client = client_as("director")
    url = reverse("policies:version_create", args=[policy.pk])
    cases = [
        (
            {"effective_on": days_ago(0).isoformat(), "days_to_sign": "30"},
            "or upload it as a PDF, or both",
        ),
        (
            {"text": "x", "effective_on": days_ago(10).isoformat(), "days_to_sign": "30"},
            "cannot take effect before the version it replaces",
        ),
        (
            {
                "text": "x",
                "document": SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf"),
                "effective_on": days_ago(0).isoformat(),
                "days_to_sign": "30",
            },
            "Upload the policy as a PDF file.",
        ),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert policy.versions.count() == 1


def test_one_privacy_policy_per_library(people, client_as, make_policy) -> None:
    make_policy("Privacy Policy", kind="patron_privacy")
    response = client_as("director").post(
        reverse("policies:create"),
        {
            "library": "new-madrid",
            "title": "Another",
            "kind": "patron_privacy",
            "audience": "patrons",
            "review_every_months": "12",
        },
    )
    assert response.status_code == 400
    assert "already has a privacy policy for patrons" in response.content.decode()
