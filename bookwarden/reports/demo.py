"""A year of history at New Madrid, so that the dashboard's charts and the board report are
full (issue 17): staff of the demo's own who have worked there for years, signed the
policies and did last year's security training month by month and this year's courses (the
Rhodes branch behind), a security incident or
two every month with what was done and when it was closed, requests for records received
and decided over the year, and a retention run every month.

Everything goes through the actions; times in the past are written afterwards only where
no action takes a past date (when a person joined, when a request came in and was decided,
when a retention run ran), as the other demos do.  The personas the tests sign in as are
never changed.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.actions import create_staff
from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Branch, Library, Membership, User
from bookwarden.core.roles import Role
from bookwarden.disclosures import actions as disclosures
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.operations.actions import close_entry, create_entry
from bookwarden.operations.models import EntryKind, IncidentNotice, LogEntry, Severity
from bookwarden.patrons.models import RetentionRun
from bookwarden.patrons.retention import run_retention
from bookwarden.policies.actions import sign_policy
from bookwarden.policies.audience import owed_by, versions_of
from bookwarden.training import actions as training
from bookwarden.training.models import Course, CourseKind, Delivery

#: (username, first name, last name, branch): staff who have worked at New Madrid for years.
VETERANS = (
    ("cwalsh", "Carmen", "Walsh", "new-madrid-memorial"),
    ("dokoro", "Daniel", "Okoro", "new-madrid-memorial"),
    ("efischer", "Elena", "Fischer", "new-madrid-memorial"),
    ("gmoreau", "Gabriel", "Moreau", "portageville"),
    ("hsato", "Hana", "Sato", "portageville"),
    ("ilarsen", "Ivan", "Larsen", "portageville"),
    ("jmendez", "Julia", "Mendez", "rhodes"),
    ("kobrien", "Kevin", "O'Brien", "rhodes"),
    ("lzhang", "Lin", "Zhang", "rhodes"),
)
#: Months ago each veteran did last year's training (None: not done; Rhodes is behind).
TRAINED_MONTHS_AGO = {
    "cwalsh": 11,
    "dokoro": 10,
    "efischer": 8,
    "gmoreau": 9,
    "hsato": 7,
    "ilarsen": 5,
    "jmendez": 4,
    "kobrien": None,
    "lzhang": None,
}
#: This year's courses of the training demo (by code) and when the veterans did them.
CURRENT_COURSES = {"SEC-YEARLY": 5, "PATRON-DATA": 40}
#: (months ago, kind, severity, title, days to close or None while open).
INCIDENTS = (
    (11, EntryKind.PHISHING, Severity.LOW, "Phishing mail about a parcel delivery", 2),
    (10, EntryKind.MALWARE, Severity.MEDIUM, "Adware on a public computer", 3),
    (9, EntryKind.PHISHING, Severity.MEDIUM, "Staff clicked a fake password-reset link", 4),
    (8, EntryKind.FIREWALL_FAILURE, Severity.HIGH, "Firewall rebooted into its default rules", 1),
    (7, EntryKind.PHISHING, Severity.LOW, "Phishing mail posing as the county payroll", 2),
    (6, EntryKind.INAPPROPRIATE_ACCESS, Severity.MEDIUM, "Shared desk login left open", 6),
    (5, EntryKind.MALWARE, Severity.MEDIUM, "Infected USB stick at the copier", 2),
    (4, EntryKind.PHISHING, Severity.LOW, "Gift-card request in the director's name", 1),
    (3, EntryKind.OUTSIDE_NOTIFICATION, Severity.HIGH, "Vendor reported a leaked API key", 9),
    (2, EntryKind.PHISHING, Severity.LOW, "Invoice scam mail to the branch inbox", 1),
    (1, EntryKind.INTRUSION, Severity.HIGH, "Repeated sign-in attempts on the staff VPN", None),
)
#: (months ago, requester type, instrument, what became of it).
REQUESTS = (
    (11, "parent", "none", "refuse"),
    (9, "law_enforcement", "none", "refuse"),
    (7, "attorney", "subpoena", "refuse"),
    (5, "collection_agency", "none", "closed"),
    (3, "law_enforcement", "none", "refuse"),
    (2, "parent", "none", "closed"),
)


def _months_ago(months: int, day: int = 12, hour: int = 10) -> datetime.datetime:
    today = timezone.localdate()
    year, month = today.year, today.month - months
    while month < 1:
        month += 12
        year -= 1
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def _veterans(library: Library) -> dict[str, User]:
    people = {}
    long_ago = timezone.now() - datetime.timedelta(days=3 * 365)
    for username, first, last, branch in VETERANS:
        membership = create_staff(
            actor=None,
            library=library,
            username=username,
            email=f"{username}@new-madrid.example.org",
            password=None,
            role=Role.STAFF,
            first_name=first,
            last_name=last,
            branch=Branch.objects.get(library=library, slug=branch),
        )
        people[username] = membership.user
    # When they joined: years ago (no action takes a past date for that).
    Membership.objects.filter(user__in=people.values()).update(granted_at=long_ago)
    return people


def _paperwork(library: Library, coordinator: User, people: dict[str, User]) -> None:
    """What people of long standing have done: signed the policies and acknowledged the
    monitoring notice, and this year's courses, except at Rhodes, the branch behind."""
    today = timezone.localdate()
    courses = {c.code: c for c in Course.objects.filter(library=library, code__in=CURRENT_COURSES)}
    for username, person in people.items():
        owed = [item for item in owed_by(person, library) if not item.done]
        versions = versions_of([item.policy for item in owed])
        for item in owed:
            current = versions[item.policy.pk].current
            if current is not None:
                sign_policy(
                    actor=person,
                    policy=item.policy,
                    library=library,
                    version=current,
                    typed_name=person.get_full_name(),
                )
        if TRAINED_MONTHS_AGO[username] is None:
            continue
        for code, days_ago in CURRENT_COURSES.items():
            if code in courses:
                training.record_completion(
                    actor=coordinator,
                    course=courses[code],
                    user=person,
                    completed_on=today - datetime.timedelta(days=days_ago),
                )


def _last_years_training(library: Library, coordinator: User, people: dict[str, User]) -> Course:
    course = training.add_course(
        actor=coordinator,
        library=library,
        title="Yearly cybersecurity training (last year's)",
        code="SEC-LAST-YEAR",
        kind=CourseKind.CYBERSECURITY,
        delivery=Delivery.ONLINE_ELSEWHERE,
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        days_to_complete=365,
    )
    for username, months in TRAINED_MONTHS_AGO.items():
        if months is not None:
            training.record_completion(
                actor=coordinator,
                course=course,
                user=people[username],
                completed_on=_months_ago(months, day=8).date(),
            )
    # This year's course (the training demo's) replaces it: no longer offered.
    return training.change_course(actor=coordinator, course=course, active=False)


def _incidents(library: Library, reporter: User) -> list[LogEntry]:
    entries = []
    for months, kind, severity, title, days in INCIDENTS:
        occurred = _months_ago(months, day=5 + months, hour=9 + months % 6)
        entry = create_entry(
            actor=None,
            library=library,
            kind=kind,
            severity=severity,
            title=title,
            narrative=f"{title}. Found and reported by staff; the steps are in the timeline.",
            occurred_at=occurred,
            recorded_at=occurred + datetime.timedelta(minutes=40),
            reported_by=reporter,
            preventive_measures="Reminded staff in the monthly meeting; the filter rules were "
            "tightened.",
        )
        # Those told of it were told minutes after it was recorded (the action tells them now).
        told = occurred + datetime.timedelta(minutes=45)
        LogEntry.objects.filter(pk=entry.pk).update(notified_at=told)
        IncidentNotice.objects.filter(entry=entry).update(at=told)
        if days is not None:
            close_entry(
                actor=None,
                entry=entry,
                summary="Handled; preventive measures recorded.",
                at=occurred + datetime.timedelta(days=days),
            )
        entries.append(entry)
    return entries


def _requests(library: Library, clerk: User, director: User) -> None:
    for months, requester, instrument, end in REQUESTS:
        received = _months_ago(months, day=16, hour=11)
        request = disclosures.record_request(
            actor=clerk,
            library=library,
            requester_name="Requester on file",
            requester_type=requester,
            instrument=instrument,
            patrons=[],
            patrons_as_named="A patron named in the request",
            record_types=["loans"],
            notes="Received at the front desk.",
        )
        if end == "refuse":
            disclosures.decide(
                actor=director,
                request=request,
                verdict="refuse",
                reasons="No consent and no exception of Missouri law applies.",
            )
        disclosures.close_request(actor=director, request=request, note="Answered in writing.")
        # When it came in and was answered: no action takes a past date for those.
        DisclosureRequest.objects.filter(pk=request.pk).update(
            received_at=received,
            decided_at=received + datetime.timedelta(days=2) if end == "refuse" else None,
            closed_at=received + datetime.timedelta(days=3),
        )


def _retention_runs() -> None:
    """A run every month: the action runs now, then its times are set in the past."""
    for months in range(11, 0, -1):
        run = run_retention()
        started = _months_ago(months, day=1, hour=2)
        RetentionRun.objects.filter(pk=run.pk).update(
            started_at=started, finished_at=started + datetime.timedelta(minutes=3)
        )


def build_reports_demo(people: dict[str, User]) -> None:
    library = Library.objects.get(slug="new-madrid")
    veterans = _veterans(library)
    _last_years_training(library, people["tech_coordinator"], veterans)
    _paperwork(library, people["tech_coordinator"], veterans)
    _incidents(library, people["it_staff"])
    _requests(library, people["staff"], people["director"])
    _retention_runs()


# Before the compliance demo's part (90), whose snapshots of the past year then see it.
@demo_part(order=85)
def _reports_part(world: DemoWorld) -> None:
    build_reports_demo(world.people)
