"""CR-6e: the affected patrons come from real audit events -- every patron whose library
records the compromised accounts opened in the window, at the breach's library -- and
nothing else: not other accounts' openings, not openings outside the window or in another
library, not refused attempts.  Listing again changes nothing; patrons can be added by hand."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.breach import actions
from bookwarden.breach.models import AffectedPatron, Source
from bookwarden.core import actions as core_actions
from bookwarden.core.roles import Role
from bookwarden.patrons.record_access import Purpose, open_records

from .conftest import HOUR, MINUTE, T0
from .factories import declare, incident


def _open(actor, patron, types=None) -> None:
    open_records(
        actor=actor,
        patron=patron,
        purpose=Purpose.PATRON_REQUEST,
        note="asked by phone",
        record_types=types,
    )


@pytest.fixture
def openings(people, patrons, cresco):
    """Real openings around the window [T0, T0 + 2h] (the staff persona's account is the
    compromised one; it also holds a role at Cresco)."""
    staff = people["staff"]
    core_actions.assign_role(actor=None, user=staff, library=cresco, role=Role.STAFF)
    with time_machine.travel(T0 - HOUR, tick=False):
        _open(staff, patrons["parent"])  # before the window
    with time_machine.travel(T0 + 10 * MINUTE, tick=False):
        _open(staff, patrons["reader"], ["loans", "holds"])
        _open(people["director"], patrons["minor"])  # another account
        _open(staff, patrons["cresco_patron"])  # another library
        with pytest.raises(PermissionDenied):  # refused: a lost card is no consent
            open_records(
                actor=staff,
                patron=patrons["lost_card"],
                purpose=Purpose.DESK,
                card_number="21000000000045",
            )
    with time_machine.travel(T0 + 50 * MINUTE, tick=False):
        _open(staff, patrons["reader"], ["searches"])
        _open(staff, patrons["parent"], ["holds"])
    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        _open(staff, patrons["lost_card"])  # after the window
    assert AuditEvent.objects.filter(
        action=AuditAction.RECORDS_REFUSED, patron_id=patrons["lost_card"].pk
    ).exists()


@pytest.fixture
def breach(people, new_madrid, openings):
    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        return declare(
            new_madrid,
            [people["staff"]],
            actor=people["tech_coordinator"],
            start=T0,
            end=T0 + 2 * HOUR,
        )


def _listed(breach) -> dict[str, AffectedPatron]:
    return {
        a.patron.last_name + "/" + a.patron.first_name: a
        for a in AffectedPatron.objects.filter(breach=breach).select_related("patron")
    }


def test_affected_list_comes_from_the_audit_log(people, patrons, breach) -> None:
    listing = actions.list_affected(actor=people["tech_coordinator"], breach=breach)

    listed = _listed(breach)
    assert set(listed) == {"Okafor/Walter", "Delgado/Rosa"}, "reader and parent only"
    reader = listed["Okafor/Walter"]
    assert reader.source == Source.AUDIT
    assert reader.openings == 2
    assert reader.first_opened_at == T0 + 10 * MINUTE
    assert reader.record_types == ["loans", "holds", "searches"]
    parent = listed["Delgado/Rosa"]
    assert parent.first_opened_at == T0 + 50 * MINUTE  # the earlier opening was outside
    assert parent.record_types == ["holds"]
    assert (listing.patrons, listing.added, listing.events) == (2, 2, 3)

    # Every row is backed by real events of the compromised account inside the window.
    for row in listed.values():
        events = AuditEvent.objects.filter(
            action=AuditAction.RECORDS_OPENED,
            patron_id=row.patron_id,
            actor=people["staff"],
            created_at__range=(breach.window_start, breach.window_end),
        )
        assert events.count() == row.openings
        assert min(e.created_at for e in events) == row.first_opened_at

    event = AuditEvent.objects.filter(action=AuditAction.BREACH_AFFECTED_LISTED).get()
    assert event.after == {
        "events": 3,
        "patrons": 2,
        "added": 2,
        "updated": 0,
        "removed": 0,
        "gone": 0,
    }
    assert event.actor == people["tech_coordinator"]


def test_listing_again_is_idempotent(people, breach) -> None:
    actions.list_affected(actor=people["tech_coordinator"], breach=breach)
    first = {(a.pk, a.patron_id, a.openings) for a in AffectedPatron.objects.all()}
    again = actions.list_affected(actor=people["tech_coordinator"], breach=breach)
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert {(a.pk, a.patron_id, a.openings) for a in AffectedPatron.objects.all()} == first
    assert AuditEvent.objects.filter(action=AuditAction.BREACH_AFFECTED_LISTED).count() == 2


def test_a_wider_window_adds_and_a_narrower_one_removes_patrons_not_yet_notified(
    people, patrons, breach
) -> None:
    coordinator = people["tech_coordinator"]
    actions.list_affected(actor=coordinator, breach=breach)
    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        actions.change_scope(
            actor=coordinator,
            breach=breach,
            window_start=T0 - 2 * HOUR,
            window_end=T0 + 4 * HOUR,
            accounts=[people["staff"]],
        )
    listing = actions.list_affected(actor=coordinator, breach=breach)
    assert set(_listed(breach)) == {"Okafor/Walter", "Delgado/Rosa", "Harlan/June"}
    assert _listed(breach)["Delgado/Rosa"].first_opened_at == T0 - HOUR
    assert (listing.added, listing.updated) == (1, 1)

    scope = AuditEvent.objects.get(action=AuditAction.BREACH_SCOPE_CHANGED)
    assert scope.before["window_start"] == T0.isoformat()
    assert scope.after["accounts"] == [people["staff"].pk]

    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        actions.change_scope(
            actor=coordinator,
            breach=breach,
            window_start=T0,
            window_end=T0 + 2 * HOUR,
            accounts=[people["staff"]],
        )
    assert actions.list_affected(actor=coordinator, breach=breach).removed == 1
    assert set(_listed(breach)) == {"Okafor/Walter", "Delgado/Rosa"}


def test_another_account_in_scope_brings_its_openings(people, patrons, breach) -> None:
    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        actions.change_scope(
            actor=people["director"],
            breach=breach,
            window_start=T0,
            window_end=T0 + 2 * HOUR,
            accounts=[people["staff"], people["director"]],
        )
    actions.list_affected(actor=people["director"], breach=breach)
    assert set(_listed(breach)) == {"Okafor/Walter", "Delgado/Rosa", "Delgado/Leo"}


def test_add_a_patron_by_hand(people, patrons, breach) -> None:
    coordinator = people["tech_coordinator"]
    actions.list_affected(actor=coordinator, breach=breach)
    added = actions.add_patron_by_hand(
        actor=coordinator,
        breach=breach,
        patron=patrons["lost_card"],
        reason="Her card number was on a screenshot.",
    )
    assert added.source == Source.BY_HAND
    assert added.first_opened_at is None
    event = AuditEvent.objects.get(action=AuditAction.BREACH_PATRON_ADDED)
    assert event.patron_id == patrons["lost_card"].pk
    assert event.after == {"breach": breach.pk, "source": "by_hand"}
    # Listing again keeps the patron added by hand, even with no opening in scope.
    actions.list_affected(actor=coordinator, breach=breach)
    assert "Harlan/June" in _listed(breach)

    with pytest.raises(ValidationError, match="already on the list"):
        actions.add_patron_by_hand(
            actor=coordinator, breach=breach, patron=patrons["reader"], reason="again"
        )
    with pytest.raises(ValidationError, match="another library"):
        actions.add_patron_by_hand(
            actor=coordinator, breach=breach, patron=patrons["cresco_patron"], reason="x"
        )
    with pytest.raises(ValidationError):
        actions.add_patron_by_hand(
            actor=coordinator, breach=breach, patron=patrons["minor"], reason="  "
        )


def test_declaring_checks_the_incident_the_window_and_the_accounts(
    people, new_madrid, cresco
) -> None:
    coordinator = people["tech_coordinator"]
    with pytest.raises(ValidationError) as exc:
        declare(
            new_madrid,
            [people["outsider_staff"]],
            actor=coordinator,
            start=T0,
            end=T0 - HOUR,
        )
    assert set(exc.value.message_dict) == {"window_end", "accounts"}
    with pytest.raises(ValidationError, match="involving patron information"):
        declare(
            new_madrid,
            [people["staff"]],
            actor=coordinator,
            entry=incident(new_madrid, patron_data=False),
        )
    with pytest.raises(ValidationError, match="at least one"):
        declare(new_madrid, [], actor=coordinator)
    # Another library's incident: the coordinator holds no role there.
    with pytest.raises(PermissionDenied):
        declare(cresco, [people["outsider_staff"]], actor=coordinator)

    entry = incident(new_madrid)
    breach = declare(new_madrid, [people["staff"]], actor=coordinator, entry=entry)
    with pytest.raises(ValidationError, match="already declared"):
        declare(new_madrid, [people["staff"]], actor=coordinator, entry=entry)
    event = AuditEvent.objects.get(action=AuditAction.BREACH_DECLARED)
    assert event.after["entry"] == entry.pk
    assert event.after["accounts"] == [people["staff"].pk]
    assert event.library_id == new_madrid.pk
    assert breach.status == "declared"


def test_a_revoked_account_can_still_be_named(people, new_madrid) -> None:
    from bookwarden.core.models import Membership

    membership = Membership.objects.get(user=people["volunteer"], library=new_madrid)
    core_actions.revoke_role(actor=None, membership=membership, reason="left")
    breach = declare(new_madrid, [people["volunteer"]], actor=people["director"])
    assert list(breach.accounts.all()) == [people["volunteer"]]


def test_the_database_groups_the_openings_as_the_list_needs(people, new_madrid, patrons) -> None:
    """The list is written by the database (issue 16): it must keep every rule the listing
    had.  Known record types only, in the order of the records page; a ``record_types``
    that is not a list names none; a patron retention removed is counted, not listed; a
    patron added by hand keeps their row and gets the openings found; a patron already
    notified stays when out of scope, one not yet notified is taken off."""
    staff, coordinator = people["staff"], people["tech_coordinator"]
    reader, parent, minor = patrons["reader"], patrons["parent"], patrons["minor"]
    head = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    def opening(n: int, patron_id: int, after: object, minutes: int) -> AuditEvent:
        return AuditEvent(
            seq=head + n,
            created_at=T0 + minutes * MINUTE,
            action=AuditAction.RECORDS_OPENED,
            library=new_madrid,
            actor=staff,
            patron_id=patron_id,
            after=after,
            prev_hash="0" * 64,
            hash=f"{head + n:064x}",
        )

    AuditEvent.objects.bulk_create(
        [
            opening(1, reader.pk, {"record_types": ["searches", "made_up", "loans"]}, 30),
            opening(2, reader.pk, {"record_types": ["holds"]}, 20),
            opening(3, parent.pk, {"record_types": "loans"}, 40),
            opening(4, parent.pk, None, 50),
            opening(5, 10**9, {"record_types": ["loans"]}, 60),  # removed by retention
            opening(6, minor.pk, {"record_types": ["reference"]}, 70),
            opening(7, patrons["lost_card"].pk, {"record_types": ["loans"]}, 200),  # later
        ]
    )
    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        breach = declare(new_madrid, [staff], actor=coordinator, start=T0, end=T0 + 2 * HOUR)
        actions.add_patron_by_hand(actor=coordinator, breach=breach, patron=minor, reason="x")
        listing = actions.list_affected(actor=coordinator, breach=breach)
    assert (listing.events, listing.patrons, listing.gone) == (6, 3, 1)
    assert (listing.added, listing.updated, listing.removed) == (2, 1, 0)
    rows = {a.patron_id: a for a in AffectedPatron.objects.filter(breach=breach)}
    assert set(rows) == {reader.pk, parent.pk, minor.pk}
    assert rows[reader.pk].record_types == ["loans", "holds", "searches"]
    assert (rows[reader.pk].openings, rows[reader.pk].first_opened_at) == (2, T0 + 20 * MINUTE)
    assert rows[parent.pk].record_types == []
    assert (rows[parent.pk].openings, rows[parent.pk].first_opened_at) == (2, T0 + 40 * MINUTE)
    assert (rows[minor.pk].source, rows[minor.pk].reason) == (Source.BY_HAND, "x")
    assert (rows[minor.pk].openings, rows[minor.pk].record_types) == (1, ["reference"])
    assert rows[reader.pk].source == Source.AUDIT and rows[reader.pk].added_by == coordinator
    assert rows[reader.pk].notice_status == "pending" and rows[reader.pk].channel == ""

    # Narrow the window past the reader's and the parent's openings: the parent, already
    # notified, stays; the reader, not yet, is taken off; the minor was added by hand.
    AffectedPatron.objects.filter(pk=rows[parent.pk].pk).update(notice_status="sent")
    with time_machine.travel(T0 + 5 * HOUR, tick=False):
        actions.change_scope(
            actor=coordinator,
            breach=breach,
            window_start=T0 + 65 * MINUTE,
            window_end=T0 + 2 * HOUR,
            accounts=[staff],
        )
        again = actions.list_affected(actor=coordinator, breach=breach)
    assert (again.events, again.patrons, again.gone) == (1, 1, 0)
    assert (again.added, again.updated, again.removed) == (0, 0, 1)
    left = set(AffectedPatron.objects.filter(breach=breach).values_list("patron_id", flat=True))
    assert left == {parent.pk, minor.pk}


def test_a_breach_with_no_account_left_lists_nobody(people, breach) -> None:
    """The form asks for an account; should none be left (the breach's accounts emptied
    outside the pages), the listing finds no opening rather than failing."""
    coordinator = people["tech_coordinator"]
    assert actions.list_affected(actor=coordinator, breach=breach).patrons == 2
    breach.accounts.clear()
    listing = actions.list_affected(actor=coordinator, breach=breach)
    assert (listing.events, listing.patrons, listing.removed) == (0, 0, 2)
