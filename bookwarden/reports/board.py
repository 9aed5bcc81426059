"""The annual board report (CC-11, CC-12, CC-8): what the board approves and an auditor
reads, for one library and a period (a calendar year, or the range of an auditor's package).

:func:`build` gathers it as :class:`Section` objects of plain sentences and tables; the HTML
page and the PDF (:mod:`.board_pdf`) draw the same sections, so they never disagree.  Only
counts are given of requests for records and of retention (never a patron, NM-4, CR-6a).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from bookwarden.breach.models import Breach
from bookwarden.core import when as formats
from bookwarden.core.models import Branch, Library, Membership
from bookwarden.core.roles import Role
from bookwarden.core.wording import counted
from bookwarden.credentials.models import Credential, due_on
from bookwarden.disclosures.models import REQUESTER_CHOICES, DisclosureRequest
from bookwarden.disclosures.transparency import OUTCOMES
from bookwarden.operations.models import INCIDENT_KINDS, EntryKind, LogEntry, Severity
from bookwarden.patrons.models import RetentionProof, RetentionRun
from bookwarden.policies.models import Policy, PolicyReview, PolicyVersion
from bookwarden.training.models import NOT_STAFF_ROLES, Completion, CourseKind

from . import controls_state
from .months import start_of
from .scope import Scope
from .trends import outcome_of, staff_on

_KINDS = dict(EntryKind.choices)
_SEVERITIES = dict(Severity.choices)
_REQUESTERS = dict(REQUESTER_CHOICES)
_ROLES = dict(Role.choices)


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    caption: str = ""
    #: Columns holding numbers (right-aligned).
    numeric: frozenset[int] = frozenset()
    #: Relative widths of the columns in the PDF (None: equal).
    widths: tuple[int, ...] | None = None

    def cells(self) -> list[list[tuple[str, str, bool]]]:
        """Each row as (header, value, is a number): a phone shows each cell under its
        header (the stacked tables of app.css)."""
        return [
            [
                (h, v, i in self.numeric)
                for i, (h, v) in enumerate(zip(self.headers, row, strict=True))
            ]
            for row in self.rows
        ]


@dataclass
class Section:
    key: str
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class BoardReport:
    library: Library
    first: datetime.date
    last: datetime.date
    generated_at: datetime.datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        if self.first.month == 1 and self.first.day == 1 and self.last.month == 12:
            return f"Annual report to the board, {self.first.year}"
        return "Report to the board and the auditor"

    @property
    def period(self) -> str:
        return (
            f"{formats.day(self.first, library=self.library)} to "
            f"{formats.day(self.last, library=self.library)}"
        )


def year_period(
    year: int, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """A calendar year, up to today while it is under way."""
    today = today or timezone.localdate()
    return datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today)


def _n(value: int) -> str:
    return str(value)


def _day(value: Any, library: Library) -> str:
    return formats.day(value, library=library) if value else ""


# --- The sections ---------------------------------------------------------------------------


def _what_fails(result: Any) -> str:
    failures = [f for check in result.checks for f in check.failures]
    if failures:
        return " ".join(failures)
    return " ".join(check.summary for check in result.checks) or result.not_applicable_reason


def _controls(
    scope: Scope,
    library: Library,
    last: datetime.date,
    today: datetime.date,
    state: controls_state.LibraryControls,
) -> Section:
    section = Section("controls", "The state of each control")
    if last >= today - datetime.timedelta(days=1):
        counts = ", ".join(f"{n} {name.lower()}" for _, name, n in state.count_rows() if n)
        section.paragraphs.append(
            f"As of {_day(today, library)}: {counts or 'no control is defined yet'}."
        )
        rows = [
            [
                r.control.title,
                str(_ROLES.get(r.control.owner_role, r.control.owner_role)),
                controls_state.status_label(r.status),
                _what_fails(r),
            ]
            for r in state.results
        ]
    else:
        recorded = controls_state.snapshot_state(scope, last)
        titles = {c.id: c for c in controls_state.catalog_of(library)}
        section.paragraphs.append(
            f"As recorded on the last day of the period ({_day(last, library)})."
            if recorded
            else "No daily record of the controls exists for this period."
        )
        rows = [
            [
                titles[cid].title if cid in titles else cid,
                str(_ROLES.get(titles[cid].owner_role, "")) if cid in titles else "",
                controls_state.status_label(status),
                summary,
            ]
            for cid, (status, summary) in sorted(recorded.items())
        ]
    section.tables.append(
        Table(
            ["Control", "Owner", "Status", "What the evidence shows"],
            rows,
            widths=(32, 18, 12, 48),
        )
    )
    return section


def _policies(
    library: Library, first: datetime.date, last: datetime.date, today: datetime.date
) -> Section:
    """CC-11, CC-12, NM-7: the reviews and the board's adoptions in the period."""
    section = Section("policies", "Policies reviewed and adopted")
    policies = Policy.objects.of_library(library)
    reviews = list(
        PolicyReview.objects.filter(
            policy__in=policies, reviewed_on__gte=first, reviewed_on__lte=last
        )
        .select_related("policy", "version")
        .order_by("reviewed_on", "pk")
    )
    adopted = list(
        PolicyVersion.objects.filter(
            policy__in=policies, adopted_on__gte=first, adopted_on__lte=last
        )
        .select_related("policy")
        .order_by("adopted_on", "pk")
    )
    in_force = list(policies.filter(retired_at__isnull=True).order_by("title"))
    late = [p for p in in_force if p.next_review_on and p.next_review_on < today]
    section.paragraphs.append(
        f"{counted(len(in_force), 'policy', 'policies')} in force; "
        f"{counted(len(reviews), 'review')} and {counted(len(adopted), 'version')} adopted by "
        f"the board in the period; {len(late)} past their review date today."
    )
    section.tables.append(
        Table(
            ["Policy", "Reviewed on", "Outcome", "Version", "Next review"],
            [
                [
                    r.policy.title,
                    _day(r.reviewed_on, library),
                    r.get_outcome_display(),
                    str(r.version.number),
                    _day(r.next_review_on, library),
                ]
                for r in reviews
            ],
            caption="Reviews",
        )
    )
    section.tables.append(
        Table(
            ["Policy", "Version", "Adopted by the board", "In effect from", "What changed"],
            [
                [
                    v.policy.title,
                    str(v.number),
                    _day(v.adopted_on, library),
                    _day(v.effective_on, library),
                    v.summary,
                ]
                for v in adopted
            ],
            caption="Versions adopted",
        )
    )
    return section


def training_by_branch(
    library: Library, first: datetime.date, last: datetime.date
) -> list[tuple[str, int, int]]:
    """CC-10: per branch, the staff on the period's last day and how many of them did the
    yearly security training in the period (three queries)."""
    moment = start_of(last + datetime.timedelta(days=1))
    periods: dict[int | None, list[tuple[int, Any, Any, Any]]] = defaultdict(list)
    for branch_id, user_id, granted, revoked, ends in (
        Membership.objects.filter(library=library, user__is_active=True)
        .exclude(role__in=NOT_STAFF_ROLES)
        .values_list("branch_id", "user_id", "granted_at", "revoked_at", "ends_on")
    ):
        periods[branch_id].append((user_id, granted, revoked, ends))
    trained = set(
        Completion.objects.filter(
            library=library,
            course__kind=CourseKind.CYBERSECURITY,
            completed_on__gte=first,
            completed_on__lte=last,
        ).values_list("user_id", flat=True)
    )
    names = dict(Branch.objects.filter(library=library).values_list("pk", "name"))
    rows = []
    for branch_id, branch_periods in periods.items():
        staff = staff_on(branch_periods, moment)
        if staff:
            name = names.get(branch_id, "") if branch_id else "Whole library (no one branch)"
            rows.append((name, len(staff), len(staff & trained)))
    return sorted(rows)


def _training(library: Library, first: datetime.date, last: datetime.date) -> Section:
    section = Section("training", "Training completion by branch")
    rows = training_by_branch(library, first, last)
    staff = sum(r[1] for r in rows)
    done = sum(r[2] for r in rows)
    share = f" ({round(100 * done / staff)}%)" if staff else ""
    section.paragraphs.append(
        f"{done} of {staff} staff{share} did the yearly cybersecurity training in the period. "
        "A person working at several branches is counted at each."
    )
    section.tables.append(
        Table(
            ["Branch", "Staff", "Trained", "Share"],
            [
                [name, _n(s), _n(t), f"{round(100 * t / s)}%" if s else "\u2013"]
                for name, s, t in rows
            ],
            numeric=frozenset({1, 2, 3}),
        )
    )
    return section


def _incidents(library: Library, first: datetime.date, last: datetime.date) -> Section:
    """CC-9, CR-6e: each incident and breach of the period, with what was done."""
    section = Section("incidents", "Incidents and breaches")
    start, end = start_of(first), start_of(last + datetime.timedelta(days=1))
    incidents = list(
        LogEntry.objects.filter(
            library=library, kind__in=INCIDENT_KINDS, occurred_at__gte=start, occurred_at__lt=end
        ).order_by("occurred_at", "pk")
    )
    breaches = list(
        Breach.objects.filter(library=library, declared_at__gte=start, declared_at__lt=end)
        .select_related("entry")
        .annotate(
            patrons=Count("affected"),
            told=Count("affected", filter=Q(affected__notified_at__isnull=False)),
        )
        .order_by("declared_at")
    )
    closed = sum(1 for e in incidents if e.closed_at)
    section.paragraphs.append(
        f"{counted(len(incidents), 'security incident')} in the period, {closed} of them "
        f"closed; {counted(len(breaches), 'breach', 'breaches')} of patron information."
    )
    section.tables.append(
        Table(
            ["Incident", "Kind", "Severity", "Happened", "Closed", "Preventive measures"],
            [
                [
                    e.title,
                    str(_KINDS.get(e.kind, e.kind)).split(": ", 1)[-1].capitalize(),
                    str(_SEVERITIES.get(e.severity, e.severity)),
                    _day(e.occurred_at, library),
                    _day(e.closed_at, library) or "Not yet",
                    e.preventive_measures or "None recorded",
                ]
                for e in incidents
            ],
            caption="Security incidents",
            widths=(26, 14, 10, 13, 12, 25),
        )
    )
    section.tables.append(
        Table(
            [
                "Breach",
                "Declared",
                "Patrons affected",
                "Patrons notified",
                "Review",
                "Procedures changed",
            ],
            [
                [
                    b.title,
                    _day(b.declared_at, library),
                    _n(b.patrons),
                    _n(b.told),
                    _day(b.reviewed_at, library) or "Not yet",
                    b.procedures_changed or "\u2013",
                ]
                for b in breaches
            ],
            caption="Breaches of patron information",
            numeric=frozenset({2, 3}),
        )
    )
    return section


def _disclosures(library: Library, first: datetime.date, last: datetime.date) -> Section:
    """NM-4, CC-5, CR-1: the transparency figures, counts by who asked and outcome."""
    section = Section("disclosures", "Requests for patron records")
    start, end = start_of(first), start_of(last + datetime.timedelta(days=1))
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for row in (
        DisclosureRequest.objects.filter(
            library=library, received_at__gte=start, received_at__lt=end
        )
        .values("requester_type", "verdict", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cells[row["requester_type"]][outcome_of(row["verdict"], row["status"])] += row["n"]
    total: Counter[str] = Counter()
    for counts in cells.values():
        total.update(counts)
    section.paragraphs.append(
        f"{counted(sum(total.values()), 'request', 'requests')} for patron records received "
        "in the period. "
        "Counts only: no patron, no name of a requester."
    )
    headers = ["Who asked", *[label for _, label in OUTCOMES], "Total"]
    rows = [
        [
            str(_REQUESTERS.get(kind, kind)),
            *[_n(counts.get(key, 0)) for key, _ in OUTCOMES],
            _n(sum(counts.values())),
        ]
        for kind, counts in sorted(cells.items())
    ]
    rows.append(["All", *[_n(total.get(k, 0)) for k, _ in OUTCOMES], _n(sum(total.values()))])
    section.tables.append(Table(headers, rows, numeric=frozenset(range(1, len(headers)))))
    return section


def _retention(library: Library, first: datetime.date, last: datetime.date) -> Section:
    """CR-6a: the retention runs and proofs that covered the library in the period."""
    section = Section("retention", "Retention of patron records")
    start, end = start_of(first), start_of(last + datetime.timedelta(days=1))
    ours = Q(library=library) | Q(library__isnull=True)
    runs = list(
        RetentionRun.objects.filter(ours, dry_run=False, started_at__gte=start, started_at__lt=end)
        .values("status", "details", "started_at")
        .order_by("started_at")
    )
    proofs = list(
        RetentionProof.objects.filter(ours, taken_at__gte=start, taken_at__lt=end)
        .values("ok", "taken_at")
        .order_by("taken_at")
    )
    by_status = Counter(r["status"] for r in runs)
    changed = sum(
        int(item.get("count", 0))
        for r in runs
        for item in (r["details"] or {}).get(library.slug, {}).values()
        if isinstance(item, dict)
    )
    section.paragraphs.append(
        f"{counted(len(runs), 'retention run')} in the period "
        f"({by_status.get('completed', 0)} completed), "
        f"which unlinked or deleted {changed} records of this library past their retention "
        f"period. {counted(len(proofs), 'retention proof')} taken, "
        f"{sum(1 for p in proofs if p['ok'])} of them clean."
    )
    last_run = runs[-1]["started_at"] if runs else None
    last_proof = proofs[-1] if proofs else None
    section.tables.append(
        Table(
            ["Evidence", "Value"],
            [
                ["Retention runs", _n(len(runs))],
                ["Runs completed", _n(by_status.get("completed", 0))],
                ["Records unlinked or deleted", _n(changed)],
                ["Last run", _day(last_run, library) or "None"],
                ["Retention proofs", _n(len(proofs))],
                [
                    "Last proof",
                    (
                        f"{_day(last_proof['taken_at'], library)}: "
                        f"{'clean' if last_proof['ok'] else 'found records kept too long'}"
                    )
                    if last_proof
                    else "None",
                ],
            ],
        )
    )
    return section


def _open_items(
    library: Library, today: datetime.date, state: controls_state.LibraryControls
) -> Section:
    """What remains to do today: failing controls, open entries and requests, overdue
    passwords, policies past their review."""
    section = Section("open", "Open items")
    entries = LogEntry.objects.filter(library=library).exclude(status="closed").count()
    requests = DisclosureRequest.objects.filter(library=library).open().count()
    logins = list(
        Credential.objects.filter(library=library, retired_at__isnull=True).select_related(
            "library__credential_settings"
        )
    )
    overdue = sum(1 for c in logins if c.due_now_since or due_on(c) < today)
    late = (
        Policy.objects.of_library(library)
        .filter(retired_at__isnull=True, next_review_on__lt=today)
        .count()
    )
    rows = [[r.control.title, _what_fails(r)] for r in state.failing]
    section.paragraphs.append(
        f"As of {_day(today, library)}: {counted(len(state.failing), 'failing control')}, "
        f"{counted(entries, 'open entry', 'open entries')} of the security operations log, "
        f"{counted(requests, 'open request', 'open requests')} for records, "
        f"{counted(overdue, 'shared password')} overdue for a change, "
        f"{counted(late, 'policy', 'policies')} past the review date."
    )
    section.tables.append(Table(["Failing control", "What fails"], rows, widths=(35, 65)))
    return section


def build(
    library: Library, first: datetime.date, last: datetime.date, today: datetime.date | None = None
) -> BoardReport:
    """The report of ``library`` for [first, last] (a bounded number of queries)."""
    today = today or timezone.localdate()
    scope = Scope.of_library(library)
    state = controls_state.current([library])[0]
    sections = [
        _controls(scope, library, last, today, state),
        _policies(library, first, last, today),
        _training(library, first, last),
        _incidents(library, first, last),
        _disclosures(library, first, last),
        _retention(library, first, last),
        _open_items(library, today, state),
    ]
    return BoardReport(library, first, last, timezone.now(), sections)
