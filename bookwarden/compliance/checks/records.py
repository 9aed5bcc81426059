"""Checks of the patrons' library records (CR-6a, CR-5, NM-1, CR-5d, CR-5i, CR-2): kept no
longer than the retention rules allow, with the nightly runs and the proof that no link
outlives its rule; every opening of a patron's records made by a named person for a stated
purpose, the custodian's purposes by the custodian only.  Counts only: never a patron.  A few
queries for any number of libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse

from bookwarden.core.models import Library, Membership
from bookwarden.core.roles import Role
from bookwarden.patrons.models import RecordOpening
from bookwarden.patrons.models_retention import RetentionProof, RetentionRun, RunStatus
from bookwarden.patrons.record_access import Purpose

from . import CheckResult, Evidence, check, failing, operating, plural

#: The nightly run and proof may be this old before the control fails.
FRESH = datetime.timedelta(days=2)
CUSTODIAN_PURPOSES = (Purpose.LAST_BORROWER, Purpose.INVESTIGATION)
CUSTODIAN_ROLES = (Role.DIRECTOR, Role.DESIGNEE)
YEAR = datetime.timedelta(days=365)


def _covers(row_library_id: int | None, library: Library) -> bool:
    return row_library_id is None or row_library_id == library.pk


@check(
    "retention-runs",
    title="Library records deleted or anonymized on schedule",
    hint="Let the nightly retention job run (bookwarden jobs), or run "
    "bookwarden retention run: each run is kept as evidence.",
)
def retention_runs(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """CR-6a: a retention run covering the library completed within two days, and the last
    one did not fail."""
    runs = list(
        RetentionRun.objects.filter(
            Q(library__in=libraries) | Q(library__isnull=True),
            dry_run=False,
            started_at__gte=now - datetime.timedelta(days=35),
        ).order_by("-started_at", "-pk")
    )
    results: dict[int, CheckResult] = {}
    for library in libraries:
        mine = [r for r in runs if _covers(r.library_id, library)]
        if not mine:
            continue
        last = mine[0]
        completed = [r for r in mine if r.status == RunStatus.COMPLETED]
        changed = sum(
            sum(v.get("count", 0) for v in (r.details.get(library.slug) or {}).values())
            for r in completed
        )
        evidence = (
            Evidence("Retention runs in the last 35 days", len(mine), when=last.started_at),
            Evidence("Records deleted or anonymized by them", changed),
        )
        failures = []
        if last.status in (RunStatus.FAILED, RunStatus.REFUSED, RunStatus.ABANDONED):
            failures.append(
                f"The last retention run did not finish: {last.get_status_display().lower()}."
            )
        if not completed or (completed[0].finished_at or completed[0].started_at) < now - FRESH:
            failures.append("No retention run completed in the last two days.")
        summary = f"{plural(len(completed), 'retention run')} completed in the last 35 days."
        results[library.pk] = (
            failing(summary, failures, evidence, measure=changed)
            if failures
            else operating(summary, evidence, measure=changed)
        )
    return results


@check(
    "retention-proof",
    title="Proof that no patron link is kept longer than its rule",
    hint="Let the nightly retention proof run, or run bookwarden retention prove.",
)
def retention_proof(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """CR-6a, CC-8: the newest proof covering the library (within two days) found no link
    of the library past its rule, and no link nobody reviewed."""
    proofs = list(
        RetentionProof.objects.filter(
            Q(library__in=libraries) | Q(library__isnull=True), taken_at__gte=now - YEAR
        ).order_by("-taken_at", "-pk")[: 40 + 2 * len(libraries)]
    )
    results: dict[int, CheckResult] = {}
    for library in libraries:
        proof = next((p for p in proofs if _covers(p.library_id, library)), None)
        if proof is None:
            continue
        found = [
            f for f in proof.findings if f.get("library") in (None, library.slug) and f.get("count")
        ]
        evidence = (
            Evidence("Latest proof", when=proof.taken_at),
            Evidence("Tables and columns checked", len(proof.checked or [])),
            Evidence("Links found past their rule or unreviewed", sum(f["count"] for f in found)),
        )
        failures = [
            f"{f['count']} in {f['table']}.{f['column']}: "
            + ("past its rule." if f.get("kind") == "past_rule" else "no rule covers it.")
            for f in found[:10]
        ]
        if proof.error:
            failures.append(proof.error)
        if proof.taken_at < now - FRESH:
            failures.append("The latest proof is more than two days old.")
        summary = (
            "The latest proof found no patron link kept too long."
            if not found
            else f"The latest proof found {plural(len(found), 'place')} with links kept too long."
        )
        results[library.pk] = (
            failing(summary, failures, evidence, measure=sum(f["count"] for f in found))
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results


@check(
    "record-openings-purposed",
    title="Patron records opened only by named staff, for a stated purpose",
    hint="Patron records are opened through Bookwarden's record pages, which ask for the "
    "purpose and keep each opening: open them there.",
)
def record_openings(libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
    """CR-5, NM-1, CR-5d, CR-5i: every opening of the last year names who opened the
    records and why; openings for a custodian's purpose (last borrower, investigation) were
    made by the director or the designee."""
    rows = list(
        RecordOpening.objects.filter(patron__library__in=libraries, opened_at__gte=now - YEAR)
        .values("patron__library_id", "purpose", "opened_by_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    custodians = set(
        Membership.objects.filter(library__in=libraries, role__in=CUSTODIAN_ROLES).values_list(
            "library_id", "user_id"
        )
    )
    results: dict[int, CheckResult] = {}
    for library in libraries:
        mine = [r for r in rows if r["patron__library_id"] == library.pk]
        if not mine:
            continue
        total = sum(r["n"] for r in mine)
        nameless = sum(r["n"] for r in mine if r["opened_by_id"] is None or not r["purpose"])
        not_custodian = sum(
            r["n"]
            for r in mine
            if r["purpose"] in CUSTODIAN_PURPOSES
            and (library.pk, r["opened_by_id"]) not in custodians
        )
        by_custodian = sum(r["n"] for r in mine if r["purpose"] in CUSTODIAN_PURPOSES)
        evidence = (
            Evidence("Openings of patron records in the last year", total, reverse("audit:list")),
            Evidence("For a last borrower or an investigation (custodian only)", by_custodian),
        )
        failures = []
        if nameless:
            failures.append(f"{plural(nameless, 'opening')} without a named person or purpose.")
        if not_custodian:
            failures.append(
                f"{plural(not_custodian, 'opening')} for a custodian's purpose by someone "
                "who is not the custodian."
            )
        summary = (
            f"{plural(total, 'opening')} of patron records in the last year, "
            "each with its person and purpose."
        )
        results[library.pk] = (
            failing(
                f"{nameless + not_custodian} of {plural(total, 'opening')} not as the policy says.",
                failures,
                evidence,
                measure=nameless + not_custodian,
            )
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results
