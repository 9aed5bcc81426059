"""The import applies the library's own loans retention rule (CR-6a, docs/import.md)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.patrons import retention, retention_rules
from bookwarden.patrons.importer import ImportFailed, import_file
from bookwarden.patrons.models import Loan, Patron
from bookwarden.patrons.models_retention import RetentionRule

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
PATRONS = "ils_id,last_name\np1,Reader\np2,Keeper\n"
LOAN_HEADER = "ils_id,patron_ils_id,item_barcode,title,checked_out_at,returned_at,amount_owed\n"
TITLE = "A Very Private Title"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def library(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def patrons(library, tmp_path) -> None:
    import_file("patrons", write(tmp_path, PATRONS, "patrons.csv"), library)
    Patron.objects.filter(library=library, ils_id="p2").update(keeps_reading_history=True)


def write(tmp_path: Path, text: str, name: str = "loans.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stamp(moment: datetime.datetime) -> str:
    return moment.isoformat(" ")


def loan_row(ils_id: str, patron: str, returned_days_ago: float | None, owed: str = "") -> str:
    returned = "" if returned_days_ago is None else stamp(NOW - returned_days_ago * DAY)
    out = stamp(NOW - 100 * DAY)
    return f"{ils_id},{patron},B-{ils_id},{TITLE},{out},{returned},{owed}\n"


def set_rule(library: Library, action: str, days: int) -> None:
    RetentionRule.objects.update_or_create(
        library=library,
        record_type="loans",
        defaults={"action": action, "after": datetime.timedelta(days=days)},
    )


def stored() -> dict[str, str | None]:
    """ils_id -> the patron's ils_id (None when unlinked), for every stored loan."""
    return {
        loan.ils_id: (loan.patron.ils_id if loan.patron_id else None)
        for loan in Loan._unguarded.select_related("patron")
    }


def last_import_event() -> AuditEvent:
    return AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).latest("seq")


def test_the_default_rule_unlinks_returned_loans_at_once(library, patrons, tmp_path):
    text = (
        LOAN_HEADER
        + loan_row("returned", "p1", 1 / 24)
        + loan_row("owes", "p1", 3, owed="0.50")
        + loan_row("open", "p1", None)
    )
    result = import_file("loans", write(tmp_path, text), library)
    assert stored() == {"returned": None, "owes": "p1", "open": "p1"}
    assert (result.created, result.unlinked_by_retention, result.deleted_by_retention) == (3, 1, 0)
    assert result.retention_rule == "unlink after 0d (default)"
    event = last_import_event().after
    assert event["ok"] and event["unlinked_by_retention"] == 1
    assert event["deleted_by_retention"] == 0
    assert TITLE not in str(event) and "B-returned" not in str(event)


def test_a_library_rule_of_30_days_keeps_recent_history_linked(library, patrons, tmp_path):
    set_rule(library, "unlink", 30)
    text = LOAN_HEADER + loan_row("recent", "p1", 5) + loan_row("old", "p1", 60)
    result = import_file("loans", write(tmp_path, text), library)
    assert stored() == {"recent": "p1", "old": None}
    assert result.unlinked_by_retention == 1
    assert result.retention_rule == "unlink after 30d (library)"
    # The regular retention run unlinks the recent one once its 30 days are over ...
    with time_machine.travel(NOW + 26 * DAY, tick=False):
        retention.run_retention(library=library)
    assert stored() == {"recent": None, "old": None}
    # ... and importing the same file again does not link it back.
    again = import_file("loans", write(tmp_path, text), library)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert stored() == {"recent": None, "old": None}


def test_a_longer_rule_does_not_relink_what_was_unlinked(library, patrons, tmp_path):
    text = LOAN_HEADER + loan_row("recent", "p1", 5)
    import_file("loans", write(tmp_path, text), library)
    assert stored() == {"recent": None}
    set_rule(library, "unlink", 30)
    again = import_file("loans", write(tmp_path, text), library)
    assert (again.updated, again.unchanged, again.unlinked_by_retention) == (0, 1, 0)
    assert stored() == {"recent": None}


def test_a_delete_rule_drops_old_returned_loans(library, patrons, tmp_path):
    set_rule(library, "delete", 14)
    text = (
        LOAN_HEADER
        + loan_row("old", "p1", 20)
        + loan_row("recent", "p1", 2)
        + loan_row("owes", "p1", 20, owed="1.00")
        + loan_row("open", "p1", None)
    )
    result = import_file("loans", write(tmp_path, text), library)
    assert stored() == {"recent": "p1", "owes": "p1", "open": "p1"}
    assert (result.rows, result.created, result.deleted_by_retention) == (4, 3, 1)
    assert result.unlinked_by_retention == 0
    event = last_import_event().after
    assert (event["created"], event["deleted_by_retention"]) == (3, 1)
    assert event["retention_rule"] == "delete after 14d (library)"
    # Later, the recent loan is past its rule: a re-import deletes the stored copy too.
    with time_machine.travel(NOW + 13 * DAY, tick=False):
        later = import_file("loans", write(tmp_path, text), library)
    assert stored() == {"owes": "p1", "open": "p1"}
    assert (later.created, later.updated, later.deleted_by_retention) == (0, 0, 2)


@pytest.mark.parametrize("action", ["unlink", "delete"])
def test_a_patron_who_keeps_reading_history_keeps_it(library, patrons, tmp_path, action):
    set_rule(library, action, 14)
    text = LOAN_HEADER + loan_row("kept", "p2", 90) + loan_row("other", "p1", 90)
    result = import_file("loans", write(tmp_path, text), library)
    expected = {"kept": "p2", "other": None} if action == "unlink" else {"kept": "p2"}
    assert stored() == expected
    assert result.unlinked_by_retention + result.deleted_by_retention == 1


def test_an_invalid_library_rule_refuses_the_import(library, patrons, tmp_path):
    set_rule(library, "unlink", 4000)  # longer than ten years: "forever" by accident
    before = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).count()
    text = LOAN_HEADER + loan_row("returned", "p1", 1) + loan_row("open", "p1", None)
    with pytest.raises(ImportFailed) as failed:
        import_file("loans", write(tmp_path, text), library)
    assert "retention rule" in failed.value.reason and "new-madrid" in failed.value.reason
    assert failed.value.errors == []
    assert not Loan._unguarded.exists()
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).order_by("seq")
    assert events.count() == before + 1
    assert events.last().after["ok"] is False
    with pytest.raises(CommandError, match="was not imported: the library's loans retention"):
        call_command("import", "loans", str(write(tmp_path, text)), "--library", "new-madrid")
    assert not Loan._unguarded.exists()


def test_a_broken_defaults_file_refuses_the_import(library, patrons, tmp_path, monkeypatch):
    broken = write(
        tmp_path, "version: 1\nrules:\n  loans: {action: unlink, after: soon}\n", "r.yaml"
    )
    monkeypatch.setattr(retention_rules, "DEFAULTS_PATH", broken)
    text = LOAN_HEADER + loan_row("returned", "p1", 1)
    with pytest.raises(ImportFailed, match="not a duration"):
        import_file("loans", write(tmp_path, text), library)
    assert not Loan._unguarded.exists()


def test_reimport_updates_changed_loans_across_batches(library, patrons, tmp_path, monkeypatch):
    from bookwarden.patrons import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    set_rule(library, "unlink", 30)
    rows = [loan_row(f"l{n}", "p1", None) for n in range(5)]
    import_file("loans", write(tmp_path, LOAN_HEADER + "".join(rows)), library)
    rows[1] = loan_row("l1", "p1", 3)  # returned since: stays linked under a 30-day rule
    rows[3] = loan_row("l3", "p1", 45)  # returned long ago: unlinked
    rows.append(loan_row("l5", "p1", None))
    result = import_file("loans", write(tmp_path, LOAN_HEADER + "".join(rows)), library)
    assert (result.created, result.updated, result.unchanged) == (1, 2, 3)
    assert stored() == {"l0": "p1", "l1": "p1", "l2": "p1", "l3": None, "l4": "p1", "l5": "p1"}
    l3 = Loan._unguarded.get(ils_id="l3")
    assert l3.returned_at == NOW - 45 * DAY
    # A file without the title column leaves the stored titles alone.
    short = "ils_id,patron_ils_id,item_barcode,checked_out_at\n" + "".join(
        f"l{n},p1,B-l{n},{stamp(NOW - 100 * DAY)}\n" for n in (0, 2)
    )
    again = import_file("loans", write(tmp_path, short), library)
    assert (again.updated, again.unchanged) == (0, 2)
    assert Loan._unguarded.get(ils_id="l0").title == TITLE
