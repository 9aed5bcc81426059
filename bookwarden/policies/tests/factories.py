"""Objects of New Madrid that the policy URLs name, for the authorization matrix
(``core/tests/helpers.py``): a staff policy in effect with a PDF, signed by the staff
member (Ben Johnson) and by nobody else."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bookwarden.core.models import Library, User
from bookwarden.policies import actions
from bookwarden.policies.models import Policy, Signature

MATRIX_TITLE = "Matrix Computer Use Policy"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def matrix_policy(library: Library) -> Policy:
    policy = Policy.objects.filter(library=library, title=MATRIX_TITLE).first()
    if policy is None:
        policy = actions.add_policy(actor=None, library=library, title=MATRIX_TITLE)
        actions.add_version(
            actor=None,
            policy=policy,
            text="Use library computers for library work.",
            document=SimpleUploadedFile("policy.pdf", PDF, "application/pdf"),
            effective_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    return policy


def matrix_version_id() -> int:
    return Policy.objects.get(library__slug="new-madrid", title=MATRIX_TITLE).versions.get().pk


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    policy = matrix_policy(library)
    version = policy.versions.get()
    staff = people["staff"]
    signature = Signature.objects.filter(user=staff, version=version).first()
    if signature is None:
        signature = actions.sign_policy(
            actor=staff,
            policy=policy,
            library=library,
            version=version,
            typed_name=staff.get_full_name(),
        )
    return {
        "policy_id": policy.pk,
        "version_id": version.pk,
        "signature_id": signature.pk,
    }
