"""The one registry of periodic jobs: discovered from every app's jobs.py, named clearly."""

from __future__ import annotations

import datetime

import pytest

from bookwarden.jobs import registry
from bookwarden.jobs.registry import UnknownJob, format_every, get_job, periodic

from .conftest import DAY


def test_retention_is_discovered_and_runs_daily() -> None:
    """CR-6a, issue 3: "A periodic job runs it daily" (found by autodiscover in ready())."""
    from bookwarden.patrons import jobs as patron_jobs

    job = get_job("retention")
    assert job.func is patron_jobs.retention
    assert job.every == DAY
    assert "retention period" in job.description  # shown on the jobs page: plain words
    assert "CR-6a" in (job.func.__doc__ or "")  # the requirement id, in the docstring
    assert [j.name for j in registry.all_jobs()].count("retention") == 1


def test_unknown_job_names_itself_and_the_known_ones() -> None:
    with pytest.raises(UnknownJob, match=r"'nightly-nothing'.*Registered jobs: .*retention"):
        get_job("nightly-nothing")


def test_a_registered_job_appears_and_keeps_its_interval(only_jobs) -> None:
    @only_jobs("outbox", every=datetime.timedelta(minutes=5))
    def deliver() -> str:
        """Send the mail waiting in the outbox."""
        return "sent 0"

    job = get_job("outbox")
    assert job.func is deliver
    assert job.every == datetime.timedelta(minutes=5)
    assert job.description == "Send the mail waiting in the outbox."  # from the docstring
    assert [j.name for j in registry.all_jobs()] == ["outbox"]


def test_two_different_functions_may_not_share_a_name(only_jobs) -> None:
    @only_jobs("escalate", every=DAY)
    def first() -> None:
        return None

    with pytest.raises(ValueError, match="Two periodic jobs are named 'escalate'"):

        @periodic("escalate", every=DAY)
        def second() -> None:
            return None


@pytest.mark.parametrize(
    ("name", "every", "message"),
    [
        ("Bad Name", DAY, "lowercase letters"),
        ("too-often", datetime.timedelta(seconds=5), "shorter than"),
    ],
)
def test_bad_names_and_intervals_are_refused(only_jobs, name, every, message) -> None:
    with pytest.raises(ValueError, match=message):
        periodic(name, every=every)


def test_the_interval_can_be_set_without_a_code_change(only_jobs, settings) -> None:
    @only_jobs("escalate", every=DAY)
    def escalate() -> None:
        return None

    settings.JOB_INTERVALS = {"escalate": 3600}
    assert get_job("escalate").every == datetime.timedelta(hours=1)
    settings.JOB_INTERVALS = {"escalate": 1}
    with pytest.raises(ValueError, match="JOB_INTERVALS"):
        _ = get_job("escalate").every


def test_intervals_read_as_words() -> None:
    assert format_every(DAY) == "1 day"
    assert format_every(datetime.timedelta(hours=12)) == "12 hours"
    assert format_every(datetime.timedelta(minutes=5)) == "5 minutes"
    assert format_every(datetime.timedelta(seconds=90)) == "90 seconds"
