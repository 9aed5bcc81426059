"""The compliance part of the demo (CC-8): a control marked not applicable, a few answers to
the ALA checklists, and a year of daily snapshots, so that each control's history, the
dashboard and the board report are full.  The statuses come from what the other parts of the
demo built (a branch behind on training, a shared login overdue for its change, a policy past
its review): nothing here makes a control fail."""

from __future__ import annotations

import datetime

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Library
from bookwarden.patrons.retention import run_retention
from bookwarden.patrons.retention_proof import take_proof

from . import actions
from .controls import evaluate
from .models import Answer, ControlSnapshot
from .snapshots import snapshot_rows

#: The ALA items the New Madrid director has answered.
ANSWERS = (
    (
        "ala-overview-certificates-valid",
        Answer.YES,
        "The website and the catalog renew their certificates automatically; checked in March.",
    ),
    (
        "ala-overview-paper-destroyed",
        Answer.PARTLY,
        "Sign-in sheets are shredded weekly at the main library; the branches keep them a month.",
    ),
    ("ala-public-signage", Answer.NO, "No sign yet explains the public Wi-Fi's privacy risks."),
    ("ala-web-https", Answer.YES, "Every page of the website and catalog is served over HTTPS."),
    (
        "ala-k12-procedures",
        Answer.NOT_APPLICABLE,
        "The library serves no school: the school district keeps its own libraries.",
    ),
)
MONTHS = 12
#: The last days of the history with a snapshot each; before them, one a week.
DAILY_DAYS = 31


def build_compliance_demo(world: DemoWorld, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    director = world.people["director"]
    new_madrid = Library.objects.get(slug="new-madrid")
    actions.mark_not_applicable(
        actor=director,
        library=new_madrid,
        control_id="camera-recordings",
        reason="New Madrid County Library has no security cameras in any of its branches.",
    )
    for control_id, answer, note in ANSWERS:
        actions.answer_item(
            actor=director, library=new_madrid, control_id=control_id, answer=answer, note=note
        )
    # The nightly retention run and proof, as their jobs make them (CR-6a): their evidence is
    # a control's.  The demo's records are all within their rules, so the run removes nothing.
    run_retention()
    take_proof(now=now)
    return write_history(list(Library.objects.order_by("pk")), now)


def history_days(today: datetime.date, months: int = MONTHS) -> list[datetime.date]:
    """The days the demo's history has a snapshot: every day of the last month, and every
    seventh day before it, back ``months`` months (what the daily job would have left, thinned
    to keep the demo quick to build)."""
    start = today - datetime.timedelta(days=round(months * 30.44))
    days = [today - datetime.timedelta(days=n) for n in range(DAILY_DAYS)]
    day = days[-1] - datetime.timedelta(days=7)
    while day >= start:
        days.append(day)
        day -= datetime.timedelta(days=7)
    return days


def write_history(libraries: list[Library], now: datetime.datetime, months: int = MONTHS) -> int:
    """Snapshots over the last ``months`` months (:func:`history_days`): the controls
    evaluated as they stood at the end of each month (one evaluation per month), written for
    each of its days."""
    today = timezone.localdate(now)
    days = history_days(today, months)
    rows: list[ControlSnapshot] = []
    by_month: dict[tuple[int, int], list[datetime.date]] = {}
    for day in days:
        by_month.setdefault((day.year, day.month), []).append(day)
    for month_days in by_month.values():
        last = max(month_days)
        results = evaluate(libraries, now=now - datetime.timedelta(days=(today - last).days))
        for day in month_days:
            for library in libraries:
                rows.extend(snapshot_rows(library, day, results[library.pk]))
    ControlSnapshot.objects.filter(library__in=libraries, day__gte=min(days)).delete()
    ControlSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@demo_part(order=90)
def _compliance_part(world: DemoWorld) -> None:
    build_compliance_demo(world)
