"""Checks of the software (CC-4, LV-6, LV-10): everything installed was approved before it
was installed, and every installed program is licensed (no expired license, no more
installations than seats).  Two queries for any number of libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.when import day
from bookwarden.software.models import Installation, RequestStatus, Software

from . import CheckResult, Evidence, check, failing, operating, percent, plural


@check(
    "software-approved",
    title="Software installed only after its approval",
    hint="Record the library's approved software and the requests to install it under IT.",
)
def software_approved(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """CC-4, LV-6: each installation in place came from a request approved (by the
    technology coordinator or the director) on or before the day it was installed."""
    rows: dict[int, list[Installation]] = {lib.pk: [] for lib in libraries}
    for inst in (
        Installation.objects.current()
        .filter(library__in=libraries)
        .select_related("software", "device", "request")
        .order_by("device__name")
    ):
        rows[inst.library_id].append(inst)
    results: dict[int, CheckResult] = {}
    for library_id, installations in rows.items():
        if not installations:
            continue
        unapproved = [
            i
            for i in installations
            if i.request.status != RequestStatus.APPROVED
            or i.request.decided_at is None
            or timezone.localdate(i.request.decided_at) > i.installed_on
        ]
        ok = len(installations) - len(unapproved)
        evidence = (
            Evidence("Installations in place", len(installations), reverse("software:list")),
            Evidence("Approved before they were installed", ok, reverse("software:queue")),
            *(
                Evidence(
                    f"{i.software} on {i.device}",
                    url=reverse("software:request", args=[i.request_id]),
                )
                for i in unapproved[:10]
            ),
        )
        summary = (
            f"{ok} of {plural(len(installations), 'installation')} "
            f"({percent(ok, len(installations))}) approved before they were installed."
        )
        results[library_id] = (
            failing(
                summary,
                [
                    f"{i.software} on {i.device} was installed without an approval first."
                    for i in unapproved[:10]
                ],
                evidence,
                measure=ok / len(installations),
            )
            if unapproved
            else operating(summary, evidence, measure=1.0)
        )
    return results


@check(
    "software-licensed",
    title="Installed software is licensed",
    hint="Record the library's software with its license (kind, seats, expiry) under IT.",
)
def software_licensed(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """LV-10: no installed program has an expired license or more installations than its
    seats."""
    today = timezone.localdate(now)
    rows: dict[int, list[Software]] = {lib.pk: [] for lib in libraries}
    for sw in (
        Software.objects.filter(library__in=libraries)
        .annotate(in_use=Count("installations", filter=Q(installations__removed_on__isnull=True)))
        .order_by("name")
    ):
        rows[sw.library_id].append(sw)
    results: dict[int, CheckResult] = {}
    for library_id, programs in rows.items():
        used = [s for s in programs if s.in_use]  # type: ignore[attr-defined]
        if not used:
            continue
        expired = [s for s in used if s.expired(today)]
        over = [s for s in used if s.per_seat and s.seats is not None and s.in_use > s.seats]  # type: ignore[attr-defined]
        failures = [f"{s}: its license expired on {day(s.license_expires_on)}." for s in expired]
        failures += [
            f"{s}: installed on {s.in_use} devices for {plural(s.seats or 0, 'seat')}."  # type: ignore[attr-defined]
            for s in over
        ]
        bad = {s.pk for s in expired + over}
        evidence = (
            Evidence("Programs installed", len(used), reverse("software:list")),
            *(
                Evidence(str(s), url=reverse("software:detail", args=[s.pk]))
                for s in used
                if s.pk in bad
            ),
        )
        ok = len(used) - len(bad)
        summary = f"{ok} of {plural(len(used), 'installed program')} licensed for their use."
        results[library_id] = (
            failing(summary, failures, evidence, measure=ok / len(used))
            if failures
            else operating(summary, evidence, measure=1.0)
        )
    return results
