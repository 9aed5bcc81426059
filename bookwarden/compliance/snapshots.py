"""The daily snapshots of every control at every library (CC-8): the history of 12 months
that a control's page, the dashboard and the board report read.  Written by the daily job
``compliance_snapshots``: one row per library, control and day, written again (not added)
when the job runs twice the same day."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from bookwarden.core.models import Library

from .controls import ControlResult, evaluate
from .models import ControlSnapshot

#: Libraries evaluated together (each check runs once per batch).
BATCH = 50
MAX_SUMMARY = 500


def snapshot_rows(
    library: Library, day: datetime.date, results: Sequence[ControlResult]
) -> list[ControlSnapshot]:
    rows = []
    for r in results:
        measures = [c.measure for c in r.checks if c.measure is not None]
        rows.append(
            ControlSnapshot(
                library=library,
                day=day,
                control_id=r.control.id,
                status=r.status,
                measure=min(measures) if measures else None,
                summary=" ".join(c.summary for c in r.checks)[:MAX_SUMMARY],
            )
        )
    return rows


def write_snapshots(
    *, now: datetime.datetime | None = None, libraries: Sequence[Library] | None = None
) -> int:
    """Snapshot every control of every library (or of ``libraries``) for today; returns how
    many rows were written.  Safe to run twice: the day's rows are replaced."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    every = list(libraries if libraries is not None else Library.objects.order_by("pk"))
    written = 0
    for start in range(0, len(every), BATCH):
        batch = every[start : start + BATCH]
        results = evaluate(batch, now=now)
        rows = [row for lib in batch for row in snapshot_rows(lib, day, results[lib.pk])]
        with transaction.atomic():
            ControlSnapshot.objects.filter(library__in=batch, day=day).delete()
            ControlSnapshot.objects.bulk_create(rows)
        written += len(rows)
    return written
