"""Checks of the third parties (NM-3, CR-5h): every vendor under contract reviewed for
privacy within a year, and each listed with the patron data it receives and where (the data
map).  One query for any number of libraries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.when import day
from bookwarden.vendors.models import Vendor

from . import CheckResult, Evidence, check, failing, listed, operating, percent, plural


def _vendors(libraries: Sequence[Library], today: datetime.date) -> dict[int, list[Vendor]]:
    found: dict[int, list[Vendor]] = {lib.pk: [] for lib in libraries}
    for v in (
        Vendor.objects.current(today)
        .filter(library__in=libraries)
        .prefetch_related("branches")
        .order_by("name")
    ):
        found[v.library_id].append(v)
    return found


@check(
    "vendors-reviewed",
    title="Vendors' privacy terms reviewed within a year",
    hint="List the vendors that receive patron data under IT, Vendors, with a review of "
    "each one's privacy terms.",
)
def vendors_reviewed(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """NM-3, CR-5h: each vendor under contract was reviewed and its next review is not past."""
    today = timezone.localdate(now)
    results: dict[int, CheckResult] = {}
    for library_id, vendors in _vendors(libraries, today).items():
        if not vendors:
            continue
        due = [v for v in vendors if v.review_overdue(today)]
        ok = len(vendors) - len(due)
        evidence = (
            Evidence("Vendors under contract", len(vendors), reverse("vendors:list")),
            *(Evidence(v.name, url=reverse("vendors:detail", args=[v.pk])) for v in due[:10]),
        )
        summary = (
            f"{ok} of {plural(len(vendors), 'vendor')} ({percent(ok, len(vendors))}) "
            "reviewed within their period."
        )
        results[library_id] = (
            failing(
                summary,
                [
                    f"{v.name}: never reviewed."
                    if v.next_review_on is None
                    else f"{v.name}: the review was due on {day(v.next_review_on)}."
                    for v in due[:10]
                ],
                evidence,
                measure=ok / len(vendors),
            )
            if due
            else operating(summary, evidence, measure=1.0)
        )
    return results


@check(
    "data-map-complete",
    title="Each vendor listed with the patron data it receives and where",
    hint="List the vendors that receive patron data under IT, Vendors: the data map is "
    "drawn from them.",
)
def data_map_complete(
    libraries: Sequence[Library], now: datetime.datetime
) -> dict[int, CheckResult]:
    """NM-3, CR-5h: every vendor under contract names the categories of patron data it
    receives (or none) and the branches, and its privacy terms are on file."""
    today = timezone.localdate(now)
    results: dict[int, CheckResult] = {}
    for library_id, vendors in _vendors(libraries, today).items():
        if not vendors:
            continue
        no_terms = [v for v in vendors if not (v.terms_url or v.terms_document)]
        no_branches = [v for v in vendors if not v.all_branches and not list(v.branches.all())]
        failures = []
        if no_terms:
            failures.append(f"No privacy terms on file for {listed([v.name for v in no_terms])}.")
        if no_branches:
            failures.append(f"No branch named for {listed([v.name for v in no_branches])}.")
        receiving = sum(bool(v.data_categories) for v in vendors)
        evidence = (
            Evidence("Vendors on the data map", len(vendors), reverse("vendors:data_map")),
            Evidence("Of them, receiving patron data", receiving),
        )
        summary = (
            f"{plural(len(vendors), 'vendor')} on the data map, {receiving} receiving patron data."
        )
        results[library_id] = (
            failing(summary, failures, evidence, measure=len(no_terms) + len(no_branches))
            if failures
            else operating(summary, evidence, measure=0)
        )
    return results
