"""The enforcement demo (IT-9, LV-12, CC-3, CC-11): one case of New Madrid at each of the
seven steps, a suspended workstation, and a patron whose computer use is restricted.
Everything goes through the actions, as the demo's people."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library, User
from bookwarden.operations.models import EntryKind, LogEntry

from . import actions
from .models import (
    ContactMethod,
    ContactOutcome,
    EnforcementCase,
    Step,
    failed_contacts_before_lock,
)

#: The demo's cases: for each step, the violation or incident it follows.
CASES: tuple[tuple[Step, str, str], ...] = (
    # (the step the case is at, the entry's kind, its title)
    (Step.DETAILS, EntryKind.INAPPROPRIATE_ACCESS, "Patron records viewed without a purpose"),
    (Step.INFORM, EntryKind.STAFF_VIOLATION, "Password written on a sticky note"),
    (Step.ISOLATE, EntryKind.MALWARE, "Malware alert on the circulation desk computer"),
    (Step.HR_DECISION, EntryKind.STAFF_VIOLATION, "Unapproved software installed"),
    (Step.CONTACT, EntryKind.STAFF_VIOLATION, "Shared login used at the branch desk"),
    (Step.LOCK, EntryKind.STAFF_VIOLATION, "Remote-access tool left running overnight"),
    (Step.REFER, EntryKind.DATA_LOSS, "Laptop with staff files stolen from a car"),
)


def log_entry(
    library: Library, kind: str, title: str, *, reported_by: User | None = None
) -> LogEntry:
    """A violation or incident in the security operations log, through its action."""
    from bookwarden.operations.actions import create_entry

    return create_entry(
        actor=None,
        library=library,
        kind=kind,
        title=title,
        narrative=f"{title}. Reported to the director, who asked for the enforcement steps.",
        occurred_at=timezone.now() - datetime.timedelta(days=2),
        reported_by=reported_by,
    )


def case_at(
    people: dict[str, Any],
    step: Step | str,
    *,
    library: Library | None = None,
    entry: LogEntry | None = None,
    subject: User | None = None,
    device: str = "CIRC-PC-03",
    discipline_needed: bool = False,
) -> EnforcementCase:
    """A case of New Madrid whose steps before ``step`` are done, so that ``step`` is next.
    The technology coordinator runs the steps, human resources decides, the director refers.
    Used by the demo and by the tests."""
    library = library or Library.objects.get(slug="new-madrid")
    order = list(Step)
    target = order.index(Step(step))
    coordinator = people["tech_coordinator"]
    entry = entry or log_entry(library, EntryKind.STAFF_VIOLATION, "A policy violation")
    case = actions.open_case(
        actor=coordinator,
        entry=entry,
        subject_user=subject if subject is not None else people["staff"],
        device=device,
    )
    if target > order.index(Step.DETAILS):
        actions.record_details(
            actor=coordinator,
            case=case,
            details="Found during the weekly review; the staff member was at the desk.",
        )
    if target > order.index(Step.INFORM):
        actions.inform_it_manager(actor=coordinator, case=case)
    if target > order.index(Step.ISOLATE):
        actions.isolate_device(actor=coordinator, case=case, note="Unplugged from the network.")
    if target > order.index(Step.HR_DECISION):
        actions.record_hr_decision(
            actor=people["human_resources"],
            case=case,
            discipline_needed=discipline_needed,
            note="First occurrence.",
        )
    if target > order.index(Step.CONTACT):
        for method in (ContactMethod.EMAIL, ContactMethod.PHONE, ContactMethod.IN_PERSON)[
            : failed_contacts_before_lock(library)
        ]:
            actions.record_contact_attempt(
                actor=coordinator, case=case, method=method, outcome=ContactOutcome.NO_RESPONSE
            )
    if target > order.index(Step.LOCK):
        actions.lock_account(actor=coordinator, case=case)
    case.refresh_from_db()
    return case


@transaction.atomic
def build_enforcement_demo(people: dict[str, Any]) -> dict[str, Any]:
    """One case at each step for New Madrid, a suspended workstation and a patron's
    computer-use restriction (on "Harlan", a patron of :func:`build_patron_demo`).  The case
    at step 7 went through the lock: its account is a staff account of its own (gwalker),
    so that every persona of the demo can still sign in."""
    from bookwarden.core.actions import create_staff
    from bookwarden.core.roles import Role
    from bookwarden.patrons.models import Patron

    library = Library.objects.get(slug="new-madrid")
    locked = User.objects.filter(username="gwalker").first()
    if locked is None:
        locked = create_staff(
            actor=None,
            library=library,
            username="gwalker",
            email="gwalker@new-madrid.example.org",
            password=None,
            role=Role.STAFF,
            first_name="Gary",
            last_name="Walker",
        ).user
    cases = []
    for step, kind, title in CASES:
        subject = locked if step == Step.REFER else people["staff"]
        entry = log_entry(library, kind, title, reported_by=people["it_staff"])
        cases.append(case_at(people, step, library=library, entry=entry, subject=subject))
    suspension = actions.suspend(
        actor=people["tech_coordinator"],
        library=library,
        workstation="PUBLIC-PC-07",
        reason="Keylogger found on the public computer; off until it is reimaged.",
        ends_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    restriction = None
    patron = Patron.objects.filter(library=library, last_name="Harlan").first()
    if patron is not None:
        violation = log_entry(
            library, EntryKind.PATRON_VIOLATION, "Patron bypassed the computer time limits"
        )
        restriction = actions.restrict_patron(
            actor=people["director"],
            patron=patron,
            reason="Bypassed the time limits on the public computers twice.",
            ends_on=timezone.localdate() + datetime.timedelta(days=30),
            entry=violation,
        )
    return {"cases": cases, "suspension": suspension, "restriction": restriction}


@demo_part(order=30)
def _enforcement_part(world: DemoWorld) -> None:
    build_enforcement_demo(world.people)
