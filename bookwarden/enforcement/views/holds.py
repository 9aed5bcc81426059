"""Pages that hold an account or a workstation (IT-9, LV-12): the lock of step 6 posted
from the case page, ending a lock, and suspensions.  A lock or suspension of another library
is 404 (DESIGN mechanism 4)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from bookwarden.core import when as formats
from bookwarden.core.forms import submit
from bookwarden.core.models import Library, Membership
from bookwarden.core.permissions import (
    StaffRequest,
    has_perm,
    libraries_with_perm,
    library_for,
    perm_required,
)
from bookwarden.core.roles import Perm

from .. import actions
from ..forms import ReasonForm, RequiredReasonForm, SuspensionForm
from ..models import AccountLock, EnforcementCase, Suspension
from .cases import case_step


@login_required
@require_POST
def step_lock(request: StaffRequest, case_id: int) -> HttpResponse:
    return case_step(
        request,
        case_id,
        perm=Perm.LOCK_ACCOUNTS,
        name="lock",
        make=lambda data, case: ReasonForm(data, prefix="lock"),
        run=lambda case, data: actions.lock_account(actor=request.user, case=case, **data),
        success=lambda lock: (
            f"{lock.user}'s account is locked: it cannot sign in and its sessions ended."
        ),
    )


@login_required
@require_POST
def unlock(request: StaffRequest, lock_id: int) -> HttpResponse:
    """End a lock (the account works again unless something else holds it)."""
    lock = get_object_or_404(AccountLock.objects.for_user(request.user), pk=lock_id)
    if not has_perm(request.user, Perm.LOCK_ACCOUNTS, lock.library_id):
        raise PermissionDenied
    submit(
        request,
        RequiredReasonForm(request.POST, prefix="unlock"),
        lambda data: actions.unlock_account(actor=request.user, lock=lock, **data),
        success=f"{lock.user}'s lock has ended.",
        flash=True,
    )
    if lock.case_id:
        return redirect("enforcement:case", case_id=lock.case_id)
    return redirect("enforcement:list")


# --- Suspensions (LV-12) -----------------------------------------------------------------


@login_required
@perm_required(Perm.VIEW_OPERATIONS)
@require_http_methods(["GET", "POST"])
def suspension_list(request: StaffRequest) -> HttpResponse:
    """Suspended accounts and workstations, and the form to suspend one (LV-12)."""
    user = request.user
    writable = list(Library.objects.for_user(user, Perm.LOCK_ACCOUNTS))
    memberships = Membership.objects.for_user(user, Perm.LOCK_ACCOUNTS)
    form: SuspensionForm | None = None
    case: EnforcementCase | None = None
    case_id = request.POST.get("case") or request.GET.get("case") or ""
    if request.method == "POST":
        library = library_for(request, request.POST.get("library", ""), Perm.LOCK_ACCOUNTS)
        if case_id.isdigit():
            case = get_object_or_404(EnforcementCase.objects.for_user(user), pk=int(case_id))
        form = SuspensionForm(request.POST, libraries=writable, memberships=memberships)
        if submit(
            request,
            form,
            lambda data: actions.suspend(
                actor=user,
                library=library,
                reason=data["reason"],
                ends_on=data["ends_on"],
                user=data["user"],
                workstation=data["workstation"],
                case=case,
            ),
            success=lambda suspension: (
                f"{suspension.what} is suspended until {formats.day(suspension.ends_on)}."
            ),
        ):
            if case is not None:
                return redirect("enforcement:case", case_id=case.pk)
            return redirect("enforcement:suspensions")
    elif writable:
        if case_id.isdigit():
            case = EnforcementCase.objects.for_user(user).filter(pk=int(case_id)).first()
        initial: dict[str, Any] = {}
        if case is not None:
            initial = {
                "library": case.library.slug,
                "user": case.subject_user_id,
                "workstation": "" if case.subject_user_id else case.device,
            }
        form = SuspensionForm(initial=initial, libraries=writable, memberships=memberships)
    suspensions = list(
        Suspension.objects.for_user(user, Perm.VIEW_OPERATIONS).select_related(
            "library", "user", "created_by", "ended_by"
        )[:300]
    )
    today = timezone.localdate()
    return render(
        request,
        "enforcement/suspensions.html",
        {
            "form": form,
            "case": case,
            "live": [s for s in suspensions if s.is_live],
            "ended": [s for s in suspensions if not s.is_live],
            "can_end": set(libraries_with_perm(user, Perm.LOCK_ACCOUNTS)),
            "today": today,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_POST
def suspension_end(request: StaffRequest, suspension_id: int) -> HttpResponse:
    suspension = get_object_or_404(Suspension.objects.for_user(request.user), pk=suspension_id)
    if not has_perm(request.user, Perm.LOCK_ACCOUNTS, suspension.library_id):
        raise PermissionDenied
    submit(
        request,
        RequiredReasonForm(
            request.POST,
            prefix=f"end{suspension.pk}",
            why="Say why it ends before its end date.",
        ),
        lambda data: actions.end_suspension(actor=request.user, suspension=suspension, **data),
        success=f"The suspension of {suspension.what} has ended.",
        flash=True,
    )
    return redirect("enforcement:suspensions")
