"""Fixtures of the job tests: a registry of throwaway jobs, a frozen clock, a worker."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator

import pytest
import time_machine

from bookwarden.jobs import registry
from bookwarden.jobs.loop import Worker
from bookwarden.jobs.registry import JobFunc

NOW = datetime.datetime(2026, 3, 10, 3, 15, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock stands still at NOW until the test moves it (``clock.move_to(...)``)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def only_jobs() -> Iterator[Callable[..., Callable[[JobFunc], JobFunc]]]:
    """Replace the registry for the test: ``@only_jobs("name", every=DAY)`` registers a
    throwaway job; the real jobs (retention) are out of the way, and come back after."""
    saved = dict(registry._registry)
    registry._registry.clear()
    try:
        yield registry.periodic
    finally:
        registry._registry.clear()
        registry._registry.update(saved)


@pytest.fixture
def worker() -> Worker:
    lines: list[str] = []
    return Worker(worker="test-host:1", report=lines.append)
