"""The demo (IT-2, IT-4): one login overdue, two to change now (the vendor's visit, a
holder who left), the others fine."""

from __future__ import annotations

from bookwarden.credentials.demo import build_credentials_demo
from bookwarden.credentials.models import Credential, status_of


def test_the_demo_has_one_overdue_and_two_to_change_now(people, django_db_blocker) -> None:
    from bookwarden.operations.demo import build_operations_demo

    build_operations_demo(people)
    result = build_credentials_demo(people)
    assert result["marked"] == 2
    states = {
        c.system: status_of(c)
        for c in Credential.objects.select_related("library__credential_settings")
    }
    assert states == {
        "Main router": "overdue",
        "Firewall": "ok",
        "Mail admin account": "ok",
        "ILS database": "now",
        "Staff network printer NMM-PRN-01": "now",
    }
    printer = Credential.objects.get(system__startswith="Staff network printer")
    assert "Dave Lutz, Bootheel Office Systems" in printer.due_reason
