"""What ``record()`` stores: who, what, where, why, from which request (LV-3, CR-5, NM-4)."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from bookwarden.audit.actions import record
from bookwarden.audit.context import audit_context, current_origin
from bookwarden.audit.models import AuditAction, AuditEvent

from .conftest import verify_json


def test_record_stores_every_field(people) -> None:
    director, staff = people["director"], people["staff"]
    library = director.memberships.get().library  # type: ignore[attr-defined]
    membership = staff.memberships.get()  # type: ignore[attr-defined]
    with audit_context(request_id="req-abc123", ip="198.51.100.7"):
        event = record(
            AuditAction.ROLE_CHANGED,
            actor=director,
            target=membership,
            library=library,
            subject_user=staff,
            patron=4321,
            purpose="Branch transfer approved by the board",
            before={"branch": 1, "ends_on": None},
            after={"branch": 2, "ends_on": datetime.date(2026, 6, 30)},
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == director
    assert stored.action == AuditAction.ROLE_CHANGED == "role.changed"
    assert (stored.target_type, stored.target_id) == ("core.membership", str(membership.pk))
    assert stored.target_label == f"Membership #{membership.pk}"
    assert stored.library == library
    assert stored.subject_user == staff
    assert stored.patron_id == 4321
    assert stored.purpose == "Branch transfer approved by the board"
    assert stored.request_id == "req-abc123"
    assert stored.ip == "198.51.100.7"
    assert stored.before == {"branch": 1, "ends_on": None}
    assert stored.after == {"branch": 2, "ends_on": "2026-06-30"}
    # Its library's chain: the place after the library's newest event before it, linked to
    # that event (issue 16: each library's events form a chain of their own).
    assert stored.seq == AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]
    assert stored.chain == library.pk
    before_it = AuditEvent.objects.filter(chain=library.pk, chain_seq__lt=stored.chain_seq)
    previous = before_it.order_by("-chain_seq").first()
    assert previous is not None and stored.chain_seq == previous.chain_seq + 1
    assert stored.prev_hash == previous.hash
    assert stored.hash == event.hash
    assert verify_json()[0] == 0


def test_ids_may_be_given_instead_of_objects(people) -> None:
    director = people["director"]
    library_id = director.memberships.get().library_id  # type: ignore[attr-defined]
    event = record(
        AuditAction.AUDIT_VIEWED,
        actor=director.pk,
        library=library_id,
        subject_user=people["staff"].pk,
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_id, stored.library_id, stored.subject_user_id) == (
        director.pk,
        library_id,
        people["staff"].pk,
    )


def test_values_are_normalized_as_the_database_returns_them(db) -> None:
    """Dates, times, decimals and tuples become JSON text and lists before hashing, so the
    stored event hashes to the same value when ``verify`` reads it back."""
    when = datetime.datetime(2025, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
    event = record(
        AuditAction.LIBRARY_SETTINGS_CHANGED,
        before={"since": datetime.date(2025, 1, 2), "fee": decimal.Decimal("1.50")},
        after={"at": when, "ids": (3, 1, 2), "nested": {"b": 1, "a": [True, None]}},
    )
    expected_before = {"since": "2025-01-02", "fee": "1.50"}
    expected_after = {"at": str(when), "ids": [3, 1, 2], "nested": {"b": 1, "a": [True, None]}}
    assert (event.before, event.after) == (expected_before, expected_after)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.before, stored.after) == (expected_before, expected_after)
    assert verify_json() == (0, {"events": 1, "ok": True, "first_bad": None})


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        (1.5, 1.5),
        (0.1, 0.1),
        (123.0, 123.0),
        (1.5e-7, 1.5e-7),
        (10**20, 10**20),
        # PostgreSQL's jsonb gives these back as 10000000000000000 and 0.0.
        (1e16, 10**16),
        (-2.5e17, -(25 * 10**16)),
        (-0.0, 0.0),
    ],
)
def test_numbers_survive_the_round_trip(db, given: float, kept: float) -> None:
    event = record(AuditAction.LIBRARY_SETTINGS_CHANGED, after={"v": given})
    assert event.after == {"v": kept}
    assert type(event.after["v"]) is type(kept)
    assert AuditEvent.objects.get(pk=event.pk).after == {"v": kept}
    assert verify_json() == (0, {"events": 1, "ok": True, "first_bad": None})


def test_empty_purpose_and_no_before_after_are_null(db) -> None:
    event = record(AuditAction.DEMO_LOADED, purpose="")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.purpose is None
    assert stored.before is None and stored.after is None
    assert stored.actor_id is None and stored.library_id is None and stored.patron_id is None
    assert (stored.target_type, stored.target_id, stored.target_label) == ("", "", "")


def test_anonymous_actor_is_recorded_as_nobody(db) -> None:
    event = record(AuditAction.LOGIN_FAILED, actor=AnonymousUser())
    assert AuditEvent.objects.get(pk=event.pk).actor_id is None


def test_unknown_action_raises_and_writes_nothing(db) -> None:
    with pytest.raises(ValueError, match="Unknown audit action"):
        record("patron.record_shredded")
    with pytest.raises(ValueError):
        record("")
    assert not AuditEvent.objects.exists()


def test_action_given_as_text_is_accepted(db) -> None:
    assert record("audit.viewed").action == AuditAction.AUDIT_VIEWED


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        # An IPv4 client seen through a dual-stack socket: Python and the database spell
        # ::ffff:192.0.2.10 differently, so it is stored as the IPv4 address it is.
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("fe80::1%eth0", "fe80::1"),  # a zone is local to the server; PostgreSQL refuses it
        ("not an address", None),
        (None, None),
    ],
)
def test_source_address_is_normalized(db, given: str | None, stored: str | None) -> None:
    """The address is hashed in the form the database gives back, or the chain would
    report a genuine event as tampered with."""
    with audit_context(request_id="req-ip", ip=given):
        event = record(AuditAction.LOGIN_FAILED)
    assert event.ip == stored
    assert AuditEvent.objects.get(pk=event.pk).ip == stored
    assert verify_json() == (0, {"events": 1, "ok": True, "first_bad": None})


def test_without_context_a_command_line_request_id_is_used(db) -> None:
    event = record(AuditAction.DEMO_LOADED)
    assert event.request_id.startswith("cli-")
    assert event.request_id == current_origin().request_id
    assert event.ip is None


def test_context_is_restored_after_the_block(db) -> None:
    outside = current_origin()
    with audit_context(request_id="inner", ip="192.0.2.1") as origin:
        assert current_origin() is origin
        assert record(AuditAction.DEMO_LOADED).request_id == "inner"
    assert current_origin() == outside
    assert record(AuditAction.DEMO_LOADED).request_id == outside.request_id


def test_context_without_id_gets_a_fresh_one(db) -> None:
    with audit_context() as one, audit_context() as two:
        pass
    assert one.request_id and two.request_id and one.request_id != two.request_id


def test_request_id_of_an_event_matches_the_response_header(client_as) -> None:
    """Every page's X-Request-ID leads to the events it wrote (LV-3)."""
    client = client_as("director")
    response = client.get(reverse("audit:list"))
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    events = AuditEvent.objects.filter(request_id=request_id)
    assert [e.action for e in events] == [AuditAction.AUDIT_VIEWED]
    assert events[0].actor.username == "mreyes"  # type: ignore[union-attr]
    assert events[0].ip == "127.0.0.1"
    second = client.get(reverse("audit:list"))
    assert second["X-Request-ID"] != request_id
    assert AuditEvent.objects.filter(request_id=second["X-Request-ID"]).count() == 1


def test_record_joins_the_callers_transaction(db) -> None:
    """An action that fails after recording leaves no event behind: no orphan entries."""
    from django.db import transaction

    record(AuditAction.DEMO_LOADED)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(AuditAction.LIBRARY_SETTINGS_CHANGED)
        raise RuntimeError("the change itself failed")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["system.demo_loaded"]
    after = record(AuditAction.AUDIT_VIEWED)
    assert after.chain_seq == 2  # the rolled-back event took no place in the chain
    assert verify_json() == (0, {"events": 2, "ok": True, "first_bad": None})
