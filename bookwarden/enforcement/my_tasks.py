""" "My tasks" of the enforcement steps (IT-9, LV-12): human resources sees the cases waiting
for its decision; whoever opened a case sees its next step, in words saying what to do; those
who may lock accounts are offered the lock once the failed contacts reach the library's
threshold.  One query each, and none for people without the permissions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse

from bookwarden.core.my_tasks import Task, task_provider
from bookwarden.core.permissions import has_perm_anywhere, libraries_with_perm
from bookwarden.core.roles import Perm

from .models import CaseStatus, EnforcementCase, Stage

if TYPE_CHECKING:
    from bookwarden.core.models import User

#: At most this many cases are listed per kind of task (the case list shows them all).
TASK_LIMIT = 20


def case_key(case: EnforcementCase) -> str:
    return f"enforcement:{case.pk}"


def case_title(case: EnforcementCase) -> str:
    """ "Enforcement case #6: Remote-access tool left running overnight" (the log entry's
    title: one person may have several cases)."""
    return f"Enforcement case #{case.pk}: {case.entry.title}"


def case_state(case: EnforcementCase) -> str:
    """Whom and what the case is about: "About Ben Johnson, on CIRC-PC-03." """
    if case.subject_user_id and case.device:
        return f"About {case.subject_user}, on {case.device}."
    if case.subject_user_id:
        return f"About {case.subject_user}."
    return f"On {case.device}." if case.device else ""


def _step(case: EnforcementCase, may_lock: bool) -> tuple[str, str, bool]:
    """What to do next on ``case`` (its page's anchor, the sentence, and whether it is only
    for information: someone else acts)."""
    who = str(case.subject_user) if case.subject_user_id else "the account user"
    device = f"the device ({case.device})" if case.device else "the device"
    steps: dict[str, tuple[str, str, bool]] = {
        Stage.DETAILS: ("step-details", "Record what happened: who, what, when and where.", False),
        Stage.INFORM: (
            "step-inform",
            "Tell the technology coordinator or the assistant director for operations, then "
            "record that you did.",
            False,
        ),
        Stage.ISOLATE: (
            "step-isolate",
            f"Take {device} off the network, or record why that is not needed.",
            False,
        ),
        Stage.HR_DECISION: (
            "step-hr",
            "Wait for human resources to decide whether discipline is needed.",
            True,
        ),
        Stage.CONTACT: ("step-contact", f"Contact {who} and record how it went.", False),
        Stage.LOCK: (
            (
                "step-lock",
                f"Lock the account of {who}: repeated attempts to reach them failed.",
                False,
            )
            if may_lock
            else (
                "step-lock",
                f"Wait for someone who may lock accounts: repeated attempts to reach {who} failed.",
                True,
            )
        ),
        Stage.REFER: (
            "step-refer",
            "Refer the matter to law enforcement if it is a crime, then close the case.",
            False,
        ),
        Stage.CLOSE: ("close", "Close the case: every step is done.", False),
    }
    return steps.get(case.stage, ("", "Open the case to see where it stands.", True))


@task_provider
def hr_decisions(user: User) -> Iterable[Task]:
    """IT-9: human resources decides whether discipline is needed, before any action."""
    if not has_perm_anywhere(user, Perm.DECIDE_DISCIPLINE):
        return
    waiting = (
        EnforcementCase.objects.for_user(user, Perm.DECIDE_DISCIPLINE)
        .filter(status=CaseStatus.OPEN, stage=Stage.HR_DECISION)
        .select_related("subject_user", "entry")
        .order_by("opened_at", "pk")[:TASK_LIMIT]
    )
    for case in waiting:
        yield Task(
            case_title(case),
            "Decide whether discipline is needed: nothing disciplinary can happen before "
            "your decision.",
            reverse("enforcement:case", args=[case.pk]) + "#step-hr",
            urgent=True,
            key=case_key(case),
            state=case_state(case),
        )


@task_provider
def next_steps(user: User) -> Iterable[Task]:
    """The next step of the cases one opened, and the lock once it may be offered."""
    owner = has_perm_anywhere(user, Perm.MANAGE_ENFORCEMENT)
    lockers = libraries_with_perm(user, Perm.LOCK_ACCOUNTS)
    if not owner and not lockers:
        return
    cases = EnforcementCase.objects.none()
    if owner:
        cases |= EnforcementCase.objects.filter(opened_by=user).exclude(stage=Stage.HR_DECISION)
    if lockers:
        cases |= EnforcementCase.objects.for_user(user, Perm.LOCK_ACCOUNTS).filter(stage=Stage.LOCK)
    cases = (
        cases.filter(status=CaseStatus.OPEN)
        .select_related("subject_user", "entry")
        .order_by("opened_at", "pk")[:TASK_LIMIT]
    )
    for case in cases:
        may_lock = case.stage == Stage.LOCK and case.library_id in lockers
        anchor, todo, info = _step(case, may_lock)
        yield Task(
            case_title(case),
            todo,
            reverse("enforcement:case", args=[case.pk]) + (f"#{anchor}" if anchor else ""),
            urgent=may_lock,
            key=case_key(case),
            state=case_state(case),
            info=info,
        )
