"""Fixtures of the policy tests: the libraries, the demo's policies (built once per test
process on top of the people), and a quick way to add a policy with a version."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.tests.snapshots import Snapshot, thaw
from bookwarden.policies import actions
from bookwarden.policies.demo import build_policy_demo
from bookwarden.policies.models import Policy


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")


@pytest.fixture(scope="session")
def policy_demo_snapshot(people_snapshot, django_db_blocker) -> Snapshot:
    def build() -> dict[str, int]:
        built = build_policy_demo(thaw(people_snapshot.result))
        return {key: policy.pk for key, policy in built.items()}

    with django_db_blocker.unblock():
        return Snapshot.build(build, people_snapshot)


@pytest.fixture
def demo_policies(people, policy_demo_snapshot) -> dict[str, Policy]:
    """The demo's policies by key ("new-madrid:cyber", "cresco:privacy", ...)."""
    ids = policy_demo_snapshot.restore()
    return {key: Policy.objects.get(pk=pk) for key, pk in ids.items()}


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def make_policy(new_madrid) -> Callable[..., Policy]:
    """``make_policy(title=..., effective_days_ago=0, **add_policy args)``: a policy of New
    Madrid with one version in effect, added from the command line."""

    def make(
        title: str = "Acceptable Use Policy",
        *,
        library: Library | None = None,
        effective_days_ago: int = 0,
        text: str = "# Use\n\nUse library computers for library work.",
        days_to_sign: int = 30,
        **kwargs: Any,
    ) -> Policy:
        policy = actions.add_policy(
            actor=None, library=library or new_madrid, title=title, **kwargs
        )
        actions.add_version(
            actor=None,
            policy=policy,
            text=text,
            effective_on=days_ago(effective_days_ago),
            days_to_sign=days_to_sign,
        )
        return policy

    return make
