"""Completions from an outside learning system, from a CSV file (CC-10; docs/training.md).

``bookwarden import training FILE.csv --library SLUG`` and the import page both call
:func:`import_completions`.  Columns (header row first, names in any case and order):

* ``email`` or ``username`` (one of them, or both): the person, who must work at the
  library;
* ``course``: the course's title or its short code;
* ``completed_on``: the day, ``YYYY-MM-DD``, not in the future.

All or nothing: every row is checked first, and any bad row refuses the whole file, each
reported as ``line N, column C: reason`` (:class:`~bookwarden.patrons.importer.RowError`,
as for the ILS import).  A row already recorded (same person, course and day), or one whose
cycle is already completed, is skipped and counted, so a second run changes nothing.  One
audit event per file, with counts.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction
from bookwarden.core.models import Library, Membership, User
from bookwarden.core.permissions import require
from bookwarden.core.roles import Perm
from bookwarden.patrons.importer.parsing import ImportFailed, RowError
from bookwarden.patrons.importer.small_files import column_index, decode

from .actions import complete
from .cycles import joined_on
from .models import CompletedBy, Completion, Course

PERSON_COLUMNS = ("email", "username")
COLUMNS = (*PERSON_COLUMNS, "course", "completed_on")
#: Files bigger than this are refused as a whole: a learning system's yearly export of a
#: library's completions is a few hundred rows.


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    already_recorded: int = 0
    cycle_already_done: int = 0
    late: int = 0
    sha256: str = ""
    skipped: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.skipped = self.already_recorded + self.cycle_already_done

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "already_recorded": self.already_recorded,
            "cycle_already_done": self.cycle_already_done,
            "late": self.late,
        }

    @property
    def text(self) -> str:
        skipped = self.already_recorded + self.cycle_already_done
        text = (
            f"{self.rows} rows: {self.created} completions recorded"
            f"{f' ({self.late} late)' if self.late else ''}, {skipped} skipped"
        )
        if skipped:
            text += (
                f" ({self.already_recorded} already recorded, "
                f"{self.cycle_already_done} in a cycle already completed)"
            )
        return text + "."


@dataclass(frozen=True)
class _Row:
    line: int
    user: User
    course: Course
    completed_on: datetime.date


def _header(names: list[str]) -> tuple[dict[str, int], list[RowError]]:
    index, errors = column_index(names, COLUMNS)
    if not any(name in index for name in PERSON_COLUMNS):
        errors.append(RowError(1, "email", "missing column: name people by email or username"))
    for name in ("course", "completed_on"):
        if name not in index:
            errors.append(RowError(1, name, "missing column"))
    return index, errors


class _Lookup:
    """The library's people and courses, read once."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.memberships: dict[int, list[Membership]] = {}
        self.by_email: dict[str, set[int]] = {}
        self.by_username: dict[str, int] = {}
        self.users: dict[int, User] = {}
        for m in Membership.objects.active().filter(library=library).select_related("user"):
            self.memberships.setdefault(m.user_id, []).append(m)
            self.users[m.user_id] = m.user
            if m.user.email:
                self.by_email.setdefault(m.user.email.strip().lower(), set()).add(m.user_id)
            self.by_username[m.user.username.lower()] = m.user_id
        self.courses: dict[str, Course] = {}
        for course in Course.objects.filter(library=library, active=True).prefetch_related(
            "audience_branches"
        ):
            self.courses.setdefault(course.title.strip().lower(), course)
            if course.code:
                self.courses[course.code.strip().lower()] = course

    def person(self, values: dict[str, str]) -> tuple[User | None, RowError | None]:
        email, username = values.get("email", ""), values.get("username", "")
        if not email and not username:
            column = "email" if "email" in values else "username"
            return None, RowError(0, column, "empty: name the person")
        found: int | None = None
        if email:
            ids = self.by_email.get(email.lower(), set())
            if not ids:
                return None, RowError(
                    0, "email", f"no one with this e-mail works at {self.library.name}"
                )
            if len(ids) > 1 and not username:
                return None, RowError(
                    0, "email", "several people share this e-mail: add a username column"
                )
            found = next(iter(ids)) if len(ids) == 1 else None
        if username:
            by_name = self.by_username.get(username.lower())
            if by_name is None:
                return None, RowError(
                    0, "username", f"no one with this username works at {self.library.name}"
                )
            if email and by_name not in self.by_email.get(email.lower(), set()):
                return None, RowError(0, "username", "the e-mail names someone else")
            found = by_name
        assert found is not None
        return self.users[found], None


def _parse(text: str, lookup: _Lookup) -> tuple[list[_Row], list[RowError], int]:
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[RowError] = []
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFailed([], reason="the file is empty") from None
    index, header_errors = _header(header)
    if header_errors:
        raise ImportFailed(header_errors)
    rows: list[_Row] = []
    seen: dict[tuple[int, int, datetime.date], int] = {}
    today = timezone.localdate()
    count = 0
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        count += 1
        if len(fields) != len(header):
            errors.append(
                RowError(line, "", f"{len(fields)} values where the header names {len(header)}")
            )
            continue
        values = {name: fields[i].strip() for name, i in index.items()}
        row_errors: list[RowError] = []
        user, problem = lookup.person(values)
        if problem is not None:
            row_errors.append(RowError(line, problem.column, problem.reason))
        course = lookup.courses.get(values["course"].lower())
        if not values["course"]:
            row_errors.append(RowError(line, "course", "empty: name the course"))
        elif course is None:
            row_errors.append(
                RowError(
                    line, "course", f"no course with this title or code at {lookup.library.name}"
                )
            )
        completed_on = None
        try:
            completed_on = datetime.date.fromisoformat(values["completed_on"])
        except ValueError:
            row_errors.append(RowError(line, "completed_on", "not a date: write it as YYYY-MM-DD"))
        if completed_on is not None and completed_on > today:
            row_errors.append(RowError(line, "completed_on", "the day is in the future"))
        if (
            user is not None
            and course is not None
            and joined_on(course, lookup.memberships[user.pk]) is None
        ):
            row_errors.append(
                RowError(line, "course", f"{user} is not among the people this course is for")
            )
        if row_errors:
            errors.extend(row_errors)
            continue
        assert user is not None and course is not None and completed_on is not None
        key = (user.pk, course.pk, completed_on)
        if key in seen:
            errors.append(RowError(line, "", f"the same completion is on line {seen[key]}"))
            continue
        seen[key] = line
        rows.append(_Row(line, user, course, completed_on))
    return rows, errors, count


@transaction.atomic
def import_completions(
    *, actor: User | None, library: Library, content: bytes, filename: str = ""
) -> ImportSummary:
    """Import one file of completions for ``library``, all or nothing (see the module)."""
    require(actor, Perm.MANAGE_TRAINING, library)
    text = decode(content)
    lookup = _Lookup(library)
    rows, errors, count = _parse(text, lookup)
    if errors:
        raise ImportFailed(errors)
    if not count:
        raise ImportFailed([], reason="the file has no rows under its header")
    summary = ImportSummary(rows=count, sha256=hashlib.sha256(content).hexdigest())
    existing: dict[tuple[int, int], list[Completion]] = {}
    for c in Completion.objects.filter(
        library=library, user__in=lookup.users, course__in={r.course.pk for r in rows}
    ):
        existing.setdefault((c.user_id, c.course_id), []).append(c)
    # In date order, so that each completion finds the cycle the earlier ones left.
    for row in sorted(rows, key=lambda r: (r.completed_on, r.line)):
        completions = existing.setdefault((row.user.pk, row.course.pk), [])
        if any(c.completed_on == row.completed_on for c in completions):
            summary.already_recorded += 1
            continue
        done = complete(
            course=row.course,
            user=row.user,
            on=row.completed_on,
            how=CompletedBy.IMPORT,
            actor=actor,
            memberships=lookup.memberships[row.user.pk],
            completions=completions,
            import_sha256=summary.sha256,
        )
        if done is None:
            summary.cycle_already_done += 1
        else:
            summary.created += 1
            summary.late += done.late
    summary.skipped = summary.already_recorded + summary.cycle_already_done
    record(
        AuditAction.TRAINING_COMPLETIONS_IMPORTED,
        actor=actor,
        library=library,
        after={**summary.as_dict(), "sha256": summary.sha256, "file": filename[:200]},
    )
    return summary
