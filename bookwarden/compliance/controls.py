"""The controls (CC-8): what a policy asks for, the checks that show it is done, and their
status at each library, computed from the live data.

:func:`catalog` gives the built-in controls (the files of ``catalog/``: the Bookwarden
controls and the ALA Library Privacy Checklists) and a library's own; :func:`evaluate` runs
each check once for all the libraries asked about, in a bounded number of queries, and gives
each control its status: the worst of its checks, "not applicable" where the library marked
it so, or for a control no check answers, the answer a person gave.  :func:`history` reads
the daily snapshots.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils import timezone

from .checks import CheckResult, Evidence, Status, run
from .models import Answer, ChecklistAnswer, ControlSnapshot, NotApplicable, OwnCatalog

if TYPE_CHECKING:
    from bookwarden.core.models import Library

#: The order of urgency: a failing control first, then one without evidence.
URGENCY = {
    Status.FAILING: 0,
    Status.NO_EVIDENCE: 1,
    Status.OPERATING: 2,
    Status.NOT_APPLICABLE: 3,
}

#: What a person's answer to an item no check answers makes of its status.
ANSWER_STATUS = {
    Answer.YES: Status.OPERATING,
    Answer.PARTLY: Status.FAILING,
    Answer.NO: Status.FAILING,
    Answer.NOT_APPLICABLE: Status.NOT_APPLICABLE,
}


@dataclass(frozen=True)
class Control:
    id: str  # slug, e.g. "yearly-training"
    title: str  # plain words
    requirements: tuple[str, ...]  # REQUIREMENTS ids, e.g. ("CC-10",)
    source: str  # the policy it comes from (title)
    sentence: str  # the policy sentence it rests on
    owner_role: str  # core.roles.Role value
    checks: tuple[str, ...]  # registered check names
    framework: str = "bookwarden"  # or "ala" for the ALA checklists; "own" for a library's
    checklist: str = ""  # ALA: the checklist's title
    checklist_key: str = ""  # ALA: the checklist's key in the catalog
    priority: int | None = None  # ALA: 1, 2 or 3
    note: str = ""  # what a person answering it should look at

    @property
    def answered_by_person(self) -> bool:
        return not self.checks


@dataclass(frozen=True)
class ControlResult:
    control: Control
    status: Status  # worst of its checks; NOT_APPLICABLE when the library marked it so
    checks: tuple[CheckResult, ...]
    not_applicable_reason: str = ""

    @property
    def status_label(self) -> str:
        """ "Failing", "No evidence yet", ..."""
        return str(Status(self.status).label)


@functools.cache
def builtin_catalog() -> tuple[Control, ...]:
    """The built-in controls of every framework, read once (a bad file fails at start)."""
    from .loader import builtin_files, load_catalog_file

    controls: list[Control] = []
    for path in builtin_files():
        for control in load_catalog_file(path):
            assert control.id not in {c.id for c in controls}, f"{control.id} twice"
            controls.append(control)
    return tuple(controls)


def own_controls(library: Library, text: str | None) -> list[Control]:
    """A library's own controls from the text it keeps (none when empty; a text that no
    longer loads, say a check since removed, gives none rather than failing the page)."""
    from .loader import CatalogError, load_catalog_text

    if not text:
        return []
    try:
        return load_catalog_text(text, framework="own", taken=(c.id for c in builtin_catalog()))
    except CatalogError:
        return []


def catalog(library: Library | None = None) -> list[Control]:
    """The built-in controls, and ``library``'s own after them."""
    controls = list(builtin_catalog())
    if library is not None:
        row = OwnCatalog.objects.filter(library=library).first()
        controls.extend(own_controls(library, row.text if row else None))
    return controls


def _combine(control: Control, results: Sequence[CheckResult]) -> Status:
    return min((r.status for r in results), key=lambda s: URGENCY[Status(s)])


def _answered(control: Control, answer: ChecklistAnswer | None) -> CheckResult:
    if answer is None:
        return CheckResult(
            Status.NO_EVIDENCE,
            "No evidence yet. A person answers this item on the control's page"
            + (f": {control.note}" if control.note else "."),
        )
    label = Answer(answer.answer).label
    who = str(answer.answered_by) if answer.answered_by else "the system"
    status = ANSWER_STATUS[Answer(answer.answer)]
    summary = f"Answered {label.lower()} by {who}." + (f" {answer.note}" if answer.note else "")
    evidence = (Evidence(f"Answered {label.lower()} by {who}", when=answer.answered_at),)
    return CheckResult(
        status,
        summary,
        failures=(f"The answer is {label.lower()}: {answer.note or 'no note given'}.",)
        if status == Status.FAILING
        else (),
        evidence=evidence,
        measure={Answer.YES: 1.0, Answer.PARTLY: 0.5, Answer.NO: 0.0}.get(Answer(answer.answer)),
    )


def evaluate(
    libraries: Sequence[Library],
    *,
    now: datetime.datetime | None = None,
    only: Collection[str] | None = None,
) -> dict[int, list[ControlResult]]:
    """Library id -> the result of each control of its catalog, in catalog order (``only``:
    of those controls alone).  Each check runs once for all ``libraries``: a bounded number
    of queries whatever the number of libraries, people or records."""
    now = now or timezone.now()
    libraries = list(libraries)
    ids = [lib.pk for lib in libraries]
    own_texts = dict(OwnCatalog.objects.filter(library__in=ids).values_list("library_id", "text"))
    marked = {
        (row.library_id, row.control_id): row.reason
        for row in NotApplicable.objects.filter(library__in=ids)
    }
    answers = {
        (row.library_id, row.control_id): row
        for row in ChecklistAnswer.objects.filter(library__in=ids).select_related("answered_by")
    }
    builtin = list(builtin_catalog())
    catalogs = {
        lib.pk: [
            c
            for c in builtin + own_controls(lib, own_texts.get(lib.pk))
            if only is None or c.id in only
        ]
        for lib in libraries
    }
    names = [name for controls in catalogs.values() for c in controls for name in c.checks]
    computed = run(names, libraries, now)
    found: dict[int, list[ControlResult]] = {}
    for lib in libraries:
        rows: list[ControlResult] = []
        for control in catalogs[lib.pk]:
            if control.answered_by_person:
                results: tuple[CheckResult, ...] = (
                    _answered(control, answers.get((lib.pk, control.id))),
                )
            else:
                results = tuple(computed[name][lib.pk] for name in control.checks)
            reason = marked.get((lib.pk, control.id))
            status = Status.NOT_APPLICABLE if reason is not None else _combine(control, results)
            rows.append(ControlResult(control, status, results, reason or ""))
        found[lib.pk] = rows
    return found


def evaluate_one(
    library: Library, control_id: str, *, now: datetime.datetime | None = None
) -> ControlResult | None:
    """One control of one library (its checks only), None when the library has no such
    control."""
    results = evaluate([library], now=now, only={control_id})[library.pk]
    return results[0] if results else None


def history(library: Library, control_id: str, *, months: int = 12) -> list[ControlSnapshot]:
    """The daily snapshots of one control at ``library`` over the last ``months``, oldest
    first."""
    since = timezone.localdate() - datetime.timedelta(days=round(months * 30.44))
    return list(
        ControlSnapshot.objects.filter(
            library=library, control_id=control_id, day__gte=since
        ).order_by("day")
    )
