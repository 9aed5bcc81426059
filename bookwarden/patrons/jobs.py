"""The periodic jobs of the patrons app (discovered by :mod:`bookwarden.jobs`)."""

from __future__ import annotations

import datetime

from bookwarden.jobs.registry import periodic

from .retention import run_retention
from .retention_proof import take_proof
from .retention_rules import RetentionConfigError


@periodic(
    "retention",
    title="Retention of library records",
    every=datetime.timedelta(days=1),
    description="Unlink or delete library records whose retention period is over.",
)
def retention() -> str:
    """CR-6a, issue 3: "a periodic job runs it daily".  The same run as ``bookwarden
    retention run`` over every library, as the installation (no actor).  The run stores its
    own evidence (a ``RetentionRun`` row, one ``retention.run`` audit event per library);
    the job's output only names the run and its status, nothing of any library (the
    installation role reads it; a library's people see only its status).  A refused run (a
    bad rule) fails the job, and so does one that finds another run in progress
    (``RetentionBusy``: nothing changed)."""
    try:
        run = run_retention()
    except RetentionConfigError as exc:
        raise RetentionConfigError(f"Retention refused, nothing was changed: {exc}") from exc
    return f"Retention run #{run.pk}: {run.status}."


@periodic(
    "retention_proof",
    title="Proof that no patron link is kept too long",
    every=datetime.timedelta(days=1),
    description="Scan every table that can link a patron to what they used for links "
    "older than the retention rules allow.",
)
def retention_proof() -> str:
    """CR-6a, CC-8: the evidence a compliance control reads.  The proof stores itself (a
    ``RetentionProof`` row, ``retention.proof`` audit events with counts only); the job's
    output names the proof and whether it was clean, nothing of any library.  A proof with
    findings fails the job, so that it shows in the technology coordinator's tasks."""
    row, proof = take_proof()
    if not proof.ok:
        raise RetentionProofFailed(
            f"Retention proof #{row.pk}: {len(proof.findings)} findings; see "
            "`bookwarden retention prove`."
        )
    return f"Retention proof #{row.pk}: clean."


class RetentionProofFailed(Exception):
    """The proof found patron links past their rule (or without one)."""
