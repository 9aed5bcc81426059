"""The one registry of periodic jobs (DESIGN: background work is boring).

A periodic job is a plain function without arguments, registered in its app's ``jobs.py``::

    @periodic("retention", every=timedelta(days=1), description="...")
    def retention() -> str:
        ...
        return "Retention run #12: completed"

It returns a short, generic summary (stored as the run's output and shown to the
installation role, which holds no library role: never one library's records) or ``None``;
it raises to fail.  :class:`bookwarden.jobs.apps.JobsConfig` imports every app's ``jobs`` module
(``autodiscover_modules("jobs")``), so registering is all an app does; ``bookwarden jobs
run`` (:mod:`bookwarden.jobs.loop`) runs each job every ``every``.

A job must be safe to run twice and safe to interrupt (a killed run is retried), like
``retention`` (CR-6a: the daily retention run, :mod:`bookwarden.patrons.jobs`).  Later jobs
of the same loop: outbox mail delivery, and incident escalation (IT-7: requests and
incidents answered in good time).

The interval of a job can be changed without a code change with the setting
``JOB_INTERVALS`` (``{"retention": 43200}``: seconds).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

JobFunc = Callable[[], str | None]

_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
#: The shortest interval a job may have: the loop checks at most this often anyway.
MIN_EVERY = datetime.timedelta(minutes=1)


class UnknownJob(LookupError):
    """No job of that name is registered."""

    def __init__(self, name: str) -> None:
        known = ", ".join(sorted(_registry)) or "none"
        super().__init__(f"No periodic job is named {name!r}. Registered jobs: {known}.")
        self.name = name


@dataclass(frozen=True)
class Job:
    name: str
    func: JobFunc
    default_every: datetime.timedelta
    description: str = ""
    #: What people call it on the pages ("Outgoing mail"); ``name`` is for the command line.
    title: str = ""

    @property
    def every(self) -> datetime.timedelta:
        """The interval: ``settings.JOB_INTERVALS[name]`` (seconds) if set, else the code's."""
        override = getattr(settings, "JOB_INTERVALS", {}).get(self.name)
        if override is None:
            return self.default_every
        every = (
            override
            if isinstance(override, datetime.timedelta)
            else datetime.timedelta(seconds=float(override))
        )
        _check_every(self.name, every, "settings.JOB_INTERVALS")
        return every


_registry: dict[str, Job] = {}


def _check_every(name: str, every: datetime.timedelta, where: str) -> None:
    if every < MIN_EVERY:
        raise ValueError(
            f"Job {name!r} ({where}): the interval {every} is shorter than {MIN_EVERY}."
        )


def periodic(
    name: str, *, every: datetime.timedelta, description: str = "", title: str = ""
) -> Callable[[JobFunc], JobFunc]:
    """Register the decorated function as the periodic job ``name``, run every ``every``."""
    if not _NAME_RE.match(name):
        raise ValueError(
            f"Job name {name!r}: use lowercase letters, digits, '-' and '_' (up to 64)."
        )
    _check_every(name, every, "@periodic")

    def decorator(func: JobFunc) -> JobFunc:
        existing = _registry.get(name)
        if existing is not None and existing.func is not func:
            # The same module imported twice registers the same function again: harmless.
            same = (existing.func.__module__, existing.func.__qualname__) == (
                func.__module__,
                func.__qualname__,
            )
            if not same:
                raise ValueError(
                    f"Two periodic jobs are named {name!r}: "
                    f"{existing.func.__module__}.{existing.func.__qualname__} and "
                    f"{func.__module__}.{func.__qualname__}."
                )
        doc = (func.__doc__ or "").strip().splitlines()
        _registry[name] = Job(
            name=name,
            func=func,
            default_every=every,
            description=description or (doc[0] if doc else ""),
            title=title or name.replace("-", " ").replace("_", " ").capitalize(),
        )
        return func

    return decorator


def unregister(name: str) -> None:
    """Remove a job (tests register throwaway jobs and remove them afterwards)."""
    _registry.pop(name, None)


def get_job(name: str) -> Job:
    try:
        return _registry[name]
    except KeyError:
        raise UnknownJob(name) from None


def all_jobs() -> list[Job]:
    """Every registered job, by name."""
    return [_registry[name] for name in sorted(_registry)]


def format_every(every: datetime.timedelta) -> str:
    """``1 day``, ``12 hours``, ``5 minutes``, ``90 seconds``."""
    seconds = int(every.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


def title_of(name: str) -> str:
    """The title people read for the job ``name`` (the name itself once it is gone)."""
    job = _registry.get(name)
    return job.title if job else name
