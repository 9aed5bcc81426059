"""The checks behind the controls (CC-8): each computes, from the live data, whether one
thing a policy asks for is done, for many libraries at once.

A check is a function ``(libraries, now) -> {library id: CheckResult}`` registered with
:func:`check`.  It reads every library it is given in a fixed number of queries (never one per
person or record), so that the controls of a consortium of fifty libraries cost what those of
one library cost.  A library it gives no result for shows "No evidence yet" with the check's
``hint``: what would give evidence.  The checks of each domain live in a module of this
package; the same check serves every control (and every framework) that names it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from bookwarden.compliance.models import Status

if TYPE_CHECKING:
    from bookwarden.core.models import Library

__all__ = [
    "Check",
    "CheckResult",
    "Evidence",
    "Status",
    "check",
    "failing",
    "get",
    "no_evidence",
    "operating",
    "registered",
    "run",
    "shared",
]

T = TypeVar("T")
#: What several checks of one :func:`run` read alike (the year's requests for records, the
#: roles in force), read once for that run; outside a run, read each time.
_reads_of_the_run: ContextVar[dict[Hashable, Any] | None] = ContextVar(
    "compliance_reads_of_the_run", default=None
)


def shared(key: Hashable, read: Callable[[], T]) -> T:
    """``read()``, once per :func:`run` for the same ``key`` (which names the data and every
    argument it depends on: the libraries and the time)."""
    reads = _reads_of_the_run.get()
    if reads is None:
        return read()
    if key not in reads:
        reads[key] = read()
    return reads[key]


@dataclass(frozen=True)
class Evidence:
    """One line of evidence, shown on the control's page and in CSV."""

    label: str  # plain words: "Staff with current yearly training"
    count: int | None = None
    url: str | None = None  # a page of the app holding the records
    when: datetime.datetime | None = None


@dataclass(frozen=True)
class CheckResult:
    status: Status
    summary: str  # one plain sentence: "41 of 44 staff (93%) are current."
    failures: tuple[str, ...] = ()  # plain sentences naming what fails
    evidence: tuple[Evidence, ...] = ()
    measure: float | None = None  # a share 0..1 or a count, for charts and history


CheckFunction = Callable[["Sequence[Library]", datetime.datetime], Mapping[int, CheckResult]]


@dataclass(frozen=True)
class Check:
    name: str
    title: str  # what it looks at, in plain words
    hint: str  # what would give evidence where there is none yet
    function: CheckFunction

    def run(self, libraries: Sequence[Library], now: datetime.datetime) -> dict[int, CheckResult]:
        found = self.function(libraries, now) if libraries else {}
        return {lib.pk: found.get(lib.pk) or no_evidence(self.hint) for lib in libraries}


_checks: dict[str, Check] = {}


def check(name: str, *, title: str, hint: str) -> Callable[[CheckFunction], CheckFunction]:
    """Register a check under ``name`` (the name the catalog's controls use)."""

    def register(function: CheckFunction) -> CheckFunction:
        assert name not in _checks or _checks[name].function is function, f"{name} twice"
        _checks[name] = Check(name, title, hint, function)
        return function

    return register


def registered() -> dict[str, Check]:
    return dict(_checks)


def get(name: str) -> Check:
    return _checks[name]


def run(
    names: Sequence[str], libraries: Sequence[Library], now: datetime.datetime
) -> dict[str, dict[int, CheckResult]]:
    """Each named check once, for all of ``libraries``; what several read alike is read
    once (:func:`shared`)."""
    token = _reads_of_the_run.set({})
    try:
        return {name: _checks[name].run(libraries, now) for name in dict.fromkeys(names)}
    finally:
        _reads_of_the_run.reset(token)


def no_evidence(hint: str, evidence: tuple[Evidence, ...] = ()) -> CheckResult:
    return CheckResult(Status.NO_EVIDENCE, f"No evidence yet. {hint}", evidence=evidence)


def operating(
    summary: str, evidence: tuple[Evidence, ...] = (), measure: float | None = None
) -> CheckResult:
    return CheckResult(Status.OPERATING, summary, evidence=evidence, measure=measure)


def failing(
    summary: str,
    failures: Sequence[str],
    evidence: tuple[Evidence, ...] = (),
    measure: float | None = None,
) -> CheckResult:
    return CheckResult(
        Status.FAILING, summary, failures=tuple(failures), evidence=evidence, measure=measure
    )


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 login", "3 logins"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "100%"


def listed(names: Sequence[str], limit: int = 5) -> str:
    """ "A, B and C"; past ``limit`` names, "A, B, C, D, E and 3 more"."""
    shown = list(names[:limit])
    rest = len(names) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


# The checks of each domain register themselves on import.
from . import (  # noqa: E402, F401
    audit_log,
    cases,
    credentials,
    devices,
    installation,
    operations,
    people,
    policies,
    records,
    software,
    training,
    vendors,
)
