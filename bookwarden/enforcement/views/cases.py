"""Pages of an enforcement case (IT-9, LV-12): the list, opening a case on a violation or
incident of the log, the case page with its checklist, each step posted from it, and the
director's setting of failed contacts before the lock.  Reading needs ``view_operations``
at the case's library; each step needs its own permission; a case of another library is
404 (DESIGN mechanism 4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.models import Library, Membership
from bookwarden.core.permissions import (
    StaffRequest,
    has_perm,
    has_perm_anywhere,
    library_for,
    perm_required,
)
from bookwarden.core.roles import Perm
from bookwarden.operations.models import INCIDENT_KINDS, EntryKind, EntryStatus, LogEntry

from .. import actions
from ..forms import (
    CloseForm,
    ContactForm,
    DetailsForm,
    HRDecisionForm,
    InformForm,
    IsolateForm,
    OpenCaseForm,
    ReasonForm,
    ReferForm,
    SettingsForm,
)
from ..models import (
    AccountLock,
    CaseStatus,
    CaseStep,
    EnforcementCase,
    HRDecision,
    Stage,
    StepKind,
    Suspension,
    failed_contacts_before_lock,
)
from ..queries import checklist

T = TypeVar("T")

#: Log entries an enforcement case may follow (a patron's violation leads to a restriction).
CASE_KINDS = sorted({*INCIDENT_KINDS, EntryKind.STAFF_VIOLATION})


def case_or_404(request: StaffRequest, case_id: int) -> EnforcementCase:
    """A case of one of the person's libraries (else 404) that they may read (else 403)."""
    case = get_object_or_404(
        EnforcementCase.objects.for_user(request.user).select_related(
            "library", "entry", "subject_user", "opened_by", "closed_by"
        ),
        pk=case_id,
    )
    if not has_perm(request.user, Perm.VIEW_OPERATIONS, case.library):
        raise PermissionDenied
    return case


@login_required
@perm_required(Perm.VIEW_OPERATIONS)
@require_GET
def case_list(request: StaffRequest) -> HttpResponse:
    """The enforcement cases of the person's libraries, open ones first."""
    show = request.GET.get("show", "open")
    cases = EnforcementCase.objects.for_user(request.user, Perm.VIEW_OPERATIONS).select_related(
        "library", "entry", "subject_user"
    )
    if show != "all":
        show = "open"
        cases = cases.filter(status=CaseStatus.OPEN)
    return render(
        request,
        "enforcement/list.html",
        {
            "cases": list(cases[:200]),
            "show": show,
            "can_open": has_perm_anywhere(request.user, Perm.MANAGE_ENFORCEMENT),
            "settings_libraries": Library.objects.for_user(request.user, Perm.MANAGE_SETTINGS),
        },
    )


def _open_entries(request: StaffRequest) -> Any:
    return (
        LogEntry.objects.for_user(request.user, Perm.MANAGE_ENFORCEMENT)
        .filter(kind__in=CASE_KINDS)
        .exclude(status=EntryStatus.CLOSED)
        .exclude(enforcement_cases__status=CaseStatus.OPEN)
        .select_related("library")
        .order_by("-occurred_at", "-pk")
    )


@login_required
@perm_required(Perm.MANAGE_ENFORCEMENT)
@require_http_methods(["GET", "POST"])
def case_open(request: StaffRequest) -> HttpResponse:
    """Open the enforcement steps on a violation or incident of the log (IT-9, LV-12)."""
    entries = _open_entries(request)
    memberships = Membership.objects.for_user(request.user, Perm.MANAGE_ENFORCEMENT)
    if request.method == "POST":
        # Another library's entry: 404, before anything else is looked at.
        entry_id = request.POST.get("entry", "")
        if entry_id.isdigit():
            entry = get_object_or_404(LogEntry.objects.for_user(request.user), pk=int(entry_id))
            if not has_perm(request.user, Perm.MANAGE_ENFORCEMENT, entry.library_id):
                raise PermissionDenied
        form = OpenCaseForm(request.POST, entries=entries, memberships=memberships)
        if done := submit(
            request,
            form,
            lambda data: actions.open_case(actor=request.user, **data),
            success=lambda case: f"Enforcement case #{case.pk} is open.",
        ):
            return redirect("enforcement:case", case_id=done.result.pk)
    else:
        initial = {"entry": request.GET.get("entry")} if request.GET.get("entry") else None
        form = OpenCaseForm(initial=initial, entries=entries, memberships=memberships)
    status = 400 if form.errors else 200
    return render(request, "enforcement/open.html", {"form": form}, status=status)


def _case_context(
    request: StaffRequest, case: EnforcementCase, bound: dict[str, forms.Form] | None = None
) -> dict[str, Any]:
    """The case page: the checklist, the records, and the forms of the steps the person
    may take now."""
    user = request.user
    bound = bound or {}
    steps = list(CaseStep.objects.filter(case=case).select_related("by"))
    decision = HRDecision.objects.filter(case=case).select_related("decided_by").first()
    contacts = list(case.contacts.select_related("by"))
    locks = list(AccountLock.objects.filter(case=case).select_related("user", "created_by"))
    suspensions = list(Suspension.objects.filter(case=case).select_related("user"))
    kinds = {s.kind for s in steps}
    is_open = case.is_open
    manage = is_open and has_perm(user, Perm.MANAGE_ENFORCEMENT, case.library)
    details_done = StepKind.DETAILS in kinds
    informed = StepKind.INFORM in kinds
    isolated = bool(kinds & {StepKind.ISOLATE, StepKind.ISOLATION_NOT_NEEDED})
    no_discipline = decision is not None and not decision.discipline_needed
    hr_ready = decision is not None or not case.is_staff_matter

    def form(name: str, make: Callable[[], forms.Form], show: bool) -> forms.Form | None:
        if name in bound:
            return bound[name]
        return make() if show else None

    may_lock = actions.may_lock(user, case)
    lock_refusal = None
    if is_open and case.subject_user_id and has_perm(user, Perm.LOCK_ACCOUNTS, case.library):
        lock_refusal = actions.lock_refusal(case, user)
    ctx: dict[str, Any] = {
        "case": case,
        "library": case.library,
        "checklist": checklist(case, steps, decision),
        "steps": steps,
        "decision": decision,
        "contacts": contacts,
        "failed": sum(1 for c in contacts if c.failed),
        "threshold": failed_contacts_before_lock(case.library_id),
        "locks": locks,
        "suspensions": suspensions,
        "hr_ready": hr_ready,
        "lock_refusal": lock_refusal,
        "details_form": form("details", lambda: DetailsForm(case=case, prefix="details"), manage),
        "inform_form": form(
            "inform",
            lambda: InformForm(people=actions.informed_people(case.library_id), prefix="inform"),
            manage and details_done and not informed,
        ),
        "isolate_form": form(
            "isolate",
            lambda: IsolateForm(case=case, prefix="isolate"),
            manage and informed and not isolated,
        ),
        "hr_form": form(
            "hr",
            lambda: HRDecisionForm(prefix="hr"),
            is_open
            and isolated
            and decision is None
            and has_perm(user, Perm.DECIDE_DISCIPLINE, case.library),
        ),
        "contact_form": form(
            "contact",
            lambda: ContactForm(prefix="contact"),
            manage and no_discipline and case.subject_user_id is not None,
        ),
        "lock_form": form("lock", lambda: ReasonForm(prefix="lock"), may_lock),
        "can_unlock": has_perm(user, Perm.LOCK_ACCOUNTS, case.library),
        "can_suspend": is_open
        and hr_ready
        and details_done
        and has_perm(user, Perm.LOCK_ACCOUNTS, case.library),
        "refer_form": form(
            "refer",
            lambda: ReferForm(prefix="refer"),
            is_open
            and details_done
            and hr_ready
            and StepKind.REFER not in kinds
            and has_perm(user, Perm.REFER_TO_LAW_ENFORCEMENT, case.library),
        ),
        "close_form": form("close", lambda: CloseForm(prefix="close"), manage),
    }
    ctx["waiting_for_hr"] = is_open and case.is_staff_matter and decision is None
    return ctx


@login_required
@require_GET
def case_detail(request: StaffRequest, case_id: int) -> HttpResponse:
    case = case_or_404(request, case_id)
    return render(request, "enforcement/case.html", _case_context(request, case))


def case_step(
    request: StaffRequest,
    case_id: int,
    *,
    perm: str,
    name: str,
    make: Callable[[Any, EnforcementCase], forms.Form],
    run: Callable[[EnforcementCase, dict[str, Any]], T],
    success: str | Callable[[T], str],
) -> HttpResponse:
    """One step posted from the case page: permission (403; another library's case 404),
    the form, the action; its refusal shows on the case page again (400)."""
    case = case_or_404(request, case_id)
    if not has_perm(request.user, perm, case.library):
        raise PermissionDenied
    form = make(request.POST, case)
    if submit(request, form, lambda data: run(case, data), success=success):
        return redirect("enforcement:case", case_id=case.pk)
    ctx = _case_context(request, case, {name: form})
    return render(request, "enforcement/case.html", ctx, status=400)


@login_required
@require_POST
def step_details(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.MANAGE_ENFORCEMENT,
        name="details",
        make=lambda data, case: DetailsForm(data, case=case, prefix="details"),
        run=lambda case, data: actions.record_details(
            actor=request.user,
            case=case,
            details=data["details"],
            subject_user=data.get("subject_user"),
            device=data.get("device") or "",
        ),
        success="The details are recorded.",
    )


@login_required
@require_POST
def step_inform(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.MANAGE_ENFORCEMENT,
        name="inform",
        make=lambda data, case: InformForm(
            data, people=actions.informed_people(case.library_id), prefix="inform"
        ),
        run=lambda case, data: actions.inform_it_manager(
            actor=request.user, case=case, people=list(data["people"]), note=data["note"]
        ),
        success="They are informed: the e-mails are in the outbox.",
    )


@login_required
@require_POST
def step_isolate(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.MANAGE_ENFORCEMENT,
        name="isolate",
        make=lambda data, case: IsolateForm(data, case=case, prefix="isolate"),
        run=lambda case, data: actions.isolate_device(
            actor=request.user,
            case=case,
            isolated=data["isolated"],
            device=data.get("device") or "",
            note=data["note"],
            at=data["at"],
        ),
        success=lambda step: (
            "The device is marked as isolated."
            if step.kind == StepKind.ISOLATE
            else "Step 3 is recorded."
        ),
    )


@login_required
@require_POST
def step_hr_decision(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.DECIDE_DISCIPLINE,
        name="hr",
        make=lambda data, case: HRDecisionForm(data, prefix="hr"),
        run=lambda case, data: actions.record_hr_decision(actor=request.user, case=case, **data),
        success="The decision is recorded.",
    )


@login_required
@require_POST
def step_contact(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.MANAGE_ENFORCEMENT,
        name="contact",
        make=lambda data, case: ContactForm(data, prefix="contact"),
        run=lambda case, data: actions.record_contact_attempt(
            actor=request.user, case=case, **data
        ),
        success="The contact attempt is recorded.",
    )


@login_required
@require_POST
def step_refer(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.REFER_TO_LAW_ENFORCEMENT,
        name="refer",
        make=lambda data, case: ReferForm(data, prefix="refer"),
        run=lambda case, data: actions.refer_to_law_enforcement(
            actor=request.user, case=case, **data
        ),
        success="The referral is recorded.",
    )


@login_required
@require_POST
def step_close(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.MANAGE_ENFORCEMENT,
        name="close",
        make=lambda data, case: CloseForm(data, prefix="close"),
        run=lambda case, data: actions.close_case(actor=request.user, case=case, **data),
        success=lambda case: f"Enforcement case #{case.pk} is closed.",
    )


# --- Settings ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enforcement_settings(request: StaffRequest, slug: str) -> HttpResponse:
    """The director sets the failed contacts before the lock is offered (IT-9)."""
    library = library_for(request, slug, Perm.MANAGE_SETTINGS)
    current = failed_contacts_before_lock(library)
    form = SettingsForm(request.POST or None, initial={"failed_contacts_before_lock": current})
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: actions.set_failed_contacts_before_lock(
            actor=request.user, library=library, value=data["failed_contacts_before_lock"]
        ),
        success="The setting is saved.",
    ):
        return redirect("enforcement:list")
    return render(
        request,
        "enforcement/settings.html",
        {"library": library, "form": form, "stage_lock": Stage.LOCK},
        status=400 if form.errors else 200,
    )
