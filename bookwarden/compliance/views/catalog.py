"""The library's own controls (pasted or uploaded in the catalog's format) and the progress
of the ALA Library Privacy Checklists."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from bookwarden.core.forms import focus_first_error, submit
from bookwarden.core.permissions import StaffRequest, has_perm, library_for
from bookwarden.core.roles import Perm

from .. import actions
from ..checks import Status, plural, registered
from ..controls import ControlResult, evaluate
from ..forms import OwnControlsForm
from ..loader import checklists_of
from ..models import OwnCatalog

EXAMPLE = """\
framework: own
controls:
  - id: board-minutes-privacy
    title: The board minutes record the yearly privacy review
    requirements: [CC-11]
    source: Our board's bylaws
    sentence: "The board reviews the privacy program every year."
    owner: director
    checks: []          # none: a person answers it on its page
"""


@login_required
@require_http_methods(["GET", "POST"])
def own_controls(request: StaffRequest, slug: str) -> HttpResponse:
    """The library's own controls, in the catalog's YAML: pasted or uploaded, validated,
    every error shown with the text kept as typed."""
    library = library_for(request, slug, Perm.MANAGE_COMPLIANCE)
    row = OwnCatalog.objects.filter(library=library).first()
    form = OwnControlsForm(
        request.POST or None,
        request.FILES or None,
        initial={"text": row.text if row else ""},
    )
    if request.method == "POST":
        typed = form.cleaned_data.get("text", "") if form.is_valid() else None
        if submit(
            request,
            form,
            lambda data: actions.save_own_controls(
                actor=request.user, library=library, text=data.get("text", "")
            ),
            success=lambda controls: (
                f"{plural(len(controls), 'control')} of your own "
                f"{'is' if len(controls) == 1 else 'are'} saved."
                if controls
                else "The library has no controls of its own now."
            ),
        ):
            return redirect("compliance:list", slug=library.slug)
        # Nothing lost: an uploaded file's text is shown in the box to correct.
        if typed is not None:
            data = request.POST.copy()
            data["text"] = typed
            form.data = data
        focus_first_error(form)
    checks = sorted(registered().values(), key=lambda c: c.name)
    return render(
        request,
        "compliance/own.html",
        {"library": library, "form": form, "row": row, "checks": checks, "example": EXAMPLE},
    )


@dataclass
class Tally:
    label: str
    total: int = 0
    done: int = 0
    failing: int = 0
    no_evidence: int = 0
    not_applicable: int = 0

    def add(self, status: str) -> None:
        self.total += 1
        self.done += status == Status.OPERATING
        self.failing += status == Status.FAILING
        self.no_evidence += status == Status.NO_EVIDENCE
        self.not_applicable += status == Status.NOT_APPLICABLE

    @property
    def counted(self) -> int:
        """The items that count: all but those marked not applicable."""
        return self.total - self.not_applicable

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.counted) if self.counted else 100


@dataclass
class ChecklistProgress:
    key: str
    title: str
    url: str
    tally: Tally
    by_priority: list[Tally]
    items: list[ControlResult] = field(default_factory=list)


def checklist_progress(results: list[ControlResult]) -> tuple[list[ChecklistProgress], list[Tally]]:
    """Progress of each ALA checklist, and of all of them per priority."""
    lists = {
        c.key: ChecklistProgress(
            c.key, c.title, c.url, Tally(c.title), [Tally(f"Priority {p}") for p in (1, 2, 3)]
        )
        for c in checklists_of("ala")
    }
    overall = [Tally(f"Priority {p}") for p in (1, 2, 3)]
    for r in results:
        if r.control.framework != "ala" or r.control.checklist_key not in lists:
            continue
        progress = lists[r.control.checklist_key]
        progress.items.append(r)
        progress.tally.add(r.status)
        priority = (r.control.priority or 3) - 1
        progress.by_priority[priority].add(r.status)
        overall[priority].add(r.status)
    for progress in lists.values():
        progress.items.sort(key=lambda r: r.control.priority or 3)
    return list(lists.values()), overall


@login_required
@require_GET
def checklists(request: StaffRequest, slug: str) -> HttpResponse:
    """The ALA Library Privacy Checklists: progress per checklist and per priority, each
    item with its status (from the library's records where a check answers it)."""
    library = library_for(request, slug, Perm.VIEW_COMPLIANCE)
    lists, overall = checklist_progress(evaluate([library])[library.pk])
    return render(
        request,
        "compliance/checklists.html",
        {
            "library": library,
            "lists": lists,
            "overall": overall,
            "can_manage": has_perm(request.user, Perm.MANAGE_COMPLIANCE, library),
        },
    )
