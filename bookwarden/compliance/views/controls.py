"""The list of a library's controls and the page of one control, with its writes: marking
it not applicable (and undoing it), answering an item no check answers."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bookwarden.core.forms import submit
from bookwarden.core.models import Library
from bookwarden.core.permissions import StaffRequest, has_perm, library_for, perm_required
from bookwarden.core.roles import Perm, Role

from .. import actions
from ..checks import Status
from ..controls import URGENCY, ControlResult, evaluate, history
from ..forms import AnswerForm, NotApplicableForm
from ..models import ChecklistAnswer, ControlSnapshot, NotApplicable

GROUP_TITLES = {
    Status.FAILING: "Failing",
    Status.NO_EVIDENCE: "No evidence yet",
    Status.OPERATING: "Operating",
    Status.NOT_APPLICABLE: "Not applicable",
}


def by_urgency(results: list[ControlResult]) -> list[tuple[str, str, list[ControlResult]]]:
    """(status, its heading, its controls), the most urgent group first."""
    groups: dict[str, list[ControlResult]] = {}
    for r in results:
        groups.setdefault(r.status, []).append(r)
    return [(s, GROUP_TITLES[Status(s)], groups[s]) for s in URGENCY if s in groups]


@login_required
@perm_required(Perm.VIEW_COMPLIANCE)
@require_GET
def home(request: StaffRequest) -> HttpResponse:
    """A person who sees the controls of one library goes straight to them; of several,
    picks the library."""
    libraries = list(Library.objects.for_user(request.user, Perm.VIEW_COMPLIANCE).order_by("name"))
    if len(libraries) == 1:
        return redirect("compliance:list", slug=libraries[0].slug)
    return render(request, "compliance/home.html", {"libraries": libraries})


@login_required
@require_GET
def control_list(request: StaffRequest, slug: str) -> HttpResponse:
    """CC-8: the library's controls (the Bookwarden controls and its own), failing first,
    then without evidence, operating, and not applicable."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    results = [r for r in evaluate([library])[library.pk] if r.control.framework != "ala"]
    counts = {s: sum(r.status == s for r in results) for s in URGENCY}
    return render(
        request,
        "compliance/list.html",
        {
            "library": library,
            "groups": by_urgency(results),
            "counts": [(GROUP_TITLES[Status(s)], n) for s, n in counts.items()],
            "total": len(results),
            "can_manage": has_perm(request.user, Perm.MANAGE_COMPLIANCE, library),
        },
    )


@dataclass(frozen=True)
class Month:
    """One month of a control's history: its status at the month's last snapshot."""

    first_day: datetime.date
    snapshot: ControlSnapshot | None

    @property
    def label(self) -> str:
        """ "December 2026"."""
        return f"{calendar.month_name[self.first_day.month]} {self.first_day.year}"


def months_of(
    snapshots: list[ControlSnapshot], today: datetime.date, count: int = 12
) -> list[Month]:
    """The last ``count`` months, newest first, each with its last snapshot (or none)."""
    last: dict[tuple[int, int], ControlSnapshot] = {}
    for s in snapshots:
        last[(s.day.year, s.day.month)] = s
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(Month(datetime.date(year, month, 1), last.get((year, month))))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _result_or_404(library: Library, control_id: str) -> ControlResult:
    results = evaluate([library], only={control_id})[library.pk]
    if not results:
        raise Http404("No such control.")
    return results[0]


def _detail_context(
    request: StaffRequest, library: Library, result: ControlResult, **forms: Any
) -> dict[str, Any]:
    control = result.control
    can_manage = has_perm(request.user, Perm.MANAGE_COMPLIANCE, library)
    months = months_of(history(library, control.id), timezone.localdate())
    marked = (
        NotApplicable.objects.filter(library=library, control_id=control.id)
        .select_related("marked_by")
        .first()
    )
    answer = None
    if control.answered_by_person:
        answer = (
            ChecklistAnswer.objects.filter(library=library, control_id=control.id)
            .select_related("answered_by")
            .first()
        )
    return {
        "library": library,
        "result": result,
        "control": control,
        "owner": Role(control.owner_role).label if control.owner_role in Role.values else "",
        "marked": marked,
        "answer": answer,
        "months": months,
        "has_history": any(m.snapshot for m in months),
        "can_manage": can_manage,
        "na_form": forms.get("na_form") or (NotApplicableForm() if can_manage else None),
        "answer_form": forms.get("answer_form")
        or (
            AnswerForm(initial={"answer": answer.answer, "note": answer.note} if answer else None)
            if can_manage and control.answered_by_person
            else None
        ),
        "back": reverse(
            "compliance:checklists" if control.framework == "ala" else "compliance:list",
            args=[library.slug],
        ),
    }


@login_required
@require_GET
def control_detail(request: StaffRequest, slug: str, control_id: str) -> HttpResponse:
    """CC-8: a control's status, what fails, its evidence, its history over 12 months, its
    owner, the policy sentence it rests on and its requirement ids."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    result = _result_or_404(library, control_id)
    return render(request, "compliance/detail.html", _detail_context(request, library, result))


@login_required
@require_POST
def not_applicable(request: StaffRequest, slug: str, control_id: str) -> HttpResponse:
    """Mark a control not applicable, with the reason (an audited action)."""
    library = library_for(request, slug, Perm.MANAGE_COMPLIANCE)
    result = _result_or_404(library, control_id)
    form = NotApplicableForm(request.POST)
    if submit(
        request,
        form,
        lambda data: actions.mark_not_applicable(
            actor=request.user, library=library, control_id=control_id, reason=data["reason"]
        ),
        success="The control is marked not applicable.",
    ):
        return redirect("compliance:detail", slug=library.slug, control_id=control_id)
    context = _detail_context(request, library, result, na_form=form)
    return render(request, "compliance/detail.html", context)


@login_required
@require_POST
def applicable(request: StaffRequest, slug: str, control_id: str) -> HttpResponse:
    """Undo "not applicable": the control counts again."""
    library = library_for(request, slug, Perm.MANAGE_COMPLIANCE)
    _result_or_404(library, control_id)
    submit(
        request,
        None,
        lambda data: actions.mark_applicable(
            actor=request.user, library=library, control_id=control_id
        ),
        success="The control counts again.",
    )
    return redirect("compliance:detail", slug=library.slug, control_id=control_id)


@login_required
@require_POST
def answer(request: StaffRequest, slug: str, control_id: str) -> HttpResponse:
    """Answer an item that no check answers: yes, partly, no or not applicable, with a note."""
    library = library_for(request, slug, Perm.MANAGE_COMPLIANCE)
    result = _result_or_404(library, control_id)
    form = AnswerForm(request.POST)
    if submit(
        request,
        form,
        lambda data: actions.answer_item(
            actor=request.user, library=library, control_id=control_id, **data
        ),
        success="Your answer is recorded.",
    ):
        return redirect("compliance:detail", slug=library.slug, control_id=control_id)
    context = _detail_context(request, library, result, answer_form=form)
    return render(request, "compliance/detail.html", context)
