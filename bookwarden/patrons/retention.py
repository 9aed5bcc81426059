"""Retention of library records (CR-6a): keep nothing longer than needed, then unlink or delete.

Rules
    One rule per library and record type, checked so that nothing is kept forever:
    :mod:`bookwarden.patrons.retention_rules` (``set_retention_rule`` changes one).

Runs
    :func:`run_retention` (``bookwarden retention run``) first reads and checks every rule of
    every library in scope and every table that links to a patron; any problem stops the run
    before a single row is touched (fail closed, unlike Evergreen's keep-everything default).
    Then, per library and record type, it walks the qualifying rows in primary-key order, a
    chunk at a time: select the chunk's ids, then one ``UPDATE ... SET patron_id = NULL`` or
    one ``DELETE`` over that id range with the rule's conditions repeated.  Each chunk is one
    transaction with its evidence: the statement, the run's counts so far and a
    ``retention.chunk`` audit event naming the library, the record type and the number of
    rows (LV-3: every committed change is in the audit log, even if the process is then
    killed).  The rows are the only state of the work: a killed run leaves whole chunks done
    and a rerun continues; a second run finds nothing (idempotent).  Each run is stored as a
    :class:`RetentionRun` with per-type counts, and ends with one ``retention.run`` audit
    event per library with that library's counts (never contents).  One run at a time holds
    the retention lock (:mod:`~bookwarden.patrons.retention_lock`); a run that starts marks
    any run still ``running`` as abandoned (its process died), with a
    ``retention.run_abandoned`` event.

Side tables that could re-identify a patron (the Koha leaks, LAW.md)
    * Room bookings: unlinking also clears the contact name and phone given for the booking,
      which would otherwise name the person.
    * Sessions: expired sessions (a portal session holds a patron id) are deleted by every
      full run.
    * The audit log is append-only and cannot be edited.  It holds ids and types only (which
      patron's records were opened, for what purpose, which kinds of records), never titles,
      search terms or questions, and never the id of a loan, search or question; so once a
      record is unlinked or deleted, nothing in the log says what the patron used.
    * Cards stay linked to their patron: a card is registration, not a record of use, and a
      card reported lost or stolen must remain on file so that it never counts as consent
      again (CR-5b).  A deleted patron's cards go with the patron (the model cascades).
    * Guardians stay linked: that is who the patron is, not what they used.
    * Every other link (sent notices naming a patron, record openings, disclosure packets,
      job runs) has a rule in :mod:`~bookwarden.patrons.retention_side_links`; the run
      removes what is past it, chunk by chunk like a record type.
    * Any other column that links to a patron must be listed in :data:`PATRON_LINKS_REVIEWED`
      with the reason it is kept; an unlisted one stops every run (fail closed), so a table
      added later cannot become an unnoticed last-borrower table.  The retention proof
      (:mod:`~bookwarden.patrons.retention_proof`) checks the same and more.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library

from .models import HoldStatus, Patron
from .models_retention import RetentionAction, RetentionRun, RunStatus
from .records import RECORD_TYPES
from .retention_lock import retention_lock
from .retention_rules import (
    RetentionConfigError,
    Rule,
    effective_rules,
    format_after,
    load_defaults,
)
from .retention_side_links import SIDE_LINK_RULES, run_side_steps

DEFAULT_CHUNK_SIZE = 20_000  # about 0.4 s of work per transaction; smaller chunks cost more

#: Every column outside the record types that links to a patron, and why it is kept: the
#: reasons of :data:`~.retention_side_links.SIDE_LINK_RULES`, where each also says how long.
PATRON_LINKS_REVIEWED: dict[str, str] = {
    key: f"{rule.why} (kept {rule.kept}; {rule.requirement})"
    for key, rule in SIDE_LINK_RULES.items()
}


def unreviewed_patron_links() -> list[str]:
    """Columns that link to a patron and are neither a record type's ``patron`` nor listed
    in :data:`PATRON_LINKS_REVIEWED`."""
    record_models = {rt.model for rt in RECORD_TYPES.values()}
    found = []
    for model in apps.get_models():
        fields = [*model._meta.concrete_fields, *model._meta.many_to_many]
        for f in fields:
            links = (f.is_relation and f.related_model is Patron) or f.name in (
                "patron",
                "patron_id",
            )
            if not links or (model in record_models and f.name == "patron"):
                continue
            key = f"{model._meta.label_lower}.{f.name}"
            if key not in PATRON_LINKS_REVIEWED:
                found.append(key)
    return sorted(found)


# -- What qualifies, per record type --------------------------------------------------------


def _qualifying(key: str, library_id: int, cutoff: datetime.datetime) -> Q:
    """The rows of ``key`` whose retention period is over."""
    if key == "loans":
        history_kept = Patron.objects.filter(keeps_reading_history=True).values("pk")
        return Q(
            returned_at__isnull=False, returned_at__lte=cutoff, amount_owed__lte=Decimal(0)
        ) & ~Q(patron_id__in=history_kept)
    if key == "holds":
        return Q(status__in=[HoldStatus.FULFILLED, HoldStatus.CANCELLED]) & (
            Q(closed_at__lte=cutoff) | Q(closed_at__isnull=True, placed_at__lte=cutoff)
        )
    if key == "searches":
        return Q(searched_at__lte=cutoff)
    if key == "reference":
        return Q(answered_at__isnull=False, answered_at__lte=cutoff)
    if key == "computer_sessions":
        return Q(ended_at__lte=cutoff) | Q(ended_at__isnull=True, started_at__lte=cutoff)
    if key == "room_bookings":
        return Q(ends_at__lte=cutoff)
    if key == "program_registrations":
        return Q(registered_at__lte=cutoff)
    raise RetentionConfigError(f"No retention conditions for record type {key!r}")


#: What unlinking clears besides ``patron`` (columns that would name the person again).
_UNLINK_ALSO: dict[str, dict[str, Any]] = {
    "room_bookings": {"contact_name": "", "contact_phone": ""},
}


def _still_linked(key: str) -> Q:
    q = Q(patron__isnull=False)
    for name, empty in _UNLINK_ALSO.get(key, {}).items():
        q |= ~Q(**{name: empty})
    return q


def queryset_for(key: str, library_id: int, rule: Rule, now: datetime.datetime) -> models.QuerySet:
    """The rows this rule would change now (for unlink: only those still linked)."""
    return past_rule([library_id], key, rule, now)


def past_rule(
    library_ids: list[int], key: str, rule: Rule, now: datetime.datetime
) -> models.QuerySet:
    """The rows of these libraries that ``rule`` would change now: what a run changes, and
    what the retention proof counts (grouped by library)."""
    model = RECORD_TYPES[key].model
    # No person reads these rows: the run and the proof work for the installation.
    of_libraries = Q(pk__in=[])
    for library_id in library_ids:
        of_libraries |= Q(library_id=library_id)
    qs = model._unguarded.filter(  # type: ignore[attr-defined]
        of_libraries & _qualifying(key, 0, now - rule.after)
    )
    if rule.action == RetentionAction.UNLINK:
        qs = qs.filter(_still_linked(key))
    return qs


def _apply_chunk(qs: models.QuerySet, key: str, action: str, low: int, high: int) -> int:
    """One chunk's statement, inside the chunk's transaction (see :func:`apply_rule`): the
    rule's conditions are repeated in it, so a row that stopped qualifying since it was
    selected is left alone."""
    target = qs.filter(pk__gt=low, pk__lte=high)
    if action == RetentionAction.UNLINK:
        return target.update(patron=None, **_UNLINK_ALSO.get(key, {}))
    deleted, _ = target.delete()
    return deleted


def apply_rule(
    key: str,
    library_id: int,
    rule: Rule,
    *,
    now: datetime.datetime,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    dry_run: bool = False,
    on_chunk: Callable[[int], None] | None = None,
) -> int:
    """Apply one rule in chunks; returns the rows changed (or, dry, that would be).

    Each chunk is one transaction: its statement, then ``on_chunk(rows)`` (the run records
    the chunk's audit event and its counts there), so that what a chunk changes and its
    evidence commit together or not at all (LV-3)."""
    qs = queryset_for(key, library_id, rule, now)
    if dry_run:
        return qs.count()
    total, low = 0, 0
    while True:
        pks = list(qs.filter(pk__gt=low).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not pks:
            return total
        with transaction.atomic():
            changed = _apply_chunk(qs, key, rule.action, low, pks[-1])
            if on_chunk:
                on_chunk(changed)
        total += changed
        low = pks[-1]


def _delete_expired_sessions(
    now: datetime.datetime,
    chunk_size: int,
    dry_run: bool,
    on_chunk: Callable[[int], None],
) -> int:
    """Expired sessions (a portal session holds a patron id), chunk by chunk like a rule."""
    qs = Session.objects.filter(expire_date__lt=now)
    if dry_run:
        return qs.count()
    total = 0
    while True:
        keys = list(qs.order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not keys:
            return total
        with transaction.atomic():
            deleted = qs.filter(pk__in=keys).delete()[0]
            on_chunk(deleted)
        total += deleted


# -- Runs ---------------------------------------------------------------------------------


def _run_libraries(run: RetentionRun) -> list[Library]:
    """The libraries a run covers: its own, or every library."""
    if run.library_id is not None:
        return [run.library]  # type: ignore[list-item]
    return list(Library.objects.order_by("slug"))


def _library_counts(run: RetentionRun, library: Library) -> dict[str, int]:
    return {key: detail["count"] for key, detail in run.details.get(library.slug, {}).items()}


def _finish(
    run: RetentionRun, libraries: list[Library], status: str, error: str = ""
) -> RetentionRun:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["status", "error", "finished_at", "counts", "details"])
        for library in libraries:
            record(
                AuditAction.RETENTION_RUN,
                target=run,
                library=library,
                after={
                    "run": run.pk,
                    "status": status,
                    "dry_run": run.dry_run,
                    "counts": _library_counts(run, library),
                },
            )
    return run


def mark_abandoned_runs(found_by: RetentionRun) -> list[RetentionRun]:
    """Mark every other run still ``running`` as abandoned, with a
    ``retention.run_abandoned`` event per library it covered.  Called by a run that holds
    the retention lock (:mod:`~bookwarden.patrons.retention_lock`): a live run would hold
    it, so these died without a word (SIGKILL, a power cut).  Their counts are what their
    committed chunks saved, each chunk with its own ``retention.chunk`` event."""
    abandoned = list(
        RetentionRun.objects.filter(status=RunStatus.RUNNING)
        .exclude(pk=found_by.pk)
        .select_related("library")
        .order_by("pk")
    )
    for run in abandoned:
        with transaction.atomic():
            run.status = RunStatus.ABANDONED
            run.abandoned_by = found_by
            run.error = (
                f"Stopped without finishing; found by run #{found_by.pk}, which continued "
                "the work. The counts are the chunks it committed."
            )
            run.save(update_fields=["status", "abandoned_by", "error"])
            for library in _run_libraries(run):
                record(
                    AuditAction.RETENTION_RUN_ABANDONED,
                    target=run,
                    library=library,
                    after={
                        "run": run.pk,
                        "found_by_run": found_by.pk,
                        "started_at": run.started_at.isoformat(),
                        "counts": _library_counts(run, library),
                    },
                )
    return abandoned


def run_retention(
    *,
    library: Library | None = None,
    dry_run: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    defaults_path: Path | str | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> RetentionRun:
    """Apply every library's rules (or one library's).  Raises RetentionConfigError, after
    storing the refused run, when any rule is missing or invalid; RetentionBusy, having
    stored nothing, while another run holds the retention lock; re-raises any other error
    after storing the failed run with the counts of its committed chunks.

    Call it outside a transaction (as the command does), so that each chunk commits on its
    own; inside one, the chunks are savepoints that commit with the caller."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    with retention_lock():
        now = timezone.now()
        run = RetentionRun.objects.create(
            library=library, started_at=now, dry_run=dry_run, chunk_size=chunk_size
        )
        mark_abandoned_runs(found_by=run)
        return _run(run, now, defaults_path, on_chunk)


def _run(
    run: RetentionRun,
    now: datetime.datetime,
    defaults_path: Path | str | None,
    on_chunk: Callable[[int], None] | None,
) -> RetentionRun:
    libraries = _run_libraries(run)

    # 1. Read and check everything first; any problem stops the run before any row changes.
    try:
        defaults = load_defaults(defaults_path)
        plans = [(lib, effective_rules(lib, defaults)) for lib in libraries]
        unreviewed = unreviewed_patron_links()
        if unreviewed:
            raise RetentionConfigError(
                "Unreviewed columns link to patrons: "
                + ", ".join(unreviewed)
                + ". Add retention for them, or list them with a reason in "
                "bookwarden.patrons.retention.PATRON_LINKS_REVIEWED."
            )
    except RetentionConfigError as exc:
        _finish(run, libraries, RunStatus.REFUSED, str(exc))
        raise

    # 2. Apply, chunk by chunk: each chunk saves the run's counts and records its event in
    # its own transaction.
    counts: dict[str, int] = dict.fromkeys(RECORD_TYPES, 0)
    run.counts, run.details = counts, {}
    try:
        for lib, rules in plans:
            run.details[lib.slug] = {}
            for key, rule in rules.items():
                detail = {
                    "action": rule.action,
                    "after": format_after(rule.after),
                    "source": rule.source,
                    "count": 0,
                }
                run.details[lib.slug][key] = detail

                def chunk_done(
                    n: int, _lib: Library = lib, _key: str = key, _detail: dict[str, Any] = detail
                ) -> None:
                    _detail["count"] += n
                    counts[_key] += n
                    _record_chunk(run, _lib, _key, str(_detail["action"]), n)
                    if on_chunk:
                        on_chunk(n)

                n = apply_rule(
                    key,
                    lib.pk,
                    rule,
                    now=now,
                    chunk_size=run.chunk_size,
                    dry_run=run.dry_run,
                    on_chunk=chunk_done,
                )
                if run.dry_run:
                    detail["count"] = n
                    counts[key] += n
                    run.save(update_fields=["counts", "details"])
        if run.library_id is None:
            counts["expired_sessions"] = 0

            def sessions_done(n: int) -> None:
                counts["expired_sessions"] += n
                _record_chunk(run, None, "expired_sessions", RetentionAction.DELETE, n)

            n = _delete_expired_sessions(now, run.chunk_size, run.dry_run, sessions_done)
            counts["expired_sessions"] = n
        # The side links past their rules (sent notices, record openings, packets, job runs).
        run_side_steps(run, libraries, now, counts, _record_chunk)
    except BaseException as exc:  # Ctrl-C too: leave the evidence, then re-raise.
        # If the database itself is gone, the original error matters more than the record.
        with contextlib.suppress(Exception):
            # The counts of the committed chunks, not of a chunk that was rolled back.
            run.refresh_from_db(fields=["counts", "details"])
            _finish(run, libraries, RunStatus.FAILED, f"{type(exc).__name__}: {exc}")
        raise
    return _finish(run, libraries, RunStatus.COMPLETED)


def _record_chunk(
    run: RetentionRun, library: Library | None, key: str, action: str, rows: int
) -> None:
    """Inside a chunk's transaction: the run's counts so far, and the chunk's event."""
    if not rows:
        return
    run.save(update_fields=["counts", "details"])
    record(
        AuditAction.RETENTION_CHUNK,
        target=run,
        library=library,
        after={"run": run.pk, "record_type": key, "action": action, "rows": rows},
    )


# -- Changing a rule ------------------------------------------------------------------------
