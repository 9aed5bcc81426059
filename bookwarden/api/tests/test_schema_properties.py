"""The API against its own OpenAPI schema, with data generated from it (schemathesis): no
answer is a server error, and every answer (its status, its content type, its body) is
one the schema declares.  Run on SQLite and on PostgreSQL like every test; bounded to a few
examples per operation so that it stays within seconds."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bookwarden.core.tests.helpers import an_operations_entry_of
from bookwarden.devices.tests.factories import a_device
from bookwarden.training.tests.factories import quiz_course

from ..schema import api_schema
from .factories import a_token, an_alert_source

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 12, GenerationMode.NEGATIVE: 6}


@pytest.fixture
def app() -> Iterator[WSGIHandler]:
    """Django's WSGI application, as a server runs it, but keeping the test's database
    connection open between requests (as Django's test client does): the test's
    transaction holds what it built."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(people, new_madrid) -> dict[str, Any]:
    """A write token of the director, an alert source, an entry, a device and a course of
    New Madrid, for the operations to reach past 404."""
    source, secret = an_alert_source(new_madrid)
    quiz_course(new_madrid, people["tech_coordinator"])
    return {
        "token": a_token(people["director"])[1],
        "secret": secret,
        "path": {
            "slug": new_madrid.slug,
            "source_key": source.key,
            "entry_id": an_operations_entry_of(new_madrid),
            "device_id": a_device(new_madrid, "PROP-PC-01").pk,
        },
    }


@functools.cache
def _schema() -> Any:
    """The schema, generated once per test process (the tests only read it)."""
    return schemathesis.openapi.from_dict(api_schema())


def _operations() -> list[Any]:
    return [result.ok() for result in _schema().get_all_operations()]


def test_the_schema_names_every_operation() -> None:
    labels = {op.label for op in _operations()}
    assert "POST /api/alerts/{source_key}/" in labels
    assert "GET /api/operations/entries/" in labels
    assert "GET /api/libraries/{slug}/compliance/" in labels
    assert len(labels) == 13


@pytest.mark.parametrize("mode", list(EXAMPLES), ids=lambda m: m.value)
def test_every_operation_answers_as_its_schema_says(world, mode, app) -> None:
    """CC-7: generated requests, valid and not, never make a server error and every answer
    conforms to the schema."""
    for operation in _operations():
        alerts = operation.path.startswith("/api/alerts/")
        credential = world["secret"] if alerts else world["token"]
        names = {p.name for p in operation.path_parameters}
        path = {k: v for k, v in world["path"].items() if k in names}
        _property_test(operation, mode, path, app, {"Authorization": f"Bearer {credential}"})()


def _property_test(
    operation: Any, mode: GenerationMode, path: dict[str, Any], app: Any, headers: dict[str, str]
) -> Any:
    """Hypothesis's test of one operation: a few generated requests, each checked."""

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)

    return check
