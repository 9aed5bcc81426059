"""Checks of the library's devices (CC-7, CR-6d, CC-3): every device patched within the
library's target, computers with a firewall and antivirus, remote access signed in and
encrypted; each branch's public computers checked every week to forget their users.  A few
queries for any number of libraries and devices."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Branch, Library
from bookwarden.core.when import day, zone_of
from bookwarden.devices.actions import week_of
from bookwarden.devices.models import Device, DeviceKind, PublicComputerCheck
from bookwarden.devices.overdue import patch_targets

from . import CheckResult, Evidence, check, failing, listed, operating, percent, plural

#: Devices that run an operating system of their own: they need a firewall and antivirus.
COMPUTERS = frozenset({DeviceKind.STAFF_COMPUTER, DeviceKind.PUBLIC_COMPUTER, DeviceKind.SERVER})
#: Weeks of public-computer checks looked at.
WEEKS = 4


def _today(library: Library, now: datetime.datetime) -> datetime.date:
    return timezone.localtime(now, zone_of(library)).date()


@check(
    "devices-protected",
    title="Devices patched, protected, and reached remotely only with sign-in and encryption",
    hint="Record the library's devices under IT (or import them), with their last patch, "
    "firewall, antivirus and remote access.",
)
def devices_protected(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-7: every device in service patched within the target; each computer with firewall
    and antivirus; any remote access authenticated and encrypted."""
    targets = patch_targets(lib.pk for lib in libraries)
    devices: dict[int, list[Device]] = {lib.pk: [] for lib in libraries}
    for d in Device.objects.in_service().filter(library__in=libraries).order_by("name"):
        devices[d.library_id].append(d)
    results: dict[int, CheckResult] = {}
    for library in libraries:
        rows = devices[library.pk]
        if not rows:
            continue
        limit = _today(library, now) - datetime.timedelta(days=targets[library.pk])
        unpatched = [d for d in rows if d.last_patched_on is None or d.last_patched_on < limit]
        unprotected = [d for d in rows if d.kind in COMPUTERS and not (d.firewall and d.antivirus)]
        remote = [d for d in rows if d.remote_access_problem]
        bad = {d.pk for d in unpatched + unprotected + remote}
        failures = []
        if unpatched:
            failures.append(
                f"{plural(len(unpatched), 'device is', 'devices are')} not patched within "
                f"{targets[library.pk]} days: {listed([d.name for d in unpatched])}."
            )
        failures.extend(f"{d.name}: {d.protection}." for d in unprotected[:10])
        failures.extend(f"{d.name}: {d.remote_access_problem}" for d in remote[:10])
        ok = len(rows) - len(bad)
        evidence = (
            Evidence("Devices in service", len(rows), reverse("devices:list")),
            Evidence(
                f"Patched within {targets[library.pk]} days",
                len(rows) - len(unpatched),
                reverse("devices:patches", args=[library.slug]),
            ),
            *(
                Evidence(d.name, url=reverse("devices:detail", args=[d.pk]))
                for d in rows
                if d.pk in bad
            ),
        )
        summary = (
            f"{ok} of {plural(len(rows), 'device')} ({percent(ok, len(rows))}) "
            "patched and protected."
        )
        results[library.pk] = (
            failing(summary, failures, evidence[:12], measure=ok / len(rows))
            if failures
            else operating(summary, evidence, measure=1.0)
        )
    return results


@check(
    "public-computers-checked",
    title="Public computers checked every week to forget their users",
    hint="Record the library's public computers under IT, then each week's check that "
    "they keep no history, cookies, files or sessions.",
)
def public_computers_checked(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CR-6d, CC-3: each branch with public computers was checked in each of the last four
    weeks (this week's may still come), and the last check passed."""
    branches: dict[int, dict[int, Branch]] = {lib.pk: {} for lib in libraries}
    for b in (
        Branch.objects.filter(
            library__in=libraries,
            devices__kind=DeviceKind.PUBLIC_COMPUTER,
            devices__retired_at__isnull=True,
        )
        .distinct()
        .order_by("name")
    ):
        branches[b.library_id][b.pk] = b
    earliest = timezone.localdate(now) - datetime.timedelta(weeks=WEEKS + 1)
    checks: dict[int, list[PublicComputerCheck]] = {}
    for c in PublicComputerCheck.objects.filter(
        library__in=libraries, week_of__gte=earliest
    ).order_by("checked_at"):
        checks.setdefault(c.branch_id, []).append(c)
    results: dict[int, CheckResult] = {}
    for library in libraries:
        if not branches[library.pk]:
            continue
        this_week = week_of(_today(library, now))
        weeks = [this_week - datetime.timedelta(weeks=n) for n in range(1, WEEKS + 1)]
        failures = []
        checked = 0
        for branch in branches[library.pk].values():
            done = checks.get(branch.pk, [])
            done_weeks = {c.week_of for c in done}
            missed = [w for w in weeks if w not in done_weeks]
            checked += WEEKS - len(missed)
            if missed:
                weeks_of = listed([day(w) for w in sorted(missed)])
                failures.append(
                    f"{branch.name}: no check in the week of {weeks_of}."
                    if len(missed) == 1
                    else f"{branch.name}: no check in the {len(missed)} weeks of {weeks_of}."
                )
            if done and not done[-1].passed:
                failures.append(
                    f"{branch.name}: the last check, {day(done[-1].week_of)}, did not pass."
                )
        expected = WEEKS * len(branches[library.pk])
        evidence = (
            Evidence(
                "Branches with public computers",
                len(branches[library.pk]),
                reverse("devices:checks"),
            ),
            Evidence(f"Weekly checks made over the last {WEEKS} weeks", checked),
        )
        summary = (
            f"{checked} of {expected} weekly checks ({percent(checked, expected)}) "
            f"made over the last {WEEKS} weeks."
        )
        results[library.pk] = (
            failing(summary, failures, evidence, measure=checked / expected)
            if failures
            else operating(summary, evidence, measure=1.0)
        )
    return results
