"""The data map (NM-3, CR-5h): each vendor under contract, the patron data it receives and
its branches, on one page and as CSV; another library's vendors are not on it; the pages'
query counts are pinned."""

from __future__ import annotations

import csv
import datetime
import io

import time_machine
from django.urls import reverse

from bookwarden.core.models import Branch

from .. import actions
from ..models import CARD_NUMBER, CONTACT


def _register(new_madrid, cresco) -> None:
    branches = Branch.objects.filter(library=new_madrid).order_by("name")
    actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="MOREnet",
        service="Internet",
        data_categories=["computer_sessions"],
        all_branches=False,
        branches=list(branches.filter(slug__in=["rhodes", "portageville"])),
    )
    actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Follett Destiny",
        service="Catalog",
        data_categories=[CONTACT, CARD_NUMBER, "loans"],
    )
    actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Old Vendor",
        service="Gone",
        data_categories=["holds"],
        contract_ends_on=datetime.date(2026, 1, 1),
    )
    actions.add_vendor(actor=None, library=cresco, name="Cresco Vendor", service="x")


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_data_map_page_reads_as_a_matrix(people, new_madrid, cresco, client_as) -> None:
    _register(new_madrid, cresco)
    html = client_as("it_staff").get(reverse("vendors:data_map")).content.decode()
    assert "MOREnet" in html and "Follett Destiny" in html
    assert "Old Vendor" not in html  # contract ended
    assert "Cresco Vendor" not in html  # another library
    assert 'data-label="Public computer sessions">Yes</td>' in html
    assert 'data-label="Library card number"><span class="muted">No</span>' in html
    assert "Portageville, Rhodes Memorial" in html  # MOREnet's branches
    # Branch by branch: New Madrid Memorial has the catalog vendor only.
    memorial = html.split('data-label="Branch">New Madrid Memorial</td>')[1].split("</tr>")[0]
    assert "Follett Destiny" in memorial and "MOREnet" not in memorial


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_data_map_csv_has_a_line_per_vendor_branch_and_kind(
    people, new_madrid, cresco, client_as
) -> None:
    _register(new_madrid, cresco)
    response = client_as("auditor").get(reverse("vendors:data_map_csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    morenet = [(r["branch"], r["patron data"]) for r in rows if r["vendor"] == "MOREnet"]
    assert sorted(morenet) == [
        ("Portageville", "Public computer sessions"),
        ("Rhodes Memorial", "Public computer sessions"),
    ]
    destiny = [r for r in rows if r["vendor"] == "Follett Destiny"]
    assert len(destiny) == 3 * 3  # every branch, three kinds of data
    assert {r["library"] for r in rows} == {"New Madrid County Library"}


def test_query_counts_do_not_grow_with_the_register(
    people, new_madrid, cresco, client_as, django_assert_max_num_queries
) -> None:
    _register(new_madrid, cresco)
    for n in range(15):
        actions.add_vendor(
            actor=None,
            library=new_madrid,
            name=f"Vendor {n}",
            service="x",
            all_branches=n % 2 == 0,
            branches=list(Branch.objects.filter(library=new_madrid)[:1]),
        )
    client = client_as("tech_coordinator")
    vendor_id = actions.add_vendor(actor=None, library=new_madrid, name="Last", service="x").pk
    pages = {
        reverse("vendors:list"): 11,
        reverse("vendors:data_map"): 11,
        reverse("vendors:data_map_csv"): 11,
        reverse("vendors:detail", args=[vendor_id]): 13,
    }
    for url, most in pages.items():
        with django_assert_max_num_queries(most, info=url):
            assert client.get(url).status_code == 200
