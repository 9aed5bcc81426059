"""Pages of the security operations log (IT-10, CC-9, CC-2, IT-7, IT-4): report a concern,
my reports, the log with its search and CSV export, an entry with its timeline, attachments
and acknowledgements, and the library's settings.  Every write goes through
:mod:`bookwarden.operations.actions`; every query is scoped with ``.for_user()``."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.files import csv_writer, hand_out
from bookwarden.core.forms import submit
from bookwarden.core.models import Branch, Library, Membership
from bookwarden.core.permissions import (
    StaffRequest,
    has_perm,
    libraries_with_perm,
    library_for,
    perm_required,
)
from bookwarden.core.roles import Perm
from bookwarden.core.when import iso_utc, show_times_for

from . import actions
from .forms import (
    AttachmentForm,
    CloseForm,
    EntryFilterForm,
    EntryForm,
    OutsideResolvedForm,
    ReportForm,
    SettingsForm,
    StepForm,
)
from .models import (
    DEFAULT_ESCALATION_MINUTES,
    Acknowledgement,
    EntryKind,
    EntryStatus,
    IncidentNotice,
    LogEntry,
    OperationsSettings,
)
from .timeliness import due_at, effective_targets, is_overdue, settings_of

PAGE_SIZE = 50


def _entry_or_404(request: StaffRequest, entry_id: int, perm: str) -> LogEntry:
    """An entry of one of the person's libraries (any other is 404, DESIGN 4), and 403
    without ``perm`` there."""
    entry = get_object_or_404(
        LogEntry.objects.for_user(request.user).select_related(
            "library", "branch", "reported_by", "outside_access_resolved_by"
        ),
        pk=entry_id,
    )
    if not has_perm(request.user, perm, entry.library_id):
        raise PermissionDenied
    show_times_for(entry.library)
    return entry


def _timing(entry: LogEntry, now: Any) -> dict[str, Any]:
    overrides = row.target_days if (row := settings_of(entry)) else {}
    return {
        "due": due_at(entry, overrides),
        "overdue": is_overdue(entry, now, overrides),
        "open": entry.status != EntryStatus.CLOSED,
    }


def _posted_library(request: StaffRequest, libraries: list[Library], perm: str) -> Library:
    """The library a form was posted for: the one chosen, or the person's only one.  Another
    library's slug is 404 (DESIGN mechanism 4)."""
    slug = request.POST.get("library") or (libraries[0].slug if len(libraries) == 1 else "")
    return library_for(request, slug, perm)


# --- reporting (CC-2) ------------------------------------------------------------------------


@login_required
@perm_required(Perm.REPORT_CONCERN)
@require_http_methods(["GET", "POST"])
def report(request: StaffRequest) -> HttpResponse:
    """CC-2: any member of staff reports a concern in one short form, from a phone."""
    libraries = list(Library.objects.for_user(request.user, Perm.REPORT_CONCERN))
    form = ReportForm(
        request.POST or None,
        libraries=libraries,
        branches=Branch.objects.for_user(request.user, Perm.REPORT_CONCERN),
        own_branch=_own_branch(request, libraries),
    )
    if request.method == "POST":
        library = _posted_library(request, libraries, Perm.REPORT_CONCERN)
        if done := submit(
            request,
            form,
            lambda data: actions.report_concern(
                actor=request.user,
                library=library,
                narrative=data["narrative"],
                occurred_at=data["occurred_at"],
                branch=data["branch"],
                device=data["device"],
                patron_data_involved=data["patron_data_involved"],
                kind=data["kind"] or EntryKind.CONCERN,
                submission_token=data["submission_token"],
            ),
            success=lambda entry: (
                "This report was already sent: here it is. Nothing new was recorded."
                if getattr(entry, "resubmitted", False)
                else "Thank you. Your report is recorded."
            ),
        ):
            return redirect("operations:my_report", entry_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "operations/report.html", {"form": form}, status=status)


def _own_branch(request: StaffRequest, libraries: list[Library]) -> Branch | None:
    """The branch the reporter works at, when their roles name exactly one."""
    library_ids = {lib.pk for lib in libraries}
    branches = {
        m.branch
        for m in request.user.active_memberships()  # read once per request already
        if m.branch is not None and m.library_id in library_ids
    }
    return branches.pop() if len(branches) == 1 else None


@login_required
@perm_required(Perm.REPORT_CONCERN)
@require_GET
def my_report(request: StaffRequest, entry_id: int) -> HttpResponse:
    """CC-2: the reporter's own report, with its number, what they said and its status;
    anyone else's report is 404."""
    entry = get_object_or_404(
        LogEntry.objects.for_user(request.user)
        .filter(reported_by=request.user)
        .select_related("library", "branch"),
        pk=entry_id,
    )
    return render(
        request,
        "operations/my_report.html",
        {
            "entry": entry,
            "can_view_log": has_perm(request.user, Perm.VIEW_OPERATIONS, entry.library_id),
        },
    )


@login_required
@perm_required(Perm.REPORT_CONCERN)
@require_GET
def mine(request: StaffRequest) -> HttpResponse:
    """CC-2: the reporter follows their own reports and their status."""
    entries = (
        LogEntry.objects.for_user(request.user)
        .filter(reported_by=request.user)
        .select_related("library")
        .order_by("-recorded_at", "-pk")[:200]
    )
    return render(request, "operations/mine.html", {"entries": entries})


# --- the log (IT-10) ---------------------------------------------------------------------------


def _filtered(request: StaffRequest) -> tuple[EntryFilterForm, Any, list[int]]:
    library_ids = libraries_with_perm(request.user, Perm.VIEW_OPERATIONS)
    form = EntryFilterForm(
        request.GET or None, branches=Branch.objects.for_user(request.user, Perm.VIEW_OPERATIONS)
    )
    qs: Any = LogEntry.objects.for_user(request.user, Perm.VIEW_OPERATIONS).select_related(
        "library", "branch", "reported_by", "library__operations_settings"
    )
    if form.is_bound and form.is_valid():
        qs = form.filter(qs)
    elif form.is_bound:
        qs = qs.none()
    return form, qs.order_by("-occurred_at", "-pk"), library_ids


@login_required
@perm_required(Perm.VIEW_OPERATIONS)
@require_GET
def entry_list(request: StaffRequest) -> HttpResponse:
    form, qs, _libraries = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(entry, _timing(entry, now)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "operations/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_create": bool(libraries_with_perm(request.user, Perm.MANAGE_OPERATIONS)),
            "settings_libraries": Library.objects.for_user(request.user, Perm.MANAGE_SETTINGS),
        },
    )


CSV_COLUMNS = [
    "id",
    "library",
    "branch",
    "kind",
    "severity",
    "status",
    "title",
    "occurred_at",
    "recorded_at",
    "closed_at",
    "reported_by",
    "patron_data_involved",
    "outside_party",
    "narrative",
    "preventive_measures",
]


def _when(value: Any) -> str:
    return iso_utc(value)


def _csv(entries: list[LogEntry]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(
        (
            e.pk,
            e.library.slug,
            e.branch.name if e.branch else "",
            e.kind,
            e.severity,
            e.status,
            e.title,
            _when(e.occurred_at),
            _when(e.recorded_at),
            _when(e.closed_at),
            e.reported_by.username if e.reported_by else "",
            "yes" if e.patron_data_involved else "no",
            e.outside_party_name if e.outside_party else "",
            e.narrative,
            e.preventive_measures,
        )
        for e in entries
    )
    return out.getvalue()


@login_required
@perm_required(Perm.VIEW_OPERATIONS)
@require_GET
def export(request: StaffRequest) -> HttpResponse:
    """IT-10: the filtered log as CSV; the export is recorded (OPS_EXPORTED)."""
    form, qs, library_ids = _filtered(request)
    entries = list(qs[:10000])
    actions.record_export(
        actor=request.user,
        library_ids=library_ids,
        filters=form.as_record() if form.is_bound and form.is_valid() else {},
        rows=len(entries),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(_csv(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="operations-{stamp}.csv"'
    return response


@login_required
@perm_required(Perm.MANAGE_OPERATIONS)
@require_http_methods(["GET", "POST"])
def entry_create(request: StaffRequest) -> HttpResponse:
    libraries = list(Library.objects.for_user(request.user, Perm.MANAGE_OPERATIONS))
    form = EntryForm(
        request.POST or None,
        libraries=libraries,
        branches=Branch.objects.for_user(request.user, Perm.MANAGE_OPERATIONS),
        memberships=Membership.objects.for_user(request.user, Perm.MANAGE_OPERATIONS),
    )
    if request.method == "POST":
        library = _posted_library(request, libraries, Perm.MANAGE_OPERATIONS)
        if done := submit(
            request,
            form,
            lambda data: actions.create_entry(
                actor=request.user,
                library=library,
                kind=data["kind"],
                title=data["title"],
                narrative=data["narrative"],
                occurred_at=data["occurred_at"],
                severity=data["severity"],
                status=data["status"],
                branch=data["branch"],
                affected_branches=data["affected_branches"],
                devices=data["devices"],
                accounts=data["accounts"],
                preventive_measures=data["preventive_measures"],
                outside_party=data["outside_party"],
                outside_party_name=data["outside_party_name"],
                patron_data_involved=data["patron_data_involved"],
            ),
            success=lambda entry: f"Entry #{entry.pk} recorded.",
        ):
            return redirect("operations:detail", entry_id=done.result.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "operations/form.html", {"form": form, "entry": None}, status=status)


@login_required
@require_GET
def entry_detail(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id, Perm.VIEW_OPERATIONS)
    user = request.user
    library_id = entry.library_id
    notices = list(IncidentNotice.objects.filter(entry=entry).select_related("user"))
    acks = {a.user_id: a for a in Acknowledgement.objects.filter(entry=entry)}
    can_manage = has_perm(user, Perm.MANAGE_OPERATIONS, library_id)
    can_step = any(has_perm(user, p, library_id) for p in actions.STEP_PERMS)
    closed = entry.status == EntryStatus.CLOSED
    told_me = any(n.user_id == user.pk for n in notices)
    return render(
        request,
        "operations/detail.html",
        {
            "entry": entry,
            "timing": _timing(entry, timezone.now()),
            "steps": entry.steps.select_related("actor").order_by("at", "pk"),
            "attachments": entry.attachments.select_related("uploaded_by"),
            "affected_branches": entry.affected_branches.all(),
            "accounts": entry.accounts.all(),
            "notices": [(n, acks.get(n.user_id)) for n in notices],
            "can_manage": can_manage,
            "can_edit": can_manage and not closed,
            "can_ack": told_me
            and user.pk not in acks
            and has_perm(user, Perm.ACKNOWLEDGE_INCIDENTS, library_id),
            "step_form": StepForm(closed=closed) if can_step else None,
            "attachment_form": AttachmentForm() if can_manage and not closed else None,
            "close_form": CloseForm() if can_manage and not closed else None,
            "outside_form": OutsideResolvedForm()
            if can_manage and entry.needs_password_change
            else None,
            # Follow-up in the apps built on the log: enforcement steps (IT-9) on a violation
            # or incident, breach handling (CR-6e) on an incident involving patron data.
            "cases": list(entry.enforcement_cases.all()),
            "breach": getattr(entry, "breach", None) if entry.is_incident else None,
            "can_enforce": (entry.is_violation or entry.is_incident)
            and has_perm(user, Perm.MANAGE_ENFORCEMENT, library_id),
            "can_declare_breach": entry.is_incident
            and entry.patron_data_involved
            and has_perm(user, Perm.MANAGE_BREACH, library_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id, Perm.MANAGE_OPERATIONS)
    if entry.status == EntryStatus.CLOSED:
        messages.error(
            request, "This entry is closed and cannot be changed. Add a correction note instead."
        )
        return redirect("operations:detail", entry_id=entry.pk)
    form = EntryForm(
        request.POST or None,
        libraries=[entry.library],
        branches=entry.library.branches.all(),
        memberships=entry.library.memberships.all(),
        editing=True,
        initial=EntryForm.initial_for(entry),
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.update_entry(
            actor=request.user,
            entry=entry,
            affected_branches=data["affected_branches"],
            accounts=data["accounts"],
            **{
                name: data[name]
                for name in actions.EDITABLE
                if name in data and name not in ("affected_branches", "accounts")
            },
        ),
        success="Entry updated.",
    ):
        return redirect("operations:detail", entry_id=entry.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "operations/form.html", {"form": form, "entry": entry}, status=status)


@login_required
@require_POST
def step_add(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id, Perm.VIEW_OPERATIONS)
    if not any(has_perm(request.user, p, entry.library_id) for p in actions.STEP_PERMS):
        raise PermissionDenied
    submit(
        request,
        StepForm(request.POST, closed=entry.status == EntryStatus.CLOSED),
        lambda data: actions.add_step(actor=request.user, entry=entry, **data),
        success="Added to the timeline.",
        flash=True,
    )
    return redirect("operations:detail", entry_id=entry.pk)


@login_required
@require_POST
def attachment_add(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id, Perm.MANAGE_OPERATIONS)
    submit(
        request,
        AttachmentForm(request.POST, request.FILES),
        lambda data: actions.add_attachment(actor=request.user, entry=entry, upload=data["file"]),
        success=lambda attachment: f"Attached {attachment.filename}.",
        flash=True,
    )
    return redirect("operations:detail", entry_id=entry.pk)


@login_required
@require_GET
def attachment_download(request: StaffRequest, entry_id: int, attachment_id: int) -> HttpResponse:
    """Attachments are never public: the reader must be allowed to read the entry, and the
    file must still match its SHA-256."""
    entry = _entry_or_404(request, entry_id, Perm.VIEW_OPERATIONS)
    attachment = get_object_or_404(entry.attachments.all(), pk=attachment_id)
    return hand_out(attachment.file, attachment.sha256, attachment.filename)


@login_required
@require_POST
def entry_close(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id, Perm.MANAGE_OPERATIONS)
    submit(
        request,
        CloseForm(request.POST),
        lambda data: actions.close_entry(actor=request.user, entry=entry, **data),
        success="Entry closed.",
        flash=True,
    )
    return redirect("operations:detail", entry_id=entry.pk)


@login_required
@require_POST
def acknowledge(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = _entry_or_404(request, entry_id, Perm.ACKNOWLEDGE_INCIDENTS)
    submit(
        request,
        None,
        lambda _: actions.acknowledge(actor=request.user, entry=entry),
        success="Acknowledged.",
    )
    return redirect("operations:detail", entry_id=entry.pk)


@login_required
@require_POST
def outside_resolved(request: StaffRequest, entry_id: int) -> HttpResponse:
    """IT-4: the passwords affected by an outside visit are changed."""
    entry = _entry_or_404(request, entry_id, Perm.MANAGE_OPERATIONS)
    submit(
        request,
        OutsideResolvedForm(request.POST),
        lambda data: actions.resolve_outside_access(actor=request.user, entry=entry, **data),
        success="Recorded: the passwords were changed.",
        flash=True,
    )
    return redirect("operations:detail", entry_id=entry.pk)


@login_required
@require_http_methods(["GET", "POST"])
def library_settings(request: StaffRequest, slug: str) -> HttpResponse:
    """IT-7: the director sets the escalation time and the timeliness targets."""
    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    row = OperationsSettings.objects.for_user(request.user).filter(library=library).first()
    targets = effective_targets(row.target_days if row else {})
    form = SettingsForm(
        request.POST or None,
        targets=targets,
        initial={
            "escalation_minutes": row.escalation_minutes if row else DEFAULT_ESCALATION_MINUTES
        },
    )
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.update_settings(
            actor=request.user,
            library=library,
            escalation_minutes=data["escalation_minutes"],
            target_days=form.target_days(),
        ),
        success="Operations settings saved.",
    ):
        return redirect("operations:settings", slug=library.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "operations/settings.html",
        {"library": library, "form": form},
        status=status,
    )
