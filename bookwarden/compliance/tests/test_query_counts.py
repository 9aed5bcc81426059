"""The controls cost a bounded number of queries whatever the number of libraries, people
and records (issue 17's performance): every check reads all the libraries asked about at
once, never one query per person or record."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.compliance import actions
from bookwarden.compliance.controls import evaluate
from bookwarden.core.actions import create_branch, create_library, create_staff
from bookwarden.core.models import Library, User
from bookwarden.core.roles import Role
from bookwarden.credentials.tests.factories import a_credential_of
from bookwarden.devices.models import DeviceKind
from bookwarden.devices.tests.factories import a_device
from bookwarden.operations.actions import create_entry
from bookwarden.operations.models import EntryKind
from bookwarden.patrons.retention_proof import take_proof
from bookwarden.policies.tests.factories import matrix_policy
from bookwarden.vendors.tests.factories import a_vendor

from .test_checks import _complete, _course

OWN = """\
framework: own
controls:
  - id: board-minutes
    title: The board minutes record the privacy review
    owner: director
"""


def populate(library: Library, people: int, tag: str) -> None:
    """Records of every kind the checks read: staff with training, a login, devices, a
    policy, a vendor, an incident, an own control and an answer."""
    course = _course(library)
    for n in range(people):
        user = create_staff(
            actor=None,
            library=library,
            username=f"{tag}{n}",
            email=f"{tag}{n}@example.org",
            password=None,
            role=Role.STAFF,
            first_name="Person",
            last_name=f"{tag.title()}{n}",
        ).user
        if n % 2:
            _complete(course, user)
    a_credential_of(library)
    a_device(library, f"{tag}-PC", kind=DeviceKind.STAFF_COMPUTER)
    a_device(library, f"{tag}-PUB", kind=DeviceKind.PUBLIC_COMPUTER)
    matrix_policy(library)
    a_vendor(library)
    create_entry(
        actor=None,
        library=library,
        kind=EntryKind.PHISHING,
        title="Phishing mail",
        narrative="A phishing mail reached the staff.",
        occurred_at=timezone.now(),
    )
    actions.save_own_controls(actor=None, library=library, text=OWN.replace("board", tag))
    actions.answer_item(
        actor=None, library=library, control_id="card-as-consent", answer="yes", note=""
    )


def _new_library(n: int) -> Library:
    library = create_library(
        actor=None, name=f"Library {n}", slug=f"library-{n}", jurisdiction="US-MO"
    )
    create_branch(actor=None, library=library, name="Main", slug="main")
    create_staff(
        actor=None,
        library=library,
        username=f"director{n}",
        email=f"director{n}@example.org",
        password=None,
        role=Role.DIRECTOR,
        first_name="Dana",
        last_name=f"Director{n}",
    )
    return library


def test_more_libraries_and_people_cost_no_more_queries(
    people, new_madrid, cresco, django_assert_max_num_queries
) -> None:
    """Two libraries with a few people, then five with many more people and records: the
    same number of queries (at most)."""
    populate(new_madrid, 2, "nm")
    populate(cresco, 2, "cr")
    record(AuditAction.AUDIT_ANCHORED, after={"seq": 1})
    take_proof()
    with CaptureQueriesContext(connection) as few:
        results = evaluate([new_madrid, cresco])
    assert len(results[new_madrid.pk]) == len(results[cresco.pk]) > 90
    bigger = [new_madrid, cresco] + [_new_library(n) for n in range(3)]
    for n, library in enumerate(bigger):
        populate(library, 8, f"more{n}x")
    assert User.objects.count() >= 60
    take_proof()
    for library in bigger:
        take_proof(library=library)
    with django_assert_max_num_queries(len(few)):
        results = evaluate(bigger)
    assert all(any(r.control.framework == "own" for r in results[lib.pk]) for lib in bigger)
