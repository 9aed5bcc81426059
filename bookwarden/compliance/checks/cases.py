"""Checks of the cases the policies name (CC-5, CR-5a, NM-4, CR-6e, IT-9, LV-12): requests
for records decided by the custodian alone, after counsel where the instrument calls for it,
and kept on record; breaches of patron information notified and reviewed; violations taken
through the enforcement steps.  Counts only, never a patron.  A few queries for any number
of libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse

from bookwarden.breach.models import LETTER_NOT_SENT, NOT_YET_NOTIFIED, AffectedPatron, Breach
from bookwarden.core.models import Library, Membership
from bookwarden.core.roles import Role
from bookwarden.core.when import day
from bookwarden.disclosures.models import DisclosureRequest
from bookwarden.disclosures.models import Status as RequestStatus
from bookwarden.disclosures.rules.schema import COUNSEL_INSTRUMENTS
from bookwarden.enforcement.models import CaseStatus, EnforcementCase, StepKind
from bookwarden.operations.models import EntryKind, LogEntry

from . import CheckResult, Evidence, check, failing, operating, plural, shared

YEAR = datetime.timedelta(days=365)
CUSTODIAN_ROLES = (Role.DIRECTOR, Role.DESIGNEE)
#: A breach's review (practice evaluated, procedures changed) is due this long after it was
#: declared (CR-6e).
REVIEW_WITHIN = datetime.timedelta(days=60)
#: Affected patrons must be told within this time of the breach's declaration.
NOTIFY_WITHIN = datetime.timedelta(days=7)


def _requests(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, list[DisclosureRequest]]:
    return shared(
        ("requests", tuple(lib.pk for lib in libraries), now),
        lambda: _read_requests(libraries, now),
    )


def _read_requests(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, list[DisclosureRequest]]:
    found: dict[int, list[DisclosureRequest]] = {lib.pk: [] for lib in libraries}
    for r in (
        DisclosureRequest.objects.filter(library__in=libraries)
        .filter(Q(received_at__gte=now - YEAR) | Q(status=RequestStatus.RECORDED))
        .only(
            "pk",
            "library_id",
            "status",
            "instrument",
            "requester_name",
            "decided_by_id",
            "decided_at",
            "counsel_at",
            "verdict",
            "reasons",
            "packet_at",
            "received_at",
            "released_types",
        )
        .order_by("received_at")
    ):
        found[r.library_id].append(r)
    return found


def _label(r: DisclosureRequest) -> str:
    return f"The request of {day(r.received_at)} (#{r.pk})"


def _judged(
    summary: str, counts: tuple[Evidence, ...], wrong: list[DisclosureRequest], why: str
) -> CheckResult:
    """Operating when no request is ``wrong``; else failing, naming the first ten (each
    "<the request> <why>.") with a link to each beside the ``counts``."""
    evidence = (
        *counts,
        *(Evidence(_label(r), url=reverse("disclosures:detail", args=[r.pk])) for r in wrong[:10]),
    )
    if not wrong:
        return operating(summary, evidence, measure=0)
    return failing(
        summary, [f"{_label(r)} {why}." for r in wrong[:10]], evidence, measure=len(wrong)
    )


@check(
    "disclosures-by-custodian",
    title="Requests for records decided by the custodian alone",
    hint="Record each request for patron records under Requests for records: the custodian "
    "then decides it there, with the law's reasons.",
)
def disclosures_by_custodian(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-5, CR-2h, NM-1, NM-2, CR-5c: every decided request of the last year was decided
    by the director or the designee, with a verdict and its reasons."""
    custodians = set(
        Membership.objects.filter(library__in=libraries, role__in=CUSTODIAN_ROLES).values_list(
            "library_id", "user_id"
        )
    )
    results: dict[int, CheckResult] = {}
    for library_id, requests in _requests(libraries, now).items():
        decided = [r for r in requests if r.decided_at is not None]
        if not decided:
            continue
        wrong = [
            r
            for r in decided
            if (library_id, r.decided_by_id) not in custodians
            or not r.verdict
            or not r.reasons.strip()
        ]
        counts = (
            Evidence(
                "Requests for records in the last year", len(requests), reverse("disclosures:list")
            ),
            Evidence("Decided by the custodian, with reasons", len(decided) - len(wrong)),
            Evidence(
                "Waiting for a decision", sum(r.status == RequestStatus.RECORDED for r in requests)
            ),
        )
        summary = (
            f"{len(decided) - len(wrong)} of {plural(len(decided), 'decided request')} decided "
            "by the custodian with the law's reasons."
        )
        results[library_id] = _judged(
            summary, counts, wrong, "was not decided by the custodian with reasons"
        )
    return results


@check(
    "disclosures-after-counsel",
    title="Subpoenas and court orders answered on counsel's advice",
    hint="Record each subpoena, court order or warrant under Requests for records, with "
    "counsel's advice before the decision.",
)
def disclosures_after_counsel(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CR-5a: each subpoena, court order or warrant decided in the last year had counsel's
    advice recorded before the decision."""
    results: dict[int, CheckResult] = {}
    for library_id, requests in _requests(libraries, now).items():
        legal = [r for r in requests if r.instrument in COUNSEL_INSTRUMENTS]
        if not legal:
            continue
        decided = [r for r in legal if r.decided_at is not None]
        without = [
            r
            for r in decided
            if r.counsel_at is None or (r.decided_at is not None and r.counsel_at > r.decided_at)
        ]
        counts = (
            Evidence(
                "Subpoenas, court orders and warrants in the last year",
                len(legal),
                reverse("disclosures:list"),
            ),
            Evidence("Decided after counsel's advice", len(decided) - len(without)),
        )
        summary = (
            f"{len(decided) - len(without)} of {plural(len(decided), 'decided legal request')} "
            "decided after counsel's advice."
        )
        results[library_id] = _judged(
            summary, counts, without, "was decided without counsel's advice first"
        )
    return results


@check(
    "disclosures-on-record",
    title="Every disclosure authorized, minimal and on record",
    hint="Record each request for patron records under Requests for records: what is "
    "released, why and to whom is then kept with its packet.",
)
def disclosures_on_record(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """NM-4, CR-1: every release of the last year carries its decision and the packet of
    what was released (fulfilled requests without a packet fail)."""
    results: dict[int, CheckResult] = {}
    for library_id, requests in _requests(libraries, now).items():
        carried_out = [
            r for r in requests if r.status in (RequestStatus.FULFILLED, RequestStatus.CLOSED)
        ]
        if not carried_out:
            continue
        released = [r for r in carried_out if r.released_types]
        missing = [r for r in released if r.packet_at is None or r.decided_at is None]
        counts = (
            Evidence(
                "Requests carried out in the last year",
                len(carried_out),
                reverse("disclosures:list"),
            ),
            Evidence("With records released, each with its packet", len(released) - len(missing)),
        )
        summary = (
            f"{plural(len(released), 'release')} of records in the last year, "
            f"{len(released) - len(missing)} on record in full."
        )
        results[library_id] = _judged(
            summary, counts, missing, "released records with no packet kept"
        )
    return results


@check(
    "breaches-notified",
    title="Patrons told of a breach of their information; practice reviewed",
    hint="A breach of patron information is declared from its incident in the operations "
    "log; the affected patrons and their notices are then kept with it.",
)
def breaches_notified(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CR-6e: each breach of the last year (or still open) told every affected patron within
    a week and was reviewed (practice evaluated, procedures changed) within 60 days."""
    breaches = list(
        Breach.objects.filter(library__in=libraries)
        .filter(Q(declared_at__gte=now - YEAR) | Q(reviewed_at__isnull=True))
        .order_by("declared_at")
    )
    waiting: dict[int, int] = {}
    for row in (
        AffectedPatron.objects.filter(breach__in=breaches)
        .with_notice_state()
        .filter(notice_state__in=[*NOT_YET_NOTIFIED, *LETTER_NOT_SENT])
        .values("breach_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        waiting[row["breach_id"]] = row["n"]
    results: dict[int, CheckResult] = {}
    for library in libraries:
        mine = [b for b in breaches if b.library_id == library.pk]
        if not mine:
            continue
        failures = []
        for b in mine:
            if waiting.get(b.pk) and b.declared_at < now - NOTIFY_WITHIN:
                failures.append(
                    f"The breach declared {day(b.declared_at)}: "
                    f"{plural(waiting[b.pk], 'patron')} not yet told."
                )
            if b.reviewed_at is None and b.declared_at < now - REVIEW_WITHIN:
                failures.append(
                    f"The breach declared {day(b.declared_at)} has no review of "
                    "the practice and procedures yet."
                )
        evidence = (
            Evidence("Breaches of the last year or still open", len(mine), reverse("breach:list")),
            Evidence("Reviewed", sum(b.reviewed_at is not None for b in mine)),
            *(
                Evidence(
                    f"Breach declared {day(b.declared_at)}",
                    url=reverse("breach:detail", args=[b.pk]),
                )
                for b in mine[:10]
            ),
        )
        reviewed = sum(b.reviewed_at is not None for b in mine)
        summary = f"{plural(len(mine), 'breach', 'breaches')}; {reviewed} reviewed."
        results[library.pk] = (
            failing(summary, failures, evidence, measure=len(failures))
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results


@check(
    "enforcement-steps",
    title="Violations taken through the enforcement steps",
    hint="Record policy violations in the operations log and open their enforcement case: "
    "the steps (details, informing, human resources' decision, contact, lock) are kept there.",
)
def enforcement_steps(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """IT-9, LV-12, CC-3, CC-11: each violation of the last year has its enforcement case;
    no staff case was closed, or an account locked, without human resources' decision."""
    violations = list(
        LogEntry.objects.filter(
            library__in=libraries,
            kind__in=[EntryKind.STAFF_VIOLATION, EntryKind.PATRON_VIOLATION],
            recorded_at__gte=now - YEAR,
        )
        .annotate(case_count=Count("enforcement_cases"))
        .only("pk", "library_id", "title", "kind", "recorded_at")
    )
    cases = list(
        EnforcementCase.objects.filter(library__in=libraries)
        .filter(Q(opened_at__gte=now - YEAR) | Q(status=CaseStatus.OPEN))
        .annotate(
            hr_steps=Count("steps", filter=Q(steps__kind=StepKind.HR_DECISION)),
            lock_steps=Count("steps", filter=Q(steps__kind=StepKind.LOCK)),
        )
        .only("pk", "library_id", "subject_user_id", "status", "opened_at")
    )
    results: dict[int, CheckResult] = {}
    for library in libraries:
        v = [e for e in violations if e.library_id == library.pk]
        c = [k for k in cases if k.library_id == library.pk]
        if not v and not c:
            continue
        no_case = [
            e for e in v if not e.case_count and e.recorded_at < now - datetime.timedelta(days=7)
        ]
        no_hr = [
            k
            for k in c
            if k.subject_user_id is not None
            and (k.status == CaseStatus.CLOSED or k.lock_steps)
            and not k.hr_steps
        ]
        failures = [
            f"The violation \u201c{e.title}\u201d has no enforcement case after a week."
            for e in no_case[:10]
        ]
        failures += [
            f"Enforcement case #{k.pk} acted on a staff account without human resources' decision."
            for k in no_hr[:10]
        ]
        evidence = (
            Evidence("Violations recorded in the last year", len(v), reverse("operations:list")),
            Evidence(
                "Enforcement cases of the last year or open", len(c), reverse("enforcement:list")
            ),
            *(
                Evidence(f"Case #{k.pk}", url=reverse("enforcement:case", args=[k.pk]))
                for k in no_hr[:10]
            ),
        )
        summary = (
            f"{plural(len(v), 'violation')} and {plural(len(c), 'enforcement case')}, "
            "each step on record."
        )
        results[library.pk] = (
            failing(
                f"{len(no_case) + len(no_hr)} of "
                f"{plural(len(v) + len(c), 'violation or case', 'violations and cases')} "
                "missing an enforcement step.",
                failures,
                evidence,
                measure=len(no_case) + len(no_hr),
            )
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results
