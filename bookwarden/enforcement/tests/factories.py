"""Objects of New Madrid for the authorization matrix (bookwarden/core/tests): a case at each
step, a live lock, a suspension and a patron restriction, made through the actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from bookwarden.core.models import Library, User
from bookwarden.operations.models import EntryKind, LogEntry

from .. import actions
from ..demo import case_at, log_entry
from ..models import (
    AccountLock,
    CaseStatus,
    EnforcementCase,
    PatronRestriction,
    Stage,
    Step,
    Suspension,
)

#: The account the matrix's lock holds: not a persona, so every persona still signs in.
LOCKED_USERNAME = "matrixlocked"


def _people() -> dict[str, User]:
    from bookwarden.core.demo import PERSONAS

    users = {
        u.username: u for u in User.objects.filter(username__in=[p.username for p in PERSONAS])
    }
    return {p.key: users[p.username] for p in PERSONAS}


def case_id_at(library: Library, stage: str, *, discipline_needed: bool = False) -> int:
    """An open case of ``library`` at ``stage`` (made once), its subject the staff persona."""
    existing = EnforcementCase.objects.filter(
        library=library, status=CaseStatus.OPEN, stage=stage, subject_user__username="bjohnson"
    ).first()
    if existing is not None:
        return existing.pk
    step = Step.CONTACT if stage == Stage.REFER else Step(stage)
    return case_at(_people(), step, library=library, discipline_needed=discipline_needed).pk


def live_lock_id(library: Library) -> int:
    lock = AccountLock.objects.live().filter(library=library).first()
    if lock is not None:
        return lock.pk
    from bookwarden.core.actions import create_staff
    from bookwarden.core.roles import Role

    user = User.objects.filter(username=LOCKED_USERNAME).first()
    if user is None:
        user = create_staff(
            actor=None,
            library=library,
            username=LOCKED_USERNAME,
            email="matrixlocked@example.org",
            password=None,
            role=Role.STAFF,
        ).user
    case = case_at(_people(), Step.LOCK, library=library, subject=user)
    return actions.lock_account(actor=None, case=case).pk


def live_suspension_id(library: Library) -> int:
    suspension = Suspension.objects.live().filter(library=library).first()
    if suspension is None:
        suspension = actions.suspend(
            actor=None,
            library=library,
            workstation="PUBLIC-PC-09",
            reason="Matrix sample.",
            ends_on=timezone.localdate() + datetime.timedelta(days=10),
        )
    return suspension.pk


def live_restriction_id(library: Library) -> int:
    from bookwarden.patrons.models import Patron

    restriction = PatronRestriction.objects.filter(library=library, lifted_at__isnull=True).first()
    if restriction is None:
        patron = Patron.objects.filter(library=library).order_by("pk").first()
        assert patron is not None
        restriction = actions.restrict_patron(
            actor=None,
            patron=patron,
            reason="Matrix sample.",
            ends_on=timezone.localdate() + datetime.timedelta(days=10),
        )
    return restriction.pk


def violation_without_case(library: Library) -> int:
    """A staff violation of ``library`` with no open case, for opening one."""
    entry = (
        LogEntry.objects.filter(library=library, kind=EntryKind.STAFF_VIOLATION)
        .exclude(enforcement_cases__status=CaseStatus.OPEN)
        .order_by("pk")
        .first()
    )
    if entry is None:
        entry = log_entry(library, EntryKind.STAFF_VIOLATION, "Matrix sample violation")
    return entry.pk


def matrix_ids(people: dict[str, User], library: Library) -> dict[str, Any]:
    """URL arguments of the enforcement pages, for ``new_madrid_ids``."""
    return {
        "case_id": case_id_at(library, Stage.DETAILS),
        "lock_id": live_lock_id(library),
        "suspension_id": live_suspension_id(library),
        "restriction_id": live_restriction_id(library),
    }


# --- POST data of the matrix's writes (no arguments: they read what the kwargs made) -------


def nm() -> Library:
    return Library.objects.get(slug="new-madrid")


def open_data() -> dict[str, str]:
    return {"entry": str(violation_without_case(nm())), "details": "Forged details."}


def inform_data() -> dict[str, str]:
    return {"inform-people": str(User.objects.get(username="tpatel").pk)}


def suspension_end_data() -> dict[str, str]:
    pk = live_suspension_id(nm())
    return {f"end{pk}-reason": "Forged."}


def restriction_lift_data() -> dict[str, str]:
    pk = live_restriction_id(nm())
    return {f"lift{pk}-reason": "Forged."}
