"""Checks of the people and their roles (CC-1, CC-2, CR-2h): leavers' access ended on their
last day, contractors' access limited in time, every account reviewed on schedule, the roles
the policies name held by someone, the custodian of library records named.  A few queries for
any number of libraries and people."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library, Membership
from bookwarden.core.roles import Role
from bookwarden.core.when import day
from bookwarden.people.models import (
    DEFAULT_REVIEW_MONTHS,
    AccountReview,
    AccountReviewSettings,
    Departure,
)
from bookwarden.training.cycles import add_months

from . import CheckResult, Evidence, check, failing, listed, operating, plural, shared

#: The roles the policies name, which a library must have someone in (CC-2, CC-9, IT-9).
NAMED_ROLES = (Role.DIRECTOR, Role.TECH_COORDINATOR, Role.HUMAN_RESOURCES)


def _roles(libraries: Sequence[Library], today: datetime.date) -> dict[int, list[Membership]]:
    return shared(
        ("roles", tuple(lib.pk for lib in libraries), today), lambda: _read_roles(libraries, today)
    )


def _read_roles(libraries: Sequence[Library], today: datetime.date) -> dict[int, list[Membership]]:
    found: dict[int, list[Membership]] = {lib.pk: [] for lib in libraries}
    for m in (
        Membership.objects.active(today)
        .filter(library__in=libraries)
        .select_related("user")
        .order_by("pk")
    ):
        found[m.library_id].append(m)
    return found


@check(
    "leavers-access-ended",
    title="Leavers lose their access on their last day; contractors' access expires",
    hint="Record each person's last day under People: their access then ends that day.",
)
def leavers_access_ended(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-1: no recorded departure is past its last day with access still open, and every
    contractor's role carries an end date."""
    today = timezone.localdate(now)
    departures: dict[int, list[Departure]] = {lib.pk: [] for lib in libraries}
    for d in (
        Departure.objects.filter(library__in=libraries, cancelled_at__isnull=True)
        .filter(last_day__gte=today - datetime.timedelta(days=365))
        .select_related("user")
        .order_by("last_day")
    ):
        departures[d.library_id].append(d)
    roles = _roles(libraries, today)
    results: dict[int, CheckResult] = {}
    for library in libraries:
        gone = departures[library.pk]
        contractors = [m for m in roles[library.pk] if m.role == Role.CONTRACTOR]
        if not gone and not contractors:
            continue
        open_late = [d for d in gone if d.ended_at is None and d.last_day < today]
        endless = [m for m in contractors if m.ends_on is None]
        failures = [
            f"{d.user} left on {day(d.last_day)} and still has access." for d in open_late[:10]
        ]
        if endless:
            failures.append(
                f"{plural(len(endless), 'contractor has', 'contractors have')} no end date: "
                f"{listed(sorted(str(m.user) for m in endless))}."
            )
        evidence = (
            Evidence("Departures of the last year", len(gone), reverse("people:departures")),
            Evidence("Access ended on the last day", sum(d.ended_at is not None for d in gone)),
            Evidence(
                "Contractors with access",
                len(contractors),
                reverse("staff_list", args=[library.slug]),
            ),
        )
        summary = (
            f"{plural(len(gone), 'departure')} in the last year, "
            f"{plural(len(open_late), 'one', 'ones')} with access still open; "
            f"{plural(len(contractors), 'contractor')}, {len(endless)} without an end date."
        )
        results[library.pk] = (
            failing(summary, failures, evidence, measure=len(open_late) + len(endless))
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results


@check(
    "accounts-reviewed",
    title="Every account reviewed on schedule",
    hint="Start an account review under People: the director confirms or ends each account.",
)
def accounts_reviewed(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-1: the last finished review of every account is within the library's period."""
    today = timezone.localdate(now)
    every = dict(
        AccountReviewSettings.objects.filter(library__in=libraries).values_list(
            "library_id", "every_months"
        )
    )
    last = dict(
        AccountReview.objects.filter(library__in=libraries, finished_at__isnull=False)
        .values("library_id")
        .annotate(last=Max("finished_at"))
        .values_list("library_id", "last")
        .order_by()
    )
    results: dict[int, CheckResult] = {}
    for library in libraries:
        finished = last.get(library.pk)
        if finished is None:
            continue
        months = every.get(library.pk, DEFAULT_REVIEW_MONTHS)
        due = add_months(timezone.localdate(finished), months)
        evidence = (
            Evidence("Last account review finished", url=reverse("people:reviews"), when=finished),
        )
        summary = (
            f"The last review of every account finished {day(finished)}; "
            f"the next is due {day(due)}."
        )
        results[library.pk] = (
            failing(
                summary,
                [f"The account review was due on {day(due)} (every {plural(months, 'month')})."],
                evidence,
                measure=(today - due).days,
            )
            if due < today
            else operating(summary, evidence, measure=0)
        )
    return results


@check(
    "roles-named",
    title="The roles the policies name are held",
    hint="Give the director, technology coordinator and human resources roles to people.",
)
def roles_named(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """CC-2: someone holds the director's, the technology coordinator's and human resources'
    role (the three told of every incident, CC-9)."""
    today = timezone.localdate(now)
    results: dict[int, CheckResult] = {}
    roles = _roles(libraries, today)
    for library in libraries:
        held = {m.role for m in roles[library.pk]}
        if not held:
            continue
        missing = [Role(r).label for r in NAMED_ROLES if r not in held]
        evidence = (
            Evidence(
                "People with a role",
                len({m.user_id for m in roles[library.pk]}),
                reverse("staff_list", args=[library.slug]),
            ),
            *(
                Evidence(
                    f"{Role(r).label}: "
                    + listed(sorted({str(m.user) for m in roles[library.pk] if m.role == r}))
                )
                for r in NAMED_ROLES
                if r in held
            ),
        )
        summary = (
            "Each role the policies name is held."
            if not missing
            else f"{plural(len(missing), 'role')} the policies name "
            f"{'is' if len(missing) == 1 else 'are'} held by no one."
        )
        results[library.pk] = (
            failing(
                summary,
                [f"No one holds the role: {r}." for r in missing],
                evidence,
                measure=len(missing),
            )
            if missing
            else operating(summary, evidence, measure=0)
        )
    return results


@check(
    "custodian-named",
    title="The custodian of library records is named",
    hint="Give the director's role (or the custodian designee's) to a person.",
)
def custodian_named(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """CR-2h: the library has a director (custodian of library records) or a designee."""
    today = timezone.localdate(now)
    roles = _roles(libraries, today)
    results: dict[int, CheckResult] = {}
    for library in libraries:
        if not roles[library.pk]:
            continue
        custodians = sorted(
            {str(m.user) for m in roles[library.pk] if m.role in (Role.DIRECTOR, Role.DESIGNEE)}
        )
        evidence = (
            Evidence(
                f"Custodians: {listed(custodians) or 'none'}",
                len(custodians),
                reverse("staff_list", args=[library.slug]),
            ),
        )
        results[library.pk] = (
            operating(
                f"The custodian of library records: {listed(custodians)}.",
                evidence,
                measure=len(custodians),
            )
            if custodians
            else failing(
                "No custodian of library records is named.",
                ["No one holds the director's or the custodian designee's role."],
                evidence,
                measure=0,
            )
        )
    return results
