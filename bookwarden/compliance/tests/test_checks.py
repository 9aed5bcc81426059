"""Each check computes its status from the library's own records (CC-8): operating when the
records show the duty done, failing with what fails in sentences, and "No evidence yet"
(never operating) where the library has recorded nothing it could rest on."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.compliance.checks import CheckResult, Status, get, registered
from bookwarden.core.actions import create_library, create_staff
from bookwarden.core.models import Branch, Library, User
from bookwarden.core.roles import Role
from bookwarden.credentials.models import Credential
from bookwarden.credentials.tests.factories import a_credential_of
from bookwarden.devices.models import DeviceKind, PublicComputerCheck
from bookwarden.devices.tests.factories import a_device
from bookwarden.operations.actions import create_entry
from bookwarden.operations.models import EntryKind, LogEntry
from bookwarden.people.models import Departure
from bookwarden.policies.models import Policy
from bookwarden.policies.tests.factories import matrix_policy
from bookwarden.training.models import CompletedBy, Completion, Course, CourseKind, Delivery
from bookwarden.vendors.tests.factories import a_vendor

DAY = datetime.timedelta(days=1)


def check(name: str, library: Library) -> CheckResult:
    return get(name).run([library], timezone.now())[library.pk]


def fresh_library() -> Library:
    """A library of its own, in no consortium, with nothing recorded but its director."""
    library = create_library(actor=None, name="Fresh Library", slug="fresh", jurisdiction="US-MO")
    create_staff(
        actor=None,
        library=library,
        username="fdirector",
        email="director@fresh.example.org",
        password=None,
        role=Role.DIRECTOR,
        first_name="Fay",
        last_name="Director",
    )
    return library


#: What a library with nothing recorded shows: its settings and its one person give these
#: evidence; every other check says "No evidence yet".
WITHOUT_RECORDS = {
    "sessions-lock-when-idle": Status.OPERATING,
    "events-attributable": Status.OPERATING,
    "custodian-named": Status.OPERATING,
    "roles-named": Status.FAILING,
}


def test_a_library_with_no_records_has_no_evidence_rather_than_operating(people) -> None:
    """CC-8: a check with nothing to rest on says "No evidence yet" and what would give
    evidence; it is never silently operating."""
    library = fresh_library()
    for name in registered():
        result = check(name, library)
        expected = WITHOUT_RECORDS.get(name, Status.NO_EVIDENCE)
        assert result.status == expected, (name, result.summary)
        if expected == Status.NO_EVIDENCE:
            assert result.summary.startswith("No evidence yet. ") and len(result.summary) > 40


def test_roles_named_names_the_missing_roles(people) -> None:
    """CC-2: a library without a technology coordinator or human resources fails, naming them."""
    result = check("roles-named", fresh_library())
    assert result.failures == (
        "No one holds the role: Technology coordinator (IT manager).",
        "No one holds the role: Human resources.",
    )


def _course(library: Library) -> Course:
    found = Course.objects.filter(library=library, title="Yearly cybersecurity").first()
    return found or Course.objects.create(
        library=library,
        title="Yearly cybersecurity",
        kind=CourseKind.CYBERSECURITY,
        delivery=Delivery.ONLINE_ELSEWHERE,
        recurrence_months=12,
        days_to_complete=30,
        starts_on=timezone.localdate() - datetime.timedelta(days=200),
    )


def _complete(course: Course, user: User) -> None:
    today = timezone.localdate()
    Completion.objects.create(
        library=course.library,
        course=course,
        user=user,
        completed_on=today - 10 * DAY,
        cycle_due_on=today + 20 * DAY,
        how=CompletedBy.RECORDED,
    )


def test_training_current_names_the_branch_behind(people, new_madrid) -> None:
    """CC-10: the share of staff whose yearly training is current; a person overdue makes
    it fail, naming their branch; once everyone completes, it operates."""
    course = _course(new_madrid)
    new_madrid.memberships.update(granted_at=timezone.now() - 100 * DAY)
    staff = {m.user for m in new_madrid.memberships.active() if m.role != Role.AUDITOR}
    behind = people["staff"]
    for user in staff - {behind}:
        _complete(course, user)
    result = check("training-current", new_madrid)
    assert result.status == Status.FAILING
    assert result.measure == (len(staff) - 1) / len(staff)
    branch = new_madrid.memberships.active().get(user=behind).branch
    where = branch.name if branch else "Whole library"
    assert any(
        f.startswith(f"{where}: ") and "1 with a course overdue" in f for f in result.failures
    )
    _complete(course, behind)
    assert check("training-current", new_madrid).status == Status.OPERATING


def test_credentials_rotated_fails_on_a_login_past_180_days(people, new_madrid) -> None:
    """IT-2: a shared login last changed 200 days ago fails, named."""
    login = a_credential_of(new_madrid)
    assert check("credentials-rotated", new_madrid).status == Status.OPERATING
    Credential.objects.filter(pk=login.pk).update(last_changed_on=timezone.localdate() - 200 * DAY)
    result = check("credentials-rotated", new_madrid)
    assert result.status == Status.FAILING
    assert "Main router (admin)" in result.failures[0]


def test_credentials_changed_after_outside_access(people, new_madrid) -> None:
    """IT-4: a login marked to change after an outside visit may wait a day, not more."""
    login = a_credential_of(new_madrid)
    Credential.objects.filter(pk=login.pk).update(
        due_now_since=timezone.now() - datetime.timedelta(hours=2)
    )
    assert check("credentials-changed-after-outside-access", new_madrid).status == Status.OPERATING
    Credential.objects.filter(pk=login.pk).update(due_now_since=timezone.now() - 2 * DAY)
    result = check("credentials-changed-after-outside-access", new_madrid)
    assert result.status == Status.FAILING
    assert "Main router (admin)" in result.failures[0]


def test_policies_reviewed_fails_on_a_policy_past_its_review(people, new_madrid) -> None:
    """CC-11: a policy past the date of its review fails, named."""
    policy = matrix_policy(new_madrid)
    Policy.objects.filter(library=new_madrid).update(next_review_on=timezone.localdate() + 30 * DAY)
    assert check("policies-reviewed", new_madrid).status == Status.OPERATING
    Policy.objects.filter(pk=policy.pk).update(next_review_on=timezone.localdate() - DAY)
    result = check("policies-reviewed", new_madrid)
    assert result.status == Status.FAILING
    assert policy.title in result.failures[0]


def test_devices_protected_names_an_unpatched_device(people, new_madrid) -> None:
    """CC-7: a device not patched within the target fails; patched, it operates."""
    device = a_device(new_madrid, antivirus=True, firewall=True)
    assert check("devices-protected", new_madrid).status == Status.OPERATING
    type(device).objects.filter(pk=device.pk).update(
        last_patched_on=timezone.localdate() - 90 * DAY
    )
    result = check("devices-protected", new_madrid)
    assert result.status == Status.FAILING
    assert device.name in result.failures[0]


def test_public_computers_checked_every_week(people, new_madrid) -> None:
    """CR-6d: a branch with public computers and no weekly check fails; four weeks of
    passed checks make it operate."""
    device = a_device(new_madrid, kind=DeviceKind.PUBLIC_COMPUTER)
    result = check("public-computers-checked", new_madrid)
    assert result.status == Status.FAILING
    assert device.branch is not None and result.failures[0].startswith(device.branch.name)
    monday = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday())
    for weeks in range(1, 5):
        PublicComputerCheck.objects.create(
            library=new_madrid,
            branch=device.branch,
            week_of=monday - datetime.timedelta(weeks=weeks),
            checked_by=people["staff"],
            no_history=True,
            no_cookies=True,
            no_files=True,
            no_sessions=True,
            passed=True,
        )
    assert check("public-computers-checked", new_madrid).status == Status.OPERATING


def test_vendors_reviewed(people, new_madrid) -> None:
    """NM-3, CR-5h: a vendor never reviewed fails, named."""
    vendor = a_vendor(new_madrid)
    result = check("vendors-reviewed", new_madrid)
    assert result.status == Status.FAILING
    assert result.failures == (f"{vendor.name}: never reviewed.",)
    type(vendor).objects.filter(pk=vendor.pk).update(
        last_reviewed_on=timezone.localdate(), next_review_on=timezone.localdate() + 300 * DAY
    )
    assert check("vendors-reviewed", new_madrid).status == Status.OPERATING


def test_incidents_notified_to_the_three_roles(people, new_madrid) -> None:
    """CC-9: an incident recorded in the log is told at once to the director, the
    technology coordinator and human resources; one never told fails."""
    create_entry(
        actor=people["tech_coordinator"],
        library=new_madrid,
        kind=EntryKind.MALWARE,
        title="Malware on a staff computer",
        narrative="The antivirus found malware.",
        occurred_at=timezone.now(),
    )
    assert check("incidents-notified", new_madrid).status == Status.OPERATING
    LogEntry.objects.filter(library=new_madrid).update(notified_at=None)
    LogEntry.objects.filter(library=new_madrid).first().notices.all().delete()  # type: ignore[union-attr]
    result = check("incidents-notified", new_madrid)
    assert result.status == Status.FAILING
    assert (
        "the director, the technology coordinator and human resources were not told"
        in (result.failures[0])
    )


def test_leavers_access_ended(people, new_madrid) -> None:
    """CC-1: a departure past its last day with access still open fails, naming the person."""
    Departure.objects.create(
        library=new_madrid,
        user=people["volunteer"],
        last_day=timezone.localdate() - 3 * DAY,
        recorded_by=people["human_resources"],
    )
    result = check("leavers-access-ended", new_madrid)
    assert result.status == Status.FAILING
    assert result.failures[0].startswith(f"{people['volunteer']} left on ")


def test_events_attributable_fails_on_a_shared_address(people, new_madrid) -> None:
    """LV-3: two accounts sharing one e-mail address may be one person's or several's."""
    assert check("events-attributable", new_madrid).status == Status.OPERATING
    User.objects.filter(pk=people["volunteer"].pk).update(email=people["staff"].email)
    result = check("events-attributable", new_madrid)
    assert result.status == Status.FAILING
    assert "share an e-mail address" in result.failures[-1]


def test_a_check_reads_many_libraries_at_once(people, new_madrid, cresco) -> None:
    """CC-6: one run gives each library its own result, from its own records only."""
    a_credential_of(new_madrid)
    results = get("credentials-rotated").run([new_madrid, cresco], timezone.now())
    assert results[new_madrid.pk].status == Status.OPERATING
    assert results[cresco.pk].status == Status.NO_EVIDENCE
    assert Branch.objects.filter(library=cresco).exists()
