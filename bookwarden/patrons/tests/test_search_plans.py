"""The patron pages the desk uses all day read through indexes, on PostgreSQL (issue 16):
the search by exact card number (``card_number_search``), the search by name words (the
trigram indexes ``patron_first_name_trgm`` / ``patron_last_name_trgm``) and a patron's
loans on the page of an opening of their records (``loan_patron``).  The SQL checked is
the one the view runs, captured from a real request (CR-2c, CR-5)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.models import Library
from bookwarden.core.tests.plans import assert_indexed, captured_selects, on_postgres, the_query
from bookwarden.patrons.models import Card, Loan, Patron
from bookwarden.patrons.record_access import Purpose

N_PATRONS = 3_000
CARD = "28000000001234"


@pytest.fixture
def many_patrons(people) -> Patron:
    """Three thousand patrons with a card each in New Madrid, and one with 2,000 loans;
    the tables ANALYZEd."""
    library = Library.objects.get(slug="new-madrid")
    patrons = Patron.objects.bulk_create(
        Patron(library=library, first_name=f"Given{i}", last_name=f"Family{i % 400}")
        for i in range(N_PATRONS)
    )
    Card.objects.bulk_create(
        Card(library=library, patron=p, number=f"27{p.pk:012d}") for p in patrons
    )
    reader = Patron.objects.create(
        library=library, first_name="Ada", last_name="Quillfeather", keeps_reading_history=True
    )
    Card.objects.create(library=library, patron=reader, number=CARD)
    now = timezone.now()
    Loan._unguarded.bulk_create(
        Loan(
            library=library,
            patron=reader if i % 2 else None,
            item_barcode=f"3{i:09d}",
            checked_out_at=now - datetime.timedelta(hours=i),
            returned_at=now,
        )
        for i in range(4_000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patrons_patron, patrons_card, patrons_loan")
    return reader


def _search(client, q: str) -> list[str]:
    return captured_selects(lambda: client.get(reverse("patron_search"), {"q": q}))


@pytest.mark.postgres
@on_postgres
def test_exact_card_number_is_an_index_lookup(client_as, many_patrons) -> None:
    client = client_as("staff")
    response = client.get(reverse("patron_search"), {"q": CARD})
    assert [p.pk for p, _ in response.context["rows"]] == [many_patrons.pk]
    sql = the_query(_search(client, CARD), '"patrons_card"', "UNION")
    assert_indexed(sql, "patrons_card", index="card_number_search")
    assert_indexed(sql, "patrons_patron")


@pytest.mark.postgres
@on_postgres
def test_name_words_use_the_trigram_indexes(client_as, many_patrons) -> None:
    client = client_as("staff")
    response = client.get(reverse("patron_search"), {"q": "quillfeather ada"})
    assert [p.pk for p, _ in response.context["rows"]] == [many_patrons.pk]
    sql = the_query(_search(client, "quillfeather ada"), '"patrons_card"', "UNION")
    assert_indexed(sql, "patrons_patron")
    assert_indexed(sql, "patrons_patron", index="patron_first_name_trgm")
    assert_indexed(sql, "patrons_patron", index="patron_last_name_trgm")


@pytest.mark.postgres
@on_postgres
def test_the_loans_of_an_opening_are_read_by_the_patrons_index(client_as, many_patrons) -> None:
    client = client_as("staff")
    opened = client.post(
        reverse("patron_records", args=[many_patrons.pk]),
        {"purpose": Purpose.DESK, "card_number": CARD, "record_types": ["loans"]},
    )
    assert opened.status_code == 302
    sqls = captured_selects(lambda: client.get(opened["Location"]))
    # The page's rows and their count, both by the patron: ``loan_patron`` (patron, newest
    # first) or the patron's foreign key.
    rows = the_query(sqls, 'FROM "patrons_loan"', "LIMIT 50")
    count = the_query(sqls, 'FROM "patrons_loan"', "COUNT(*)")
    assert_indexed(rows, "patrons_loan")
    assert_indexed(count, "patrons_loan")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_on_sqlite_the_card_number_is_looked_up_by_its_index(client_as, demo_patrons) -> None:
    """SQLite keeps the plain LIKE for names (a small library's patrons), but the card
    number is still an index lookup."""
    client = client_as("staff")
    card = demo_patrons["reader"].cards.first().number
    sql = the_query(_search(client, card), '"patrons_card"', "UNION")
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    assert "USING INDEX card_number_search" in plan, plan
