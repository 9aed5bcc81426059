"""Audit events are append-only: the model refuses changes and deletions, and on
PostgreSQL triggers refuse them, and TRUNCATE, whoever asks (DESIGN mechanism 3; LV-3,
NM-4).  What the app's own database role may do: test_database_roles.py."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from bookwarden.audit.actions import record
from bookwarden.audit.models import AuditAction, AuditEvent

from .conftest import TABLE, verify_json

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)


@pytest.fixture
def event(db) -> AuditEvent:
    record(AuditAction.DEMO_LOADED)
    return record(AuditAction.LIBRARY_SETTINGS_CHANGED, purpose="original", after={"n": 1})


def assert_unchanged(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.purpose, stored.after, stored.hash) == (event.purpose, event.after, event.hash)
    assert verify_json()[0] == 0


def test_save_of_an_existing_event_is_refused(event) -> None:
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.purpose = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        loaded.save()
    with pytest.raises(TypeError, match="append-only"):
        loaded.save(update_fields=["purpose"])
    assert_unchanged(event)


def test_delete_of_an_event_is_refused(event) -> None:
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.get(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused(event) -> None:
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(purpose="rewritten")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().update(purpose="rewritten")
    assert_unchanged(event)


def test_queryset_delete_is_refused(event) -> None:
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 2


def test_event_without_hash_cannot_be_saved(db) -> None:
    """Only ``record()`` writes: a hand-made event without its hash is refused."""
    with pytest.raises(TypeError, match="record"):
        AuditEvent(seq=1, created_at=timezone.now(), action=AuditAction.LOGIN).save()
    assert not AuditEvent.objects.exists()


def test_forked_append_fails_on_unique_seq(event) -> None:
    """The last line of defence: a second event with a seq already taken is not stored."""
    fork = AuditEvent(
        seq=event.seq,
        created_at=timezone.now(),
        action=AuditAction.LOGIN,
        prev_hash=event.prev_hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save(force_insert=True)
    assert AuditEvent.objects.count() == 2


def test_forked_append_fails_on_a_place_taken_in_its_chain(event) -> None:
    """Two events at one place of one library's chain: the second is not stored, whatever
    its seq (issue 16: each library's chain is kept whole by a unique place)."""
    fork = AuditEvent(
        seq=event.seq + 1000,
        chain=event.chain,
        chain_seq=event.chain_seq,
        created_at=timezone.now(),
        action=AuditAction.LOGIN,
        library_id=event.library_id,
        prev_hash=event.prev_hash,
        hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        fork.save(force_insert=True)
    assert AuditEvent.objects.count() == 2


def test_people_and_libraries_named_in_the_log_cannot_be_deleted(db, django_user_model) -> None:
    """The log outlives nothing it names: deleting a person or a library that an event
    refers to is refused (staff are deactivated instead)."""
    from bookwarden.core.actions import create_library

    person = django_user_model.objects.create_user("nobody-else", password="x" * 20)
    library = create_library(actor=None, name="Test Library", slug="test", jurisdiction="US-MO")
    record(AuditAction.AUDIT_VIEWED, actor=person, library=library)
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        person.delete()
    assert {type(o) for o in refused.value.protected_objects} == {AuditEvent}
    with pytest.raises(ProtectedError) as refused, transaction.atomic():
        library.delete()
    assert {type(o) for o in refused.value.protected_objects} == {AuditEvent}
    assert verify_json() == (0, {"events": 2, "ok": True, "first_bad": None})


@on_postgres
@pytest.mark.postgres
def test_trigger_refuses_raw_update(event) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only: UPDATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {TABLE} SET purpose = 'rewritten' WHERE id = %s", [event.pk])
    assert_unchanged(event)


@on_postgres
@pytest.mark.postgres
def test_trigger_refuses_raw_delete(event) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only: DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [event.pk])
    with (
        pytest.raises(DatabaseError, match="append-only: DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE}")
    assert AuditEvent.objects.count() == 2
    assert_unchanged(event)


@on_postgres
@pytest.mark.postgres
def test_trigger_refuses_truncate(event) -> None:
    """Issue 9: TRUNCATE fires no row trigger; a statement trigger refuses it, whoever asks
    (here the tables' owner).  The test suite's own switch for its database reset is off."""
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL bookwarden.allow_audit_truncate = 'off'")
        cursor.execute(f"TRUNCATE {TABLE}")
    assert AuditEvent.objects.count() == 2
    assert_unchanged(event)


@on_postgres
@pytest.mark.postgres
@pytest.mark.parametrize("name", ["audit_event_append_only", "audit_event_no_truncate"])
def test_trigger_is_installed(db, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [name, TABLE],
        )
        assert cursor.fetchall() == [("O",)]  # enabled, for every origin
