"""The grant auditor's package (CC-8, 2 CFR 200.303: evidence that each control operates).

One ZIP for a library and a date range:

* ``report.pdf``: the board report of the period (:mod:`.board`);
* ``controls/summary.csv``: every control, its requirement ids, policy sentence and status;
* ``controls/<control>.csv``: each control's evidence lines (what, how many, where, when);
* ``controls/history.csv``: the daily record of each control's status over the period;
* ``audit/verification.json`` and ``audit/head.txt``: the audit log's chain verified from
  its first event, with every anchor, and its newest event's number and hash;
* ``manifest.sha256``: the SHA-256 of every other file, in the format ``sha256sum -c``
  reads, so that the auditor can show that nothing was changed after it was produced.

Every CSV cell goes through :func:`bookwarden.core.files.csv_writer` (never a formula).
Counts only of patron matters: no patron record is read.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field

from django.utils import timezone

from bookwarden.audit.verify import Report as VerifyReport
from bookwarden.audit.verify import verify_log
from bookwarden.compliance.models import ControlSnapshot
from bookwarden.core.files import csv_writer
from bookwarden.core.models import Library
from bookwarden.core.when import iso_utc

from . import board, controls_state
from .board_pdf import board_pdf

MANIFEST = "manifest.sha256"
#: A fixed time for every member of the ZIP, so that the same files give the same archive.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class Package:
    library: Library
    first: datetime.date
    last: datetime.date
    files: dict[str, bytes] = field(default_factory=dict)
    verification: VerifyReport | None = None
    content: bytes = b""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def filename(self) -> str:
        dates = f"{self.first.isoformat()}-{self.last.isoformat()}"
        return f"auditor-package-{self.library.slug}-{dates}.zip"


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _safe_name(control_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in control_id)[:80] or "control"


def _control_files(library: Library, first: datetime.date, last: datetime.date) -> dict[str, bytes]:
    state = controls_state.current([library])[0]
    files: dict[str, bytes] = {}
    summary: list[list[object]] = [
        [
            "control",
            "title",
            "requirements",
            "policy",
            "policy_sentence",
            "owner_role",
            "status",
            "summary",
            "failures",
        ]
    ]
    for result in state.results:
        control = result.control
        summaries = " ".join(c.summary for c in result.checks) or result.not_applicable_reason
        failures = " | ".join(f for c in result.checks for f in c.failures)
        summary.append(
            [
                control.id,
                control.title,
                " ".join(control.requirements),
                control.source,
                control.sentence,
                control.owner_role,
                str(result.status),
                summaries,
                failures,
            ]
        )
        rows: list[list[object]] = [
            [
                "control",
                "check_status",
                "check_summary",
                "evidence",
                "count",
                "url",
                "when",
                "measure",
            ]
        ]
        for check in result.checks:
            if not check.evidence:
                rows.append(
                    [control.id, str(check.status), check.summary, "", "", "", "", check.measure]
                )
            for item in check.evidence:
                rows.append(
                    [
                        control.id,
                        str(check.status),
                        check.summary,
                        item.label,
                        item.count,
                        item.url or "",
                        iso_utc(item.when) if item.when else "",
                        check.measure,
                    ]
                )
        files[f"controls/{_safe_name(control.id)}.csv"] = _csv(rows)
    files["controls/summary.csv"] = _csv(summary)
    history: list[list[object]] = [["day", "control", "status", "measure", "summary"]]
    for day, control_id, status, measure, text in (
        ControlSnapshot.objects.filter(library=library, day__gte=first, day__lte=last)
        .order_by("day", "control_id")
        .values_list("day", "control_id", "status", "measure", "summary")
    ):
        history.append([day.isoformat(), control_id, status, measure, text])
    files["controls/history.csv"] = _csv(history)
    return files


def _audit_files(report: VerifyReport, at: datetime.datetime) -> dict[str, bytes]:
    result = report.result
    verification = {
        **report.as_dict(),
        "verified_at": iso_utc(at),
        "head_seq": result.head_seq,
        "head_hash": result.head_hash,
    }
    head = f"{result.head_seq} {result.head_hash}\n"
    return {
        "audit/verification.json": json.dumps(verification, indent=2, sort_keys=True).encode(),
        "audit/head.txt": head.encode(),
    }


def manifest_text(files: dict[str, bytes]) -> str:
    """``<sha256>  <path>`` for every file, sorted by path (``sha256sum -c`` reads it)."""
    return "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())
    )


def _readme(package: Package) -> bytes:
    library = package.library
    text = (
        f"Evidence of the internal controls of {library.name}\n"
        f"Period: {package.first.isoformat()} to {package.last.isoformat()}\n\n"
        "report.pdf               the report to the board for the period\n"
        "controls/summary.csv     every control, the requirements and policy sentence it\n"
        "                         rests on, and its status\n"
        "controls/<control>.csv   the evidence behind each control\n"
        "controls/history.csv     each control's status as recorded every day of the period\n"
        "audit/verification.json  the audit log's chain verified from its first event,\n"
        "                         with its anchors\n"
        "audit/head.txt           the number and hash of the audit log's newest event\n"
        f"{MANIFEST}          the SHA-256 of every other file: check with\n"
        f"                         sha256sum -c {MANIFEST}\n"
    )
    return text.encode()


def build_package(library: Library, first: datetime.date, last: datetime.date) -> Package:
    """Make the package's files and the ZIP (nothing is written to the database)."""
    package = Package(library, first, last)
    report = board.build(library, first, last)
    files = {"README.txt": _readme(package), "report.pdf": board_pdf(report)}
    files.update(_control_files(library, first, last))
    package.verification = verify_log()
    files.update(_audit_files(package.verification, timezone.now()))
    files[MANIFEST] = manifest_text(files).encode()
    package.files = files
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    package.content = out.getvalue()
    return package
