"""Tampering with stored events is detected, and ``verify`` names the first broken event
(DESIGN mechanism 3; LV-3 attributable actions, NM-4 disclosures on record, CC-9).

Raw SQL goes past the model's guards; on PostgreSQL the ``raw_sql`` fixture disables the
append-only trigger inside the test's rolled-back transaction."""

from __future__ import annotations

import datetime

from django.db import connection
from django.utils import timezone

from bookwarden.audit.actions import hashed_values
from bookwarden.audit.chain import event_hash
from bookwarden.audit.models import AuditAction, AuditEvent

from .conftest import TABLE, verify_json

Q = connection.ops.quote_name


def place_id(chain_seq: int) -> int:
    """The id of the event at ``chain_seq`` in the installation's chain (the fixture's
    events belong to no library, so they are all in it)."""
    return AuditEvent.objects.values_list("id", flat=True).get(chain=0, chain_seq=chain_seq)


def forged_event(chain_seq: int, prev_hash: str, **fields: object) -> AuditEvent:
    """An event made to look genuine: its own hash computed the way ``record`` does."""
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    forged = AuditEvent(seq=newest + 100, chain=0, chain_seq=chain_seq, prev_hash=prev_hash)
    for name, value in fields.items():
        setattr(forged, name, value)
    forged.hash = event_hash(prev_hash, hashed_values(forged))
    forged.save(force_insert=True)  # inserting is the one thing the model allows
    return forged


def assert_broken_at(expected_id: int, reason: str) -> None:
    code, result = verify_json()
    assert code == 1
    assert result["ok"] is False
    assert result["first_bad"] == expected_id
    assert result["reason"] == reason


def test_untouched_chain_is_ok(chain) -> None:
    assert verify_json() == (0, {"events": 12, "ok": True, "first_bad": None})


def test_edited_purpose_is_detected(chain, raw_sql) -> None:
    raw_sql(f"UPDATE {TABLE} SET purpose = %s WHERE chain_seq = 5", ["routine check"])
    assert_broken_at(place_id(5), "content does not match its hash")


def test_purpose_added_where_there_was_none_is_detected(chain, raw_sql) -> None:
    assert AuditEvent.objects.get(chain_seq=6).purpose is None
    raw_sql(f"UPDATE {TABLE} SET purpose = %s WHERE chain_seq = 6", ["subpoena 2024-17"])
    assert_broken_at(place_id(6), "content does not match its hash")


def test_edited_after_value_is_detected(chain, raw_sql) -> None:
    raw_sql(
        f"UPDATE {TABLE} SET {Q('after')} = %s WHERE chain_seq = 7",
        ['{"idle_timeout_minutes": 999, "on": "2025-01-07"}'],
    )
    assert AuditEvent.objects.get(chain_seq=7).after["idle_timeout_minutes"] == 999
    assert_broken_at(place_id(7), "content does not match its hash")


def test_edited_actor_is_detected(chain, raw_sql, django_user_model) -> None:
    """LV-3: who acted cannot be rewritten."""
    someone = django_user_model.objects.create_user("scapegoat", password="x" * 20)
    raw_sql(f"UPDATE {TABLE} SET actor_id = %s WHERE chain_seq = 3", [someone.pk])
    assert_broken_at(place_id(3), "content does not match its hash")


def test_backdated_event_is_detected(chain, raw_sql) -> None:
    earlier = AuditEvent.objects.get(chain_seq=9).created_at - datetime.timedelta(days=30)
    raw_sql(f"UPDATE {TABLE} SET created_at = %s WHERE chain_seq = 9", [earlier])
    assert_broken_at(place_id(9), "content does not match its hash")


def test_edited_event_with_recomputed_hash_breaks_the_next_link(chain, raw_sql) -> None:
    """Whoever also recomputes the edited event's own hash breaks the link of the next."""
    row = AuditEvent.objects.get(chain_seq=4)
    row.purpose = "innocent"
    new_hash = event_hash(row.prev_hash, hashed_values(row))
    raw_sql(
        f"UPDATE {TABLE} SET purpose = %s, hash = %s WHERE chain_seq = 4", ["innocent", new_hash]
    )
    assert_broken_at(place_id(5), "link to the previous event does not match")


def test_first_event_edited_is_detected(chain, raw_sql) -> None:
    raw_sql(f"UPDATE {TABLE} SET request_id = %s WHERE chain_seq = 1", ["forged"])
    assert_broken_at(place_id(1), "content does not match its hash")


def test_last_event_edited_is_detected(chain, raw_sql) -> None:
    raw_sql(f"UPDATE {TABLE} SET ip = NULL WHERE chain_seq = 11")
    assert_broken_at(place_id(11), "content does not match its hash")


def test_deleted_event_points_at_the_one_after_the_gap(chain, raw_sql) -> None:
    after_gap = place_id(6)
    raw_sql(f"DELETE FROM {TABLE} WHERE chain_seq = 5")
    assert_broken_at(after_gap, "expected event 5 of the installation's chain, found 6")


def test_deleted_first_event_is_detected(chain, raw_sql) -> None:
    second = place_id(2)
    raw_sql(f"DELETE FROM {TABLE} WHERE chain_seq = 1")
    assert_broken_at(second, "expected event 1 of the installation's chain, found 2")


def test_deleted_event_with_renumbered_tail_breaks_the_link(chain, raw_sql) -> None:
    """Closing the gap by renumbering the later events still leaves a broken link."""
    after_gap = place_id(6)
    raw_sql(f"DELETE FROM {TABLE} WHERE chain_seq = 5")
    # Two steps: a unique column cannot be shifted in place row by row.
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -(chain_seq - 1) WHERE chain_seq > 5")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -chain_seq WHERE chain_seq < 0")
    assert list(
        AuditEvent.objects.order_by("chain_seq").values_list("chain_seq", flat=True)
    ) == list(range(1, 12))
    assert_broken_at(after_gap, "link to the previous event does not match")


def test_deleted_newest_event_is_caught_by_an_anchor(chain, raw_sql) -> None:
    """Removing the newest events leaves a shorter, valid chain: ``audit head`` recorded
    earlier (the anchor) is what catches it."""
    newest = chain[-1]
    raw_sql(f"DELETE FROM {TABLE} WHERE seq = %s", [newest.seq])
    assert verify_json() == (0, {"events": 11, "ok": True, "first_bad": None})
    code, result = verify_json("--anchor", f"{newest.seq}:{newest.hash}")
    assert code == 1
    assert result == {
        "events": 11,
        "ok": False,
        "first_bad": None,
        "reason": f"the anchored event #{newest.seq} is missing (--anchor): the log now ends "
        f"at #{chain[-2].seq}, so events were removed from the end of a chain",
    }


def test_inserted_event_points_at_the_next_genuine_event(chain, raw_sql) -> None:
    """A forged event slipped in at place 6, with a correct hash of its own content linked to
    event 5: the forgery itself checks out, the genuine event after it does not."""
    genuine_next = place_id(6)
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -(chain_seq + 1) WHERE chain_seq >= 6")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -chain_seq WHERE chain_seq < 0")
    predecessor = AuditEvent.objects.get(chain_seq=5)
    forged = forged_event(
        6,
        predecessor.hash,
        created_at=predecessor.created_at + datetime.timedelta(microseconds=1),
        action=AuditAction.ROLE_REVOKED,
        target_type="core.membership",
        target_id="7",
        purpose="forged",
        request_id="req-forged",
    )
    stored = AuditEvent.objects.get(pk=forged.pk)
    assert event_hash(stored.prev_hash, hashed_values(stored)) == stored.hash
    assert_broken_at(genuine_next, "link to the previous event does not match")


def test_inserted_event_at_the_start_is_detected(chain, raw_sql) -> None:
    genuine_first = place_id(1)
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -(chain_seq + 1)")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -chain_seq WHERE chain_seq < 0")
    forged_event(1, "0" * 64, created_at=timezone.now(), action=AuditAction.LOGIN)
    assert_broken_at(genuine_first, "link to the previous event does not match")


def test_swapped_events_are_detected(chain, raw_sql) -> None:
    """Reordering: events 4 and 8 trade places; the first out of place is reported."""
    moved_up = place_id(8)
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -1 WHERE chain_seq = 4")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = 4 WHERE chain_seq = 8")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = 8 WHERE chain_seq = -1")
    assert_broken_at(moved_up, "link to the previous event does not match")


def test_swapped_neighbours_are_detected(chain, raw_sql) -> None:
    second_of_pair = place_id(10)
    raw_sql(f"UPDATE {TABLE} SET chain_seq = -1 WHERE chain_seq = 9")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = 9 WHERE chain_seq = 10")
    raw_sql(f"UPDATE {TABLE} SET chain_seq = 10 WHERE chain_seq = -1")
    assert_broken_at(second_of_pair, "link to the previous event does not match")


def test_edited_link_is_detected(chain, raw_sql) -> None:
    """An event relinked to another predecessor (its stored prev_hash changed)."""
    e3, e4 = AuditEvent.objects.get(chain_seq=3), AuditEvent.objects.get(chain_seq=4)
    raw_sql(f"UPDATE {TABLE} SET prev_hash = %s WHERE chain_seq = 4", [e3.prev_hash])
    assert_broken_at(e4.pk, "link to the previous event does not match")
