"""Read-side helpers of the enforcement pages: the checklist of a case (IT-9, LV-12) and the
restrictions shown on a patron's page (CC-3, CC-11)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from bookwarden.core.permissions import has_perm
from bookwarden.core.roles import Perm

from .models import (
    KIND_STEP,
    CaseStep,
    EnforcementCase,
    HRDecision,
    PatronRestriction,
    Stage,
    Step,
    StepKind,
)

#: The stage at which each checklist step is the next one.
_STEP_STAGE = {
    Step.DETAILS: Stage.DETAILS,
    Step.INFORM: Stage.INFORM,
    Step.ISOLATE: Stage.ISOLATE,
    Step.HR_DECISION: Stage.HR_DECISION,
    Step.CONTACT: Stage.CONTACT,
    Step.LOCK: Stage.LOCK,
    Step.REFER: Stage.REFER,
}


@dataclass
class ChecklistRow:
    number: int
    step: Step
    state: str  # done, skipped, next, waiting, optional, not_applicable
    note: str = ""
    records: list[CaseStep] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.step.label)

    @property
    def state_label(self) -> str:
        return {
            "done": "Done",
            "skipped": "Not needed",
            "next": "Next",
            "waiting": "Not yet",
            "optional": "If needed",
            "not_applicable": "Does not apply",
        }[self.state]


def checklist(
    case: EnforcementCase, steps: list[CaseStep], decision: HRDecision | None
) -> list[ChecklistRow]:
    """The seven steps of ``case``: what is done (who, when), what is next, what does not
    apply (no staff account; discipline instead of contact)."""
    by_step: dict[Step, list[CaseStep]] = {s: [] for s in Step}
    for s in steps:
        step = KIND_STEP.get(s.kind)
        if step is not None:
            by_step[step].append(s)
    rows = []
    for number, step in enumerate(Step, start=1):
        records = by_step[step]
        note = ""
        if records:
            state = (
                "skipped"
                if all(r.kind == StepKind.ISOLATION_NOT_NEEDED for r in records)
                else "done"
            )
        elif case.is_open and case.stage == _STEP_STAGE[step]:
            state = "next"
        else:
            state = "waiting"
        if step in (Step.CONTACT, Step.LOCK) and not records:
            if case.subject_user_id is None:
                state, note = "not_applicable", "No staff account is named on this case."
            elif decision is not None and decision.discipline_needed:
                state, note = (
                    "not_applicable",
                    "Human resources decided that discipline is needed; "
                    "the director may still lock the account.",
                )
            elif step == Step.LOCK and decision is not None and case.stage != Stage.LOCK:
                state = "optional" if case.stage == Stage.CONTACT else state
                note = "Offered after the configured number of failed contacts."
        if step == Step.CONTACT and records and case.stage == Stage.CONTACT:
            state = "next"
            note = "More attempts may be needed."
        if step == Step.REFER and not records and case.is_open and case.stage != Stage.REFER:
            state = "optional" if decision is not None or not case.is_staff_matter else "waiting"
        if step == Step.REFER and not records and case.stage == Stage.REFER:
            state = "optional"
            note = "Only if a law may have been broken; otherwise close the case."
        rows.append(ChecklistRow(number, step, state, note, records))
    return rows


def patron_restrictions(user: Any, patron: Any) -> dict[str, Any]:
    """For the patron page: the patron's restrictions (one query), current first, and
    whether the person may restrict (CC-3, CC-11).  The reason is shown to those who see the
    patron's details or restrict; everyone who sees the page sees that a restriction holds."""
    library = patron.library
    can_restrict = has_perm(user, Perm.RESTRICT_PATRONS, library)
    rows = list(
        PatronRestriction.objects.filter(patron=patron, library_id=patron.library_id)
        .select_related("created_by", "lifted_by")
        .order_by("-starts_on", "-pk")
    )
    today = timezone.localdate()
    current = [r for r in rows if r.lifted_at is None and r.ends_on > today]
    past = [r for r in rows if r not in current]
    return {
        "current": current,
        "in_force": [r for r in current if r.starts_on <= today],
        "past": past,
        "can_restrict": can_restrict,
        "show_reason": can_restrict or has_perm(user, Perm.VIEW_PATRON_DETAILS, library),
    }
