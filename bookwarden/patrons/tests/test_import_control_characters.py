"""A NUL byte or another control character in any field of an imported file is an error
naming the line and the column, on SQLite and PostgreSQL alike, and nothing is imported
(PostgreSQL cannot store NUL in text; SQLite would store it without a word)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Library
from bookwarden.patrons.importer import ImportFailed, import_file
from bookwarden.patrons.models import Loan, Patron

pytestmark = pytest.mark.django_db

NUL = "contains a NUL byte (U+0000), which cannot be stored: remove it from the export"
PATRONS = "ils_id,card_number,first_name,last_name\np1,1001,Ada,Lovelace\np2,1002,Zo\x00e,Young\n"
LOAN_HEADER = "ils_id,patron_ils_id,item_barcode,title,checked_out_at\n"


@pytest.fixture
def library(people) -> Library:
    return Library.objects.get(slug="new-madrid")


def write(tmp_path: Path, text: str, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def refused(kind: str, path: Path, library: Library, **kwargs) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportFailed) as failed:
        import_file(kind, path, library, **kwargs)
    return [(e.line, e.column, e.reason) for e in failed.value.errors]


def test_a_nul_byte_in_a_patron_field_names_line_and_column(library, tmp_path) -> None:
    assert refused("patrons", write(tmp_path, PATRONS), library) == [(3, "first_name", NUL)]
    assert not Patron.objects.filter(library=library, ils_id__in=["p1", "p2"]).exists()
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN).latest("seq")
    assert event.after["ok"] is False and event.after["bad_rows"] == 1


def test_a_nul_byte_in_a_loan_title_and_other_control_characters(library, tmp_path) -> None:
    import_file("patrons", write(tmp_path, PATRONS.replace("\x00", ""), "p.csv"), library)
    loans = (
        LOAN_HEADER
        + "l1,p1,B1,Fine title,2024-01-02 10:00\n"
        + "l2,p1,B2,Bad\x00title,2024-01-02 10:00\n"
        + "l3,p2,B\x1b3,\x07Ring,2024-01-02 10:00\n"
        + 'l4,p2,B4,"Two\nlines \x00",2024-01-02 10:00\n'
        + "l5,p2,B5,Tab\tis fine,2024-01-02 10:00\n"
    )
    assert refused("loans", write(tmp_path, loans), library) == [
        (3, "title", NUL),
        (4, "item_barcode", NUL.replace("a NUL byte (U+0000)", "a control character (U+001B)")),
        (4, "title", NUL.replace("a NUL byte (U+0000)", "a control character (U+0007)")),
        (5, "title", NUL),
    ]
    assert not Loan._unguarded.filter(library=library).exists()


def test_the_column_is_the_one_in_the_file_for_ils_formats(library, tmp_path) -> None:
    koha = (
        "cardnumber,surname,firstname,branchcode,categorycode\n"
        "1001,Lovelace,Ada,,PT\n"
        "1002,You\x00ng,Zoe,,PT\n"
    )
    assert refused("patrons", write(tmp_path, koha), library, fmt="koha") == [(3, "surname", NUL)]


def test_a_nul_byte_in_the_header(library, tmp_path) -> None:
    text = "ils_id,last\x00_name\np1,Lovelace\n"
    assert refused("patrons", write(tmp_path, text), library) == [(1, "", f"the header {NUL}")]


def test_the_command_names_the_file_line_and_column(library, tmp_path, capsys) -> None:
    path = write(tmp_path, PATRONS)
    with pytest.raises(CommandError, match=f"1 bad row\\(s\\) in {path}: nothing was imported"):
        call_command("import", "patrons", str(path), "--library", "new-madrid")
    assert f"line 3, column first_name: {NUL}" in capsys.readouterr().err
