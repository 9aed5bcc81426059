"""NM-3: the portal's privacy notice lists the library's third parties and what each
receives, from the register: a vendor added appears, one whose contract ended or that was
removed disappears, and another library's vendors never show."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from bookwarden.core.models import Branch

from .. import actions
from ..models import CONTACT


def _notice(library) -> str:
    return Client().get(reverse("portal:privacy", args=[library.slug])).content.decode()


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_the_notice_follows_the_register(people, new_madrid, cresco) -> None:
    assert "lists no outside company" in _notice(new_madrid)
    rhodes = Branch.objects.get(library=new_madrid, slug="rhodes")
    vendor = actions.add_vendor(
        actor=people["tech_coordinator"],
        library=new_madrid,
        name="Acme E-books",
        service="E-book lending",
        data_categories=[CONTACT, "loans"],
        all_branches=False,
        branches=[rhodes],
    )
    actions.add_vendor(actor=None, library=cresco, name="Cresco Only", service="x")
    html = _notice(new_madrid)
    assert "Acme E-books" in html
    row = html.split('data-label="Company">Acme E-books</td>')[1].split("</tr>")[0]
    assert "Contact information (name, address, phone, e-mail), Loans" in row
    assert "Rhodes Memorial" in row
    assert "Cresco Only" not in html

    # The contract ends yesterday: the vendor leaves the notice.
    actions.change_vendor(
        actor=people["director"],
        vendor=vendor,
        name=vendor.name,
        service=vendor.service,
        data_categories=vendor.data_categories,
        contract_ends_on=datetime.date(2026, 6, 14),
    )
    assert "Acme E-books" not in _notice(new_madrid)

    # A vendor removed from the register leaves it too.
    other = actions.add_vendor(actor=None, library=new_madrid, name="Beta Mail", service="Mail")
    assert "Beta Mail" in _notice(new_madrid)
    actions.remove_vendor(actor=None, vendor=other)
    assert "Beta Mail" not in _notice(new_madrid)


@time_machine.travel("2026-06-15 15:00:00Z", tick=False)
def test_a_contract_ending_today_is_still_listed(people, new_madrid) -> None:
    actions.add_vendor(
        actor=None,
        library=new_madrid,
        name="Last Day Co",
        service="x",
        contract_ends_on=datetime.date(2026, 6, 15),
    )
    assert "Last Day Co" in _notice(new_madrid)
