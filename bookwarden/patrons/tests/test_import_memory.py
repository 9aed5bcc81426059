"""CR-6a, CC-6 (issue 16): an import's memory stays flat whatever the size of the file, and
what it remembers of the whole file (ids and card numbers seen, guardian links) still
refuses duplicates across batches with their line and column.

The figures at consortium size (peak RSS at 100,000 and 1,000,000 rows) are measured by
``bench/import_memory.py``; the test here compares the peak of Python allocations
(``tracemalloc``) of a 2,000-row and a 20,000-row loans file: a set of the ids seen grew it
by about 1.7 MB (94 bytes a row).
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from django.db import connection

from bookwarden.core.models import Library
from bookwarden.patrons import importer
from bookwarden.patrons.importer import ImportFailed, import_file
from bookwarden.patrons.models import Card, Loan, Patron

pytestmark = pytest.mark.django_db

LOAN_HEADER = "ils_id,patron_ils_id,item_barcode,checked_out_at,returned_at\n"
PATRON_HEADER = "ils_id,card_number,last_name,guardian_ils_id,birth_date\n"


@pytest.fixture
def library(people) -> Library:
    return Library.objects.get(slug="new-madrid")


def loans_file(path: Path, prefix: str, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(LOAN_HEADER)
        for i in range(n):
            fh.write(f"{prefix}{i},m{i % 50},B{i},2024-01-02 10:00:00+00:00,\n")
    return path


def peak_of_import(path: Path, library: Library) -> int:
    """Bytes allocated at the peak of the import, over what was allocated before it."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = import_file("loans", path, library)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.created == result.rows
    return peak - before


def test_import_memory_does_not_grow_with_the_file(library, tmp_path, monkeypatch):
    # Batches of 250: both files are read in several batches, so that their peaks compare
    # like with like (one batch written while the next is read).
    monkeypatch.setattr(importer, "BATCH_SIZE", 250)
    Patron.objects.bulk_create(
        Patron(library=library, ils_source="bookwarden", ils_id=f"m{i}", last_name="M")
        for i in range(50)
    )
    import_file("loans", loans_file(tmp_path / "warm.csv", "w", 2_000), library)  # caches
    small = peak_of_import(loans_file(tmp_path / "small.csv", "s", 2_000), library)
    large = peak_of_import(loans_file(tmp_path / "large.csv", "l", 20_000), library)
    assert Loan._unguarded.filter(library=library).count() == 24_000
    # 18,000 more rows: a set of their ids alone would add about 1.7 MB.
    assert large - small < 400_000, (small, large)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "f.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicates_across_batches_are_refused_with_line_and_column(library, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    text = (
        PATRON_HEADER
        + "p1,1001,One,,\n"  # 2
        + "p2,1002,Two,p4,\n"  # 3: a guardian that comes a batch later
        + "p3,1003,Three,,1990-13-01\n"  # 4: refused, but its id is still seen
        + "p4,1004,Four,,\n"  # 5
        + "p1,1005,Again,,\n"  # 6: id of line 2, another batch
        + "p6,1002,Card,nobody,\n"  # 7: card of line 3, another batch (its link not made)
        + "p3,1007,Three again,,\n"  # 8: id of the refused line 4
        + "p8,1008,Eight,,\n"  # 9
        + "p8,1008,Eight twice,,\n"  # 10: id and card of line 9, same batch
    )
    with pytest.raises(ImportFailed) as failed:
        import_file("patrons", write(tmp_path, text), library)
    assert [(e.line, e.column, e.reason) for e in failed.value.errors] == [
        (4, "birth_date", "not a date (YYYY-MM-DD): '1990-13-01'"),
        (6, "ils_id", "duplicate id 'p1' inside the file"),
        (7, "card_number", "duplicate card number '1002'"),
        (8, "ils_id", "duplicate id 'p3' inside the file"),
        (10, "card_number", "duplicate card number '1008'"),
        (10, "ils_id", "duplicate id 'p8' inside the file"),
    ]
    assert not Patron.objects.filter(library=library).exists()


def test_guardian_links_across_batches_and_the_temporary_tables_go(library, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    monkeypatch.setattr(importer.patrons, "BATCH_SIZE", 2)  # links read back 2 at a time
    text = PATRON_HEADER + "".join(
        f"p{i},{1000 + i},Name{i},{f'p{i + 3}' if i in (1, 3, 5) else ''},\n" for i in range(1, 9)
    )
    result = import_file("patrons", write(tmp_path, text), library)
    assert (result.created, result.cards_created) == (8, 8)

    def wards() -> dict[str, str]:
        return dict(
            Patron.objects.filter(library=library, guardian__isnull=False).values_list(
                "ils_id", "guardian__ils_id"
            )
        )

    assert wards() == {"p1": "p4", "p3": "p6", "p5": "p8"}
    # Again: nothing changes.  Then a new guardian alone counts its ward as updated.
    again = import_file("patrons", write(tmp_path, text), library)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    moved = import_file("patrons", write(tmp_path, text.replace(",p4,", ",p7,")), library)
    assert (moved.created, moved.updated, moved.unchanged) == (0, 1, 7)
    assert wards() == {"p1": "p7", "p3": "p6", "p5": "p8"}
    assert Card.objects.filter(library=library).count() == 8
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 't'")
        else:
            cursor.execute("SELECT name FROM sqlite_temp_master")
        temporary = [name for (name,) in cursor.fetchall() if name.startswith("bw_import_")]
    assert temporary == []
