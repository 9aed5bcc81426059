"""The importer's native format, its error reports, all-or-nothing, and retention at import."""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Branch, Library
from bookwarden.patrons.importer import ImportFailed, import_file
from bookwarden.patrons.models import Card, Loan, Patron

pytestmark = pytest.mark.django_db

PATRON_HEADER = (
    "ils_id,card_number,first_name,last_name,address_line1,city,state,postal_code,"
    "birth_date,home_branch,guardian_ils_id,guardian_name,barred\n"
)
LOAN_HEADER = (
    "ils_id,patron_ils_id,item_barcode,title,checked_out_at,due_at,returned_at,amount_owed,branch\n"
)
PATRONS = (
    PATRON_HEADER
    + "p1,1001,Ada,Lovelace,1 Main St,New Madrid,MO,63869,1980-12-10,portageville,,,0\n"
    + 'p2,1002,Zoë,Young,"2 Oak, Apt 3",Rhodes,MO,63870,2015-03-01,rhodes,p1,,0\n'
    + "p3,1003,Carl,Barred,,,,,,,,,1\n"
)


@pytest.fixture
def library(people) -> Library:
    return Library.objects.get(slug="new-madrid")


def write(tmp_path: Path, text: str | bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def failing(kind, path, library, **kwargs):
    with pytest.raises(ImportFailed) as failed:
        import_file(kind, path, library, **kwargs)
    return [(e.line, e.column, e.reason) for e in failed.value.errors]


def test_native_patrons_with_guardian_branch_and_cards(library, tmp_path):
    result = import_file("patrons", write(tmp_path, PATRONS), library)
    assert (result.created, result.cards_created) == (3, 3)
    ada = Patron.objects.get(library=library, ils_id="p1")
    zoe = Patron.objects.get(library=library, ils_id="p2")
    assert zoe.first_name == "Zoë" and zoe.address_line1 == "2 Oak, Apt 3"
    assert zoe.guardian == ada and zoe.home_branch.slug == "rhodes"
    assert ada.ils_source == "bookwarden"
    assert Patron.objects.get(ils_id="p3").barred
    assert Card.objects.get(library=library, number="1002").patron == zoe
    again = import_file("patrons", write(tmp_path, PATRONS), library)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_changed_row_is_updated_and_counted(library, tmp_path):
    import_file("patrons", write(tmp_path, PATRONS), library)
    changed = PATRONS.replace("1 Main St", "9 Elm St").replace(",rhodes,p1,", ",rhodes,,")
    result = import_file("patrons", write(tmp_path, changed), library)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert Patron.objects.get(ils_id="p1").address_line1 == "9 Elm St"


def test_guardian_later_in_the_file_and_unknown_guardian(library, tmp_path):
    text = PATRON_HEADER + "w,,Kid,One,,,,,2018-01-01,,g,,0\ng,,Mum,One,,,,,,,,,0\n"
    import_file("patrons", write(tmp_path, text), library)
    assert Patron.objects.get(ils_id="w").guardian.ils_id == "g"
    bad = PATRON_HEADER + "w2,,Kid,Two,,,,,,,nobody,,0\n"
    errors = failing("patrons", write(tmp_path, bad), library)
    assert errors == [(2, "guardian_ils_id", "unknown guardian 'nobody' (not a patron here)")]
    assert not Patron.objects.filter(ils_id="w2").exists()


def test_bad_encoding_is_reported_with_its_line(library, tmp_path):
    data = PATRONS.encode() + b"p4,1004,Bad\xff\xfe,Bytes,,,,,,,,,0\n"
    errors = failing("patrons", write(tmp_path, data), library)
    assert errors == [(5, "", "bad encoding: the line is not valid UTF-8")]
    assert not Patron.objects.filter(library=library).exists()


def test_missing_required_column_names_the_header(library, tmp_path):
    text = "ils_id,first_name\np1,Ada\n"
    errors = failing("patrons", write(tmp_path, text), library)
    assert errors == [(1, "last_name", "required column missing from the header")]
    koha = "cardnumber,surname,branchcode\n1,A,MPL\n"
    errors = failing("patrons", write(tmp_path, koha), library, fmt="koha")
    assert errors == [(1, "categorycode", "required column missing from the header")]


def test_unknown_native_column_and_wrong_field_count(library, tmp_path):
    errors = failing("patrons", write(tmp_path, "ils_id,last_name,shoe_size\n1,A,9\n"), library)
    assert errors == [(1, "shoe_size", "unknown column (see docs/import.md)")]
    errors = failing("patrons", write(tmp_path, "ils_id,last_name\n1,A,extra\n2,B\n"), library)
    assert errors == [(2, "", "expected 2 fields, found 3")]


def test_bad_dates_and_values(library, tmp_path):
    text = (
        PATRON_HEADER
        + "p1,,Ada,Lovelace,,,,,10/12/1980,,,,0\n"
        + "p2,,Bo,,,,,,,,,,0\n"
        + "p3,,Cy,Doe,,,,,,nowhere,,,0\n"
        + "p4,,Di,Doe,,,,,,,,,maybe\n"
    )
    errors = failing("patrons", write(tmp_path, text), library)
    assert errors == [
        (2, "birth_date", "not a date (YYYY-MM-DD): '10/12/1980'"),
        (3, "last_name", "required value is empty"),
        (4, "home_branch", "no branch 'nowhere' in this library"),
        (5, "barred", "not a yes/no value: 'maybe'"),
    ]
    loans = LOAN_HEADER + "l1,p1,B1,,2024-02-30 10:00,,,,\n"
    import_file("patrons", write(tmp_path, PATRONS, "p.csv"), library)
    errors = failing("loans", write(tmp_path, loans), library)
    assert errors[0][:2] == (2, "checked_out_at")
    assert "not a date and time" in errors[0][2]


def test_duplicate_ids_and_card_numbers_inside_the_file(library, tmp_path):
    text = PATRONS + "p1,1009,Ada,Again,,,,,,,,,0\np9,1001,Other,Person,,,,,,,,,0\n"
    errors = failing("patrons", write(tmp_path, text), library)
    assert errors == [
        (5, "ils_id", "duplicate id 'p1' inside the file"),
        (6, "card_number", "duplicate card number '1001'"),
    ]
    assert not Patron.objects.filter(library=library).exists()


def test_card_number_of_another_patron_is_refused(library, tmp_path):
    import_file("patrons", write(tmp_path, PATRONS), library)
    other = PATRON_HEADER + "q1,1001,Someone,Else,,,,,,,,,0\n"
    errors = failing("patrons", write(tmp_path, other), library, source="sierra")
    assert errors == [
        (2, "card_number", "card number already belongs to another patron in this library")
    ]


def test_unknown_patron_and_all_or_nothing(library, tmp_path):
    import_file("patrons", write(tmp_path, PATRONS, "p.csv"), library)
    loans = (
        LOAN_HEADER
        + "l1,p1,B1,A title,2024-01-02 10:00:00-06,2024-01-23,,,portageville\n"
        + "l2,ghost,B2,,2024-01-02T10:00:00Z,,,,\n"
        + "l3,p2,B3,,2024-01-02 10:00,,,,\n"
        + "l1,p2,B4,,2024-01-02 10:00,,,,\n"
    )
    errors = failing("loans", write(tmp_path, loans), library)
    assert errors == [
        (3, "patron_ils_id", "unknown patron 'ghost' (import the patrons first)"),
        (5, "ils_id", "duplicate id 'l1' inside the file"),
    ]
    # Good rows before and after the bad ones were not written either.
    assert Loan._unguarded.filter(library=library).count() == 0
    ok = import_file(
        "loans", write(tmp_path, loans.replace("ghost", "p3").replace("l1,p2", "l4,p2")), library
    )
    assert ok.created == 4
    loan = Loan._unguarded.get(library=library, ils_id="l1")
    assert loan.checked_out_at == datetime.datetime(2024, 1, 2, 16, tzinfo=datetime.UTC)
    assert loan.branch == Branch.objects.get(library=library, slug="portageville")


def test_all_or_nothing_keeps_earlier_batches_out(library, tmp_path, monkeypatch):
    from bookwarden.patrons import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    text = PATRONS + "p4,1004,Bad,Date,,,,,1999-13-01,,,,0\n"
    import_file("patrons", write(tmp_path, PATRONS.replace("Lovelace", "Byron")), library)
    errors = failing("patrons", write(tmp_path, text), library)
    assert errors == [(5, "birth_date", "not a date (YYYY-MM-DD): '1999-13-01'")]
    # The first batch's update (Byron -> Lovelace) was rolled back with the rest.
    assert Patron.objects.get(ils_id="p1").last_name == "Byron"
    assert not Patron.objects.filter(ils_id="p4").exists()


def test_failed_file_leaves_one_audit_event_without_counts_of_writes(library, tmp_path):
    before = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).count()
    failing("patrons", write(tmp_path, "ils_id,first_name\n1,A\n"), library)
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).order_by("seq")
    assert events.count() == before + 1
    assert events.last().after == {
        "kind": "patrons",
        "format": "bookwarden",
        "ok": False,
        "bad_rows": 1,
    }


def test_retention_applies_at_import(library, tmp_path):
    import_file("patrons", write(tmp_path, PATRONS, "p.csv"), library)
    Patron.objects.filter(ils_id="p2").update(keeps_reading_history=True)
    loans = (
        LOAN_HEADER
        + "r1,p1,B1,Returned,2024-01-02 10:00,2024-01-23 10:00,2024-01-20 10:00,,\n"
        + "r2,p1,B2,Owes,2024-01-02 10:00,2024-01-23 10:00,2024-01-30 10:00,1.50,\n"
        + "r3,p1,B3,Open,2024-01-02 10:00,2024-01-23 10:00,,,\n"
        + "r4,p2,B4,Kept,2024-01-02 10:00,2024-01-23 10:00,2024-01-20 10:00,0.00,\n"
    )
    result = import_file("loans", write(tmp_path, loans), library)
    assert (result.created, result.unlinked_by_retention) == (4, 1)
    by_id = {loan.ils_id: loan for loan in Loan._unguarded.filter(library=library)}
    assert by_id["r1"].patron_id is None  # returned, nothing owed, no consent
    assert by_id["r2"].patron.ils_id == "p1"  # something is owed
    assert by_id["r2"].amount_owed == decimal.Decimal("1.50")
    assert by_id["r3"].patron.ils_id == "p1"  # still out
    assert by_id["r4"].patron.ils_id == "p2"  # the patron keeps reading history
    again = import_file("loans", write(tmp_path, loans), library)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)


def test_command_progress_line_and_exit_status(library, tmp_path, capsys):
    path = write(tmp_path, PATRONS)
    call_command("import", "patrons", str(path), "--library", "new-madrid", "--progress")
    captured = capsys.readouterr()
    assert "\r[" in captured.err and "100.0%" in captured.err
    assert "3 created" in captured.out
    with pytest.raises(CommandError, match="1 bad row"):
        call_command(
            "import", "patrons", str(write(tmp_path, "ils_id\n1\n")), "--library", "new-madrid"
        )
    assert "line 1, column last_name" in capsys.readouterr().err
    with pytest.raises(CommandError, match="No library"):
        call_command("import", "patrons", str(path), "--library", "nowhere")


def test_every_bad_row_is_reported_across_batches(library, tmp_path, monkeypatch):
    from bookwarden.patrons import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    import_file("patrons", write(tmp_path, PATRONS, "p.csv"), library)
    loans = LOAN_HEADER + "".join(
        f"x{n},{'p1' if n % 3 else 'nobody'},B{n},,2024-01-0{n} 10:00,,,,\n" for n in range(1, 8)
    )
    loans = loans.replace("2024-01-02 10:00", "yesterday")
    errors = failing("loans", write(tmp_path, loans), library)
    assert [(line, column) for line, column, _ in errors] == [
        (3, "checked_out_at"),
        (4, "patron_ils_id"),
        (7, "patron_ils_id"),
    ]


def test_columns_left_out_of_a_native_file_are_left_as_stored(library, tmp_path):
    import_file("patrons", write(tmp_path, PATRONS), library)
    result = import_file("patrons", write(tmp_path, "ils_id,last_name\np1,Byron\n"), library)
    assert (result.updated, result.unchanged) == (1, 0)
    ada = Patron.objects.get(ils_id="p1")
    assert (ada.last_name, ada.address_line1, ada.home_branch.slug) == (
        "Byron",
        "1 Main St",
        "portageville",
    )
    assert ada.cards.get().number == "1001"
