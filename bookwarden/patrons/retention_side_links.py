"""The patron links kept outside the seven record types, each with its stated rule (CR-6a).

Koha kept patron links in its statistics, action logs, last-borrower and deleted-patron tables
after anonymizing (LAW.md).  Here every such link has one entry in :data:`SIDE_LINK_RULES`:
how long it is kept, why, the requirement behind it, and (where the rule has an end) which
rows are past it.  The retention run removes those rows in chunks with their audit events
(:func:`run_side_steps`, called by :func:`bookwarden.patrons.retention.run_retention`); the
retention proof (:mod:`bookwarden.patrons.retention_proof`) counts a link as allowed only
where an entry says so.

A key is ``<app>.<model>.<field>``: a column found from the models (a foreign key to
``Patron``, a field named ``patron`` or ``patron_id``, a JSON field known to hold patron ids)
or a column whose text names a patron (:data:`TEXT_LINKS_REVIEWED` says which models may).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Q

from bookwarden.core.models import Library

from .models_retention import RetentionAction, RetentionRun
from .records import RECORD_TYPES

#: Mail reasons (``queue_mail(reason=...)``) whose recipient, subject and body name a patron.
#: Mail of any reason not listed in :data:`STAFF_MAIL_REASONS` is treated the same way (fail
#: closed: a reason nobody reviewed may name a patron).
PATRON_MAIL_REASONS = frozenset({"breach.patron_notice", "disclosure_notice"})
#: Every other reason the outbox knows: mail to staff or the directors, naming no patron.
STAFF_MAIL_REASONS = frozenset(
    {
        "account.password_reset_key",
        "account.unknown_account",
        "audit.head",
        "enforcement_inform",
        "onboarding.overdue_people",
        "onboarding.reminder",
        "operations.escalation",
        "operations.incident",
        "reports.weekly_digest",
        "staff.set_password",
    }
)

PATRON_MAIL_KEPT = datetime.timedelta(days=30)
PACKET_KEPT = datetime.timedelta(days=365)
RECORD_OPENING_KEPT = datetime.timedelta(days=1)
#: What a scrubbed message says instead of its subject.
SCRUBBED_SUBJECT = "Removed by retention"


def _job_runs_kept() -> datetime.timedelta:
    return datetime.timedelta(days=float(getattr(settings, "JOBS_KEEP_DAYS", 30)))


def _model(label: str) -> Any:
    return apps.get_model(label)


# -- The rows past each rule -------------------------------------------------------------


def _stale_patron_mail(now: datetime.datetime) -> models.QuerySet:
    """Sent or failed mail that may name a patron (every reason but the staff ones), older
    than its rule, not yet scrubbed."""
    outbox = _model("mail.outboxmessage")
    cutoff = now - PATRON_MAIL_KEPT
    return outbox.objects.exclude(reason__in=STAFF_MAIL_REASONS).filter(
        Q(status__in=["sent", "failed"])
        & (Q(sent_at__lte=cutoff) | Q(sent_at__isnull=True, created_at__lte=cutoff))
        & (~Q(to=[]) | ~Q(body="") | ~Q(last_error="") | ~Q(subject=SCRUBBED_SUBJECT))
    )


def _stale_record_openings(now: datetime.datetime) -> models.QuerySet:
    minutes = float(getattr(settings, "BOOKWARDEN_RECORD_OPENING_MINUTES", 10))
    kept = max(RECORD_OPENING_KEPT, datetime.timedelta(minutes=minutes))
    return _model("patrons.recordopening").objects.filter(opened_at__lte=now - kept)


def _stale_packets(now: datetime.datetime) -> models.QuerySet:
    return (
        _model("disclosures.disclosurerequest")
        .objects.exclude(packet="")
        .filter(closed_at__isnull=False, closed_at__lte=now - PACKET_KEPT)
    )


def _stale_job_runs(now: datetime.datetime) -> models.QuerySet:
    from bookwarden.jobs.status import latest_finished

    run = _model("jobs.jobrun")
    names = list(run.objects.values_list("name", flat=True).distinct())
    return run.objects.filter(
        finished_at__lte=now - _job_runs_kept(), finished_at__isnull=False
    ).exclude(pk__in=latest_finished(names).values("pk"))


def _audit_events_naming_a_record(now: datetime.datetime) -> models.QuerySet:
    """An event with a patron id that targets one library record would say what the
    patron used after the record is unlinked: never allowed."""
    labels = [rt.model._meta.label_lower for rt in RECORD_TYPES.values()]
    return _model("audit.auditevent").objects.filter(
        patron_id__isnull=False, target_type__in=labels
    )


def _stale_backups(now: datetime.datetime) -> models.QuerySet:
    """Backup files still on the server past their days (the backup-retention job deletes
    them; a day's grace for its daily run)."""
    keep = datetime.timedelta(days=float(getattr(settings, "BOOKWARDEN_BACKUP_KEEP_DAYS", 30)))
    return _model("backups.backuprecord").objects.filter(
        deleted_at__isnull=True, created_at__lte=now - keep - datetime.timedelta(days=1)
    )


def portal_patron_of(session_data: dict[str, Any]) -> tuple[int | None, int | None]:
    """(library id, patron id) of the portal login a decoded session holds, or Nones."""
    state = session_data.get("portal")
    if isinstance(state, dict) and state.get("patron"):
        return state.get("library"), state.get("patron")
    return None, None


def _stale_portal_sessions(now: datetime.datetime) -> models.QuerySet:
    """Expired sessions; the proof counts those that decode to a portal patron."""
    return Session.objects.filter(expire_date__lt=now)


# -- The rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SideLinkRule:
    """How long one patron link outside the record types is kept, why, and under which
    requirement.  ``beyond(now)`` is the rows past the rule (a rule without an end has
    none: the link lives exactly as long as its row, which another rule governs)."""

    kept: str
    why: str
    requirement: str
    beyond: Callable[[datetime.datetime], models.QuerySet] | None = None
    #: The columns that hold the link, when more than the key's own field.
    columns: tuple[str, ...] = ()
    #: The lookup from the row to its library, for counts per library ("" = none).
    library_field: str = "library_id"
    #: How the retention run removes rows past the rule ("" = the proof alone watches).
    removed_by: str = ""

    def table(self, key: str) -> str:
        return str(_model(key.rsplit(".", 1)[0])._meta.db_table)

    def column_names(self, key: str) -> list[str]:
        model = _model(key.rsplit(".", 1)[0])
        names = self.columns or (key.rsplit(".", 1)[1],)
        out = []
        for name in names:
            field = model._meta.get_field(name)
            out.append(str(getattr(field, "column", None) or field.name))
        return out


_AUDIT_LOG = SideLinkRule(
    kept="as long as the audit log itself",
    why=(
        "the log is append-only and chained, so that every action stays attributable (LV-3); "
        "the patron is shown who opened their records and why (CR-5). It holds ids and record "
        "types only, never contents, and never the id of a loan, search or question: an event "
        "that does is past the rule"
    ),
    requirement="LV-3, CR-5",
    beyond=_audit_events_naming_a_record,
)

SIDE_LINK_RULES: dict[str, SideLinkRule] = {
    "patrons.card.patron": SideLinkRule(
        kept="as long as the patron is registered",
        why="registration, not use; a lost or stolen card stays on file so that it never "
        "counts as consent again",
        requirement="CR-5b",
        library_field="library_id",
    ),
    "patrons.patron.guardian": SideLinkRule(
        kept="as long as the patron is registered",
        why="who the patron is, not what they used",
        requirement="CR-2",
    ),
    "patrons.recordopening.patron": SideLinkRule(
        kept="1 day (at least the minutes a staff member may reread an opening)",
        why="lets the person who opened a patron's records reread them for a few minutes "
        "without a second opening; after that the audit event alone says who opened them",
        requirement="CR-5",
        beyond=_stale_record_openings,
        library_field="patron__library_id",
        removed_by="record_openings",
    ),
    "audit.auditevent.patron_id": _AUDIT_LOG,
    # The same rule; the event's patron id column is where the proof checks it.
    "audit.auditevent.before": replace(_AUDIT_LOG, beyond=None),
    "audit.auditevent.after": replace(_AUDIT_LOG, beyond=None),
    "breach.affectedpatron.patron": SideLinkRule(
        kept="as long as the breach record",
        why="evidence that the library told each affected patron of the breach; names record "
        "types, never what the patron used",
        requirement="CR-6e",
        library_field="breach__library_id",
    ),
    "disclosures.disclosurerequest.patrons": SideLinkRule(
        kept="as long as the request",
        why="the scope of a request for records: evidence of what was asked and decided; "
        "never what the patron used",
        requirement="NM-4, CR-5a",
    ),
    "disclosures.disclosurerequest.patrons_as_named": SideLinkRule(
        kept="as long as the request",
        why="the patrons as the request names them, the same scope in the requester's words",
        requirement="NM-4, CR-5a",
    ),
    "disclosures.document.file": SideLinkRule(
        kept="as long as the request",
        why="the instrument (a subpoena, a court order) that authorizes the disclosure; it "
        "names the patron, not what they used",
        requirement="NM-4, CR-5a",
        library_field="request__library_id",
    ),
    "disclosures.disclosurerequest.packet": SideLinkRule(
        kept="1 year after the request is closed",
        why="the released records themselves (what the patron used), kept to answer for the "
        "release; then the file is deleted, and its SHA-256, the decision and the audit "
        "events remain as the record of what was given",
        requirement="NM-4, CR-6a",
        beyond=_stale_packets,
        removed_by="disclosure_packets",
    ),
    "disclosures.patronnotice.patron": SideLinkRule(
        kept="as long as the request",
        why="whether the patron was told of a disclosure, or why not yet (a gag order)",
        requirement="NM-4",
        library_field="request__library_id",
    ),
    "enforcement.patronrestriction.patron": SideLinkRule(
        kept="as long as the patron is registered",
        why="a restriction of computer use after a policy violation: conduct, not what the "
        "patron read or used",
        requirement="CC-3, CC-11",
    ),
    "mail.outboxmessage.body": SideLinkRule(
        kept="30 days after it was sent (or given up on), then its recipient, subject, body "
        "and last error are removed",
        why="a notice to a patron (a breach, a disclosure) names them, and so may mail of a "
        "reason nobody reviewed; 30 days is time to answer a bounce or a question about it; "
        "the row stays, as does the notice's own record (affected patron, patron notice)",
        requirement="CR-6a, CR-6e, NM-4",
        beyond=_stale_patron_mail,
        columns=("to", "subject", "body", "last_error"),
        removed_by="patron_mail",
    ),
    "sessions.session.session_data": SideLinkRule(
        kept="until the session expires",
        why="a portal login holds the patron's id; expired sessions are deleted by every "
        "full retention run",
        requirement="CR-6a, CR-6d",
        beyond=_stale_portal_sessions,
        library_field="",
        removed_by="expired_sessions",
    ),
    "backups.backuprecord.file_name": SideLinkRule(
        kept="BOOKWARDEN_BACKUP_KEEP_DAYS (30 days by default), then the file is deleted",
        why="a backup holds every patron record as it was that night, including what "
        "retention has since removed; the backup-retention job deletes it, and a backup "
        "still there after its days is a finding",
        requirement="CR-6a",
        beyond=_stale_backups,
        library_field="",
    ),
    "jobs.jobrun.error": SideLinkRule(
        kept="the job loop's keep (JOBS_KEEP_DAYS, 30 days), except each job's last run",
        why="a job's output is generic by rule, but an error message can quote a row; runs "
        "are bookkeeping, and what a job did is in its own records and the audit log",
        requirement="CR-6a",
        beyond=_stale_job_runs,
        columns=("output", "error"),
        library_field="",
        removed_by="job_runs",
    ),
}

#: Models with free text, JSON or files that hold no patron link, and why (a model with
#: such fields that is neither here nor in :data:`SIDE_LINK_RULES` fails the proof).
_STAFF_NOTES = (
    "staff-written notes of the security program; by rule they describe conduct or "
    "reasons, never what a patron used"
)
_NO_PERSON = "settings, counts or catalog text: names no patron"
_STAFF_ACCOUNTS = "staff accounts and their logins: no patron"
TEXT_LINKS_REVIEWED: dict[str, str] = {
    "patrons.referencequestion": "a record type: its patron link follows the rule",
    "patrons.recordopening": "record types only; its patron link follows its rule",
    "patrons.retentionrun": "counts per library and record type",
    "patrons.retentionproof": "counts per table, column and library",
    "breach.affectedpatron": "its patron link follows its rule; the reason is why staff "
    "added the patron",
    "breach.breach": "what every affected patron is told: names nobody",
    "disclosures.policyrule": _NO_PERSON,
    "disclosures.openrecordsrequest": "public records (CR-1), never library records",
    "operations.logentry": _STAFF_NOTES,
    "operations.timelinestep": _STAFF_NOTES,
    "operations.attachment": _STAFF_NOTES,
    "operations.operationssettings": _NO_PERSON,
    "enforcement.casestep": _STAFF_NOTES,
    "enforcement.hrdecision": _STAFF_NOTES,
    "enforcement.contactattempt": _STAFF_NOTES,
    "enforcement.accountlock": _STAFF_NOTES,
    "enforcement.suspension": _STAFF_NOTES,
    "enforcement.patronrestriction": "its patron link follows its rule; the reason is the conduct",
    "policies.policy": _NO_PERSON,
    "policies.policyversion": _NO_PERSON,
    "policies.policyreview": _STAFF_NOTES,
    "training.course": _NO_PERSON,
    "training.question": _NO_PERSON,
    "training.session": _NO_PERSON,
    "people.departure": _STAFF_NOTES,
    "people.accountreviewitem": _STAFF_NOTES,
    "devices.device": _STAFF_NOTES,
    "devices.publiccomputercheck": _STAFF_NOTES,
    "software.software": _NO_PERSON,
    "software.softwarerequest": _STAFF_NOTES,
    "vendors.vendor": _NO_PERSON,
    "vendors.vendorreview": _STAFF_NOTES,
    "backups.backupcheck": "what a check of a backup found (a count or a hash that "
    "differs): names no patron",
    "compliance.controlsnapshot": "a control's status and its summary: counts, staff, "
    "devices and policies, never a patron (the checks count patron records, never name them)",
    "compliance.notapplicable": _STAFF_NOTES,
    "compliance.owncatalog": _NO_PERSON,
    "compliance.checklistanswer": _STAFF_NOTES,
    "mfa.authenticator": _STAFF_ACCOUNTS,
    "axes.accessattempt": _STAFF_ACCOUNTS,
    # allauth's socialaccount (sign-in with the library's accounts, docs/sso.md): Bookwarden
    # configures providers in settings and keeps no link or token, so these stay empty.
    "socialaccount.socialapp": _STAFF_ACCOUNTS,
    "socialaccount.socialaccount": _STAFF_ACCOUNTS,
    "socialaccount.socialtoken": _STAFF_ACCOUNTS,
}


# -- The retention run's side steps --------------------------------------------------------


def _scrub_mail(chunk: models.QuerySet) -> int:
    return chunk.update(to=[], subject=SCRUBBED_SUBJECT, body="", last_error="")


def _delete_rows(chunk: models.QuerySet) -> int:
    return chunk.delete()[0]


def _delete_packets(chunk: models.QuerySet) -> int:
    """Delete each packet's file, then clear the field (a file deleted by a chunk whose
    transaction then fails leaves a row the next run clears; never a file with no row)."""
    for name in chunk.values_list("packet", flat=True):
        default_storage.delete(name)
    return chunk.update(packet="")


@dataclass(frozen=True)
class SideStep:
    key: str  # the key in a run's counts
    rule: str  # the SIDE_LINK_RULES entry it enforces
    action: str
    after: str  # the rule's duration, as the run's details show it
    apply: Callable[[models.QuerySet], int]
    per_library: bool = True


SIDE_STEPS = (
    SideStep("patron_mail", "mail.outboxmessage.body", RetentionAction.UNLINK, "30d", _scrub_mail),
    SideStep(
        "record_openings",
        "patrons.recordopening.patron",
        RetentionAction.DELETE,
        "1d",
        _delete_rows,
    ),
    SideStep(
        "disclosure_packets",
        "disclosures.disclosurerequest.packet",
        RetentionAction.DELETE,
        "365d",
        _delete_packets,
    ),
    SideStep("job_runs", "jobs.jobrun.error", RetentionAction.DELETE, "30d", _delete_rows, False),
)


def _step_queryset(step: SideStep, library: Library | None, now: datetime.datetime) -> Any:
    rule = SIDE_LINK_RULES[step.rule]
    assert rule.beyond is not None
    qs = rule.beyond(now)
    if library is not None:
        qs = qs.filter(**{rule.library_field: library.pk})
    return qs


def apply_side_step(
    step: SideStep,
    library: Library | None,
    *,
    now: datetime.datetime,
    chunk_size: int,
    dry_run: bool,
    on_chunk: Callable[[int], None],
) -> int:
    """Like a record type's rule: the next chunk of ids in key order, then one statement
    over them in a transaction with ``on_chunk`` (the chunk's audit event and the run's
    counts).  Safe to kill; a rerun continues."""
    qs = _step_queryset(step, library, now)
    if dry_run:
        return int(qs.count())
    total = 0
    while True:
        pks = list(qs.order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not pks:
            return total
        with transaction.atomic():
            changed = step.apply(_step_queryset(step, library, now).filter(pk__in=pks))
            on_chunk(changed)
        total += changed


def run_side_steps(
    run: RetentionRun,
    libraries: list[Library],
    now: datetime.datetime,
    counts: dict[str, int],
    record_chunk: Callable[[RetentionRun, Library | None, str, str, int], None],
) -> None:
    """Every side step, per library (and, for a run over every library, those that belong
    to none), recording each chunk like a record type's."""
    for step in SIDE_STEPS:
        counts.setdefault(step.key, 0)
        scopes: list[Library | None] = list(libraries) if step.per_library else []
        if not step.per_library and run.library_id is None:
            scopes = [None]
        for library in scopes:
            detail = {"action": step.action, "after": step.after, "source": "side", "count": 0}
            if library is not None:
                run.details.setdefault(library.slug, {})[step.key] = detail

            def done(
                n: int,
                _lib: Library | None = library,
                _d: dict[str, Any] = detail,
                _step: SideStep = step,
            ) -> None:
                _d["count"] += n
                counts[_step.key] += n
                record_chunk(run, _lib, _step.key, _step.action, n)

            n = apply_side_step(
                step,
                library,
                now=now,
                chunk_size=run.chunk_size,
                dry_run=run.dry_run,
                on_chunk=done,
            )
            if run.dry_run:
                detail["count"] = n
                counts[step.key] += n
                run.save(update_fields=["counts", "details"])
