"""The patron import writes set-based, without model instances (issue 16, CC-6): the rows
it stores are, column for column, the rows a save of model instances stores, and its
counts (created, changed, unchanged, cards) are what they were."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from bookwarden.audit.models import AuditAction, AuditEvent
from bookwarden.core.models import Branch, Library
from bookwarden.patrons.importer import import_file
from bookwarden.patrons.models import Card, Patron

pytestmark = pytest.mark.django_db

HEADER = (
    "ils_id,card_number,first_name,last_name,address_line1,address_line2,city,state,"
    "postal_code,phone,email,birth_date,home_branch,guardian_ils_id,guardian_name,barred,"
    "card_expires_on\n"
)
ROWS = {
    "r1": "r1,5001,Ada,Lovelace,1 Main St,Apt 2,New Madrid,MO,63869,573-555-0101,"
    "ada@example.org,1980-12-10,portageville,,,0,2030-06-30",
    "r2": "r2,,,Solo,,,,,,,,,,,Aunt May,1,",
    "r3": 'r3,5003,Zoë,Young,"2 Oak, Apt 3",,Rhodes,MO,63870,,,2015-03-01,rhodes,r1,,0,',
    "r4": "r4,5004,Carl,Quiet,,,,,,,,,,,,0,",
}
#: What each row means, as model field values (home branch by slug, guardian by ils_id).
EXPECTED: dict[str, dict[str, Any]] = {
    "r1": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "address_line1": "1 Main St",
        "address_line2": "Apt 2",
        "city": "New Madrid",
        "state": "MO",
        "postal_code": "63869",
        "phone": "573-555-0101",
        "email": "ada@example.org",
        "birth_date": datetime.date(1980, 12, 10),
        "home_branch": "portageville",
        "guardian": None,
        "guardian_name": "",
        "barred": False,
    },
    "r2": {"last_name": "Solo", "guardian_name": "Aunt May", "barred": True},
    "r3": {
        "first_name": "Zoë",
        "last_name": "Young",
        "address_line1": "2 Oak, Apt 3",
        "city": "Rhodes",
        "state": "MO",
        "postal_code": "63870",
        "birth_date": datetime.date(2015, 3, 1),
        "home_branch": "rhodes",
        "guardian": "r1",
    },
    "r4": {"first_name": "Carl", "last_name": "Quiet"},
}
CARDS = {"5001": ("r1", datetime.date(2030, 6, 30)), "5003": ("r3", None), "5004": ("r4", None)}


@pytest.fixture
def library(people) -> Library:
    return Library.objects.get(slug="new-madrid")


def write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "patrons.csv"
    path.write_text(HEADER + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    return path


def stored(model: type, pk: int) -> dict[str, Any]:
    """The row as the database holds it, read past the ORM's conversions: each column as
    text, and on SQLite (which stores any type in any column) the type it is stored as."""
    quote = connection.ops.quote_name
    columns = [f.column for f in model._meta.concrete_fields]
    selected = [f"CAST({quote(c)} AS TEXT)" for c in columns]
    names = list(columns)
    if connection.vendor == "sqlite":
        selected += [f"typeof({quote(c)})" for c in columns]
        names += [f"{c}:type" for c in columns]
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selected)} FROM {table} WHERE id = %s", [pk])
        return dict(zip(names, cursor.fetchone(), strict=True))


def every_row(library: Library) -> dict[tuple[str, int], dict[str, Any]]:
    """The library's patrons and cards, as stored: (table, pk) -> row."""
    return {
        (model._meta.db_table, pk): stored(model, pk)
        for model in (Patron, Card)
        for pk in model.objects.filter(library=library).values_list("pk", flat=True)
    }


def test_imported_rows_are_the_rows_a_save_stores(library, tmp_path, monkeypatch):
    """Each imported patron and card, beside a twin saved through the ORM with the same
    values: every column holds the same thing (the key, the source and the card number
    aside), defaults included; the creation time is the import's."""
    from bookwarden.patrons import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)  # the guardian in an earlier batch
    branches = {b.slug: b for b in Branch.objects.filter(library=library)}
    started = timezone.now()
    result = import_file("patrons", write(tmp_path, list(ROWS.values())), library)
    ended = timezone.now()
    assert (result.created, result.updated, result.unchanged, result.cards_created) == (
        4,
        0,
        0,
        3,
    )
    imported = {p.ils_id: p for p in Patron.objects.filter(library=library, ils_id__in=ROWS)}
    for ils_id, values in EXPECTED.items():
        values = dict(values)
        branch = values.pop("home_branch", None)
        guardian = values.pop("guardian", None)
        twin = Patron.objects.create(
            library=library,
            ils_source="twin",
            ils_id=ils_id,
            home_branch=branches[branch] if branch else None,
            guardian=imported[guardian] if guardian else None,
            **values,
        )
        row, expected = stored(Patron, imported[ils_id].pk), stored(Patron, twin.pk)
        assert row["ils_source"] == "bookwarden"
        created_at = imported[ils_id].created_at
        assert started <= created_at <= ended
        if connection.vendor == "sqlite":
            assert row["created_at"] == connection.ops.adapt_datetimefield_value(created_at)
        for column in ("id", "ils_source", "created_at"):
            del row[column], expected[column]
        assert row == expected, ils_id
    for number, (ils_id, expires_on) in CARDS.items():
        card = Card.objects.get(library=library, number=number)
        assert card.patron_id == imported[ils_id].pk
        twin = Card.objects.create(
            library=library, patron=imported[ils_id], number=f"twin{number}", expires_on=expires_on
        )
        row, expected = stored(Card, card.pk), stored(Card, twin.pk)
        for column in ("id", "number"):
            del row[column], expected[column]
        assert row == expected, number


def test_counts_of_a_reimport_and_of_changes(library, tmp_path, monkeypatch):
    """The same file again changes no column of any row and counts every patron
    unchanged; a card's new expiry, a new guardian and a changed value each count the
    patron changed once; one IMPORT_RUN event per file, with the counts."""
    from bookwarden.patrons import importer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    events = AuditEvent.objects.filter(action=AuditAction.IMPORT_RUN)
    before = events.count()
    import_file("patrons", write(tmp_path, list(ROWS.values())), library)
    rows = every_row(library)
    again = import_file("patrons", write(tmp_path, list(ROWS.values())), library)
    assert (again.created, again.updated, again.unchanged, again.cards_created) == (0, 0, 4, 0)
    assert every_row(library) == rows

    changed = [
        ROWS["r1"].replace("2030-06-30", "2031-01-31"),  # the card only
        "r2,,,Solo,,,Rhodes,,,,,,,r3,Aunt May,1,",  # a value, and a guardian: counted once
        ROWS["r3"].replace("Rhodes,MO,63870,,", "Rhodes,MO,63870,573-555-0199,"),
        ROWS["r4"],
        "r5,5005,New,Comer,,,,,,,,,,,,0,2029-01-01",
    ]
    result = import_file("patrons", write(tmp_path, changed), library)
    assert (result.created, result.updated, result.unchanged, result.cards_created) == (
        1,
        3,
        1,
        1,
    )
    r1, r2, r3, r5 = (
        Patron.objects.get(library=library, ils_id=i) for i in ["r1", "r2", "r3", "r5"]
    )
    assert Card.objects.get(number="5001").expires_on == datetime.date(2031, 1, 31)
    assert (r2.city, r2.guardian_id) == ("Rhodes", r3.pk)
    assert r3.phone == "573-555-0199"
    assert (r5.last_name, Card.objects.get(number="5005").patron_id) == ("Comer", r5.pk)
    assert stored(Patron, r1.pk) == rows[(Patron._meta.db_table, r1.pk)]
    counts = [e.after for e in events.order_by("seq")[before:]]
    assert len(counts) == 3
    assert counts[-1]["created"] == 1 and counts[-1]["updated"] == 3
    assert counts[-1]["unchanged"] == 1 and counts[-1]["ok"] is True


def test_a_file_without_the_expiry_column_leaves_card_expiry_as_stored(library, tmp_path):
    import_file("patrons", write(tmp_path, list(ROWS.values())), library)
    path = tmp_path / "short.csv"
    path.write_text("ils_id,card_number,last_name\nr1,5001,Lovelace\n", encoding="utf-8")
    result = import_file("patrons", path, library)
    assert (result.updated, result.unchanged) == (0, 1)
    assert Card.objects.get(number="5001").expires_on == datetime.date(2030, 6, 30)
