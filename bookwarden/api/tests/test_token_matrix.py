"""The authorization matrix of the API (CC-2, CC-7): every endpoint, every persona's token.

A token of each persona, for all their libraries, asks every endpoint of New Madrid; the
answer is declared here for each.  A token may do what its owner may do and no more: a
permission missing is 403, New Madrid's objects for Cresco's people 404 (a token of one
library never learns another's), and a read-only token's every write is 403 with nothing
written.  (A session gets 401 everywhere in the API: core/tests/test_authorization_matrix.)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.tests.helpers import (
    INSTALLATION,
    NEW_MADRID_PERSONAS,
    OUTSIDERS,
    an_operations_entry_of,
    audit_head,
    events_since,
)
from bookwarden.devices.tests.factories import a_device
from bookwarden.training.tests.factories import quiz_course

from ..models import Scope
from .conftest import bearer
from .factories import a_token, an_alert_source

#: Everyone with a library role: the installation's administrator can make no token.
HOLDERS = (*NEW_MADRID_PERSONAS, *OUTSIDERS)
OPS_READERS = (
    "director",
    "designee",
    "assistant_director",
    "tech_coordinator",
    "it_staff",
    "human_resources",
    "auditor",
)
STAFF_READERS = (
    "director",
    "designee",
    "assistant_director",
    "tech_coordinator",
    "human_resources",
    "auditor",
)
IT_VIEWERS = ("director", "designee", "tech_coordinator", "it_staff", "auditor")
IT_MANAGERS = ("director", "tech_coordinator", "it_staff")
TRAINING_MANAGERS = ("director", "tech_coordinator")
NM_WORKERS = tuple(p for p in NEW_MADRID_PERSONAS if p != "auditor")


def table(default: int, allowed: tuple[str, ...], ok: int, *, outsiders: int = 404) -> dict:
    """``ok`` for ``allowed``, ``default`` for New Madrid's others, ``outsiders`` for
    Cresco's people."""
    answers = {who: default for who in NEW_MADRID_PERSONAS}
    answers.update({who: ok for who in allowed})
    answers.update({who: outsiders for who in OUTSIDERS})
    return answers


@dataclass(frozen=True)
class Call:
    key: str
    method: str
    kwargs: Callable[[dict[str, Any]], dict[str, Any]]
    expect: dict[str, int]
    body: Callable[[dict[str, Any]], dict[str, Any]] | None = None

    @property
    def writes(self) -> bool:
        return self.method != "get"


def _day(days: int = 0) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


CALLS = [
    # Reads.  Cresco's director reads Cresco's (empty) lists: 200.
    Call(
        "api:entries",
        "get",
        lambda o: {},
        table(403, OPS_READERS, 200, outsiders=403) | {"outsider": 200},
    ),
    Call("api:entry", "get", lambda o: {"entry_id": o["entry"]}, table(403, OPS_READERS, 200)),
    Call("api:roster", "get", lambda o: {"slug": "new-madrid"}, table(403, STAFF_READERS, 200)),
    # Those who see the compliance pages (Perm.VIEW_COMPLIANCE) are the staff readers.
    Call("api:compliance", "get", lambda o: {"slug": "new-madrid"}, table(403, STAFF_READERS, 200)),
    Call(
        "api:devices",
        "get",
        lambda o: {},
        table(403, IT_VIEWERS, 200, outsiders=403) | {"outsider": 200},
    ),
    Call("api:device", "get", lambda o: {"device_id": o["device"]}, table(403, IT_VIEWERS, 200)),
    Call("api:schema", "get", lambda o: {}, table(200, (), 200, outsiders=200)),
    # Writes, each through its action.
    Call(
        "api:concerns",
        "post",
        lambda o: {"slug": "new-madrid"},
        table(403, NM_WORKERS, 201),
        lambda o: {"narrative": "Strange pop-ups on a public computer"},
    ),
    Call(
        "api:completions",
        "post",
        lambda o: {"slug": "new-madrid"},
        table(403, TRAINING_MANAGERS, 201),
        lambda o: {"course": o["course"], "username": o["staff"], "completed_on": _day(1)},
    ),
    Call(
        "api:device",
        "patch",
        lambda o: {"device_id": o["device"]},
        table(403, IT_MANAGERS, 200),
        lambda o: {"notes": "Checked"},
    ),
    Call(
        "api:device_add",
        "post",
        lambda o: {"slug": "new-madrid"},
        table(403, IT_MANAGERS, 201),
        lambda o: {"kind": "printer", "name": "PRN-MATRIX"},
    ),
    Call(
        "api:patches",
        "post",
        lambda o: {"slug": "new-madrid"},
        table(403, IT_MANAGERS, 201),
        lambda o: {"devices": [o["device"]], "patched_on": _day()},
    ),
    Call(
        "api:intake",
        "post",
        lambda o: {"slug": "new-madrid"},
        table(403, NM_WORKERS, 201),
        lambda o: {
            "requester_name": "Det. Carter",
            "requester_type": "law_enforcement",
            "instrument": "subpoena",
            "patrons_as_named": "As the subpoena names them",
            "record_types": ["loans"],
        },
    ),
    # A person's token is not an alert source's secret.
    Call(
        "api:alert",
        "post",
        lambda o: {"source_key": o["source_key"]},
        table(401, (), 401, outsiders=401),
        lambda o: {"alert_id": "1", "title": "t"},
    ),
]
#: The endpoints that only take a POST answer a token's GET with 405.
POST_ONLY = ("api:concerns", "api:completions", "api:device_add", "api:patches", "api:intake")


@pytest.fixture
def objects(people, new_madrid) -> dict[str, Any]:
    return {
        "entry": an_operations_entry_of(new_madrid),
        "device": a_device(new_madrid, "MATRIX-PC-01").pk,
        "course": quiz_course(new_madrid).pk,
        "staff": people["staff"].username,
        "source_key": an_alert_source(new_madrid)[0].key,
    }


@pytest.fixture
def tokens(people) -> Callable[[str, str], Any]:
    made: dict[tuple[str, str], Any] = {}

    def token_of(who: str, scope: str) -> Any:
        if (who, scope) not in made:
            made[who, scope] = bearer(a_token(people[who], scope=scope)[1])
        return made[who, scope]

    return token_of


def _send(client: Any, call: Call, objects: dict[str, Any], *, undo: bool = True) -> int:
    """The answer to ``call``; a write is undone after it is checked (``undo``), so that
    every persona meets the same state."""
    url = reverse(call.key, kwargs=call.kwargs(objects))
    body = call.body(objects) if call.body else None
    send = getattr(client, call.method)
    with transaction.atomic():
        response = send(url, body, content_type="application/json") if body else send(url)
        transaction.set_rollback(undo)
    return int(response.status_code)


def test_the_matrix_covers_every_endpoint() -> None:
    """An endpoint added later without a line here fails."""
    from bookwarden.core.tests.test_authorization_matrix import API_ENDPOINTS

    assert set(API_ENDPOINTS) <= {call.key for call in CALLS}


@pytest.mark.parametrize("call", CALLS, ids=lambda c: f"{c.method} {c.key}")
def test_token_matrix(call: Call, objects, tokens) -> None:
    """CC-2, CC-7: each persona's write token gets the declared answer."""
    wrong = []
    for who in HOLDERS:
        got = _send(tokens(who, Scope.WRITE), call, objects)
        if got != call.expect[who]:
            wrong.append(
                f"  {call.method.upper()} {call.key} as {who}: got {got}, want {call.expect[who]}"
            )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    "call",
    [c for c in CALLS if c.writes and c.key != "api:alert"],
    ids=lambda c: f"{c.method} {c.key}",
)
def test_a_read_only_token_never_writes(call: Call, objects, tokens) -> None:
    """CC-7: a read-only token's write is 403 for everyone, and writes nothing."""
    clients = {who: tokens(who, Scope.READ) for who in HOLDERS}
    head = audit_head()
    for who, client in clients.items():
        assert _send(client, call, objects, undo=False) == 403, who
    assert events_since(head) == []


@pytest.mark.parametrize("key", POST_ONLY)
def test_post_only_endpoints_refuse_a_get(key, objects, tokens) -> None:
    url = reverse(key, kwargs={"slug": "new-madrid"})
    assert tokens("director", Scope.WRITE).get(url).status_code == 405


def test_the_installation_role_makes_no_token(people) -> None:
    from django.core.exceptions import ValidationError

    for who in INSTALLATION:
        with pytest.raises(ValidationError):
            a_token(people[who], libraries=list(Library.objects.all()))
