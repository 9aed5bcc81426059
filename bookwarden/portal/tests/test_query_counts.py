"""The portal's pages run a fixed number of queries however much a patron has borrowed or
however often staff opened their records (DESIGN: query counts of the main pages pinned)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from bookwarden.core.tests.helpers import audit_event_queries
from bookwarden.patrons.models import Loan
from bookwarden.patrons.record_access import Purpose, open_records

from .conftest import url

# session, card + patron, library; then the page's own queries and the session save.  Only
# the privacy page (and the renewal reminder) read the retention rules the notice quotes.
# The records page writes one audit event (the patron's own opening).
PAGES = {"home": 6, "records": 16 + audit_event_queries(), "who_opened": 7, "reading_history": 6}


def _more_data(people, patron) -> None:
    for n in range(40):
        Loan._unguarded.create(
            library=patron.library,
            patron=patron,
            item_barcode=f"3pa9{n:03d}",
            title=f"Book {n}",
            checked_out_at=timezone.now(),
        )
    for _ in range(10):
        open_records(actor=people["staff"], patron=patron, purpose=Purpose.OVERDUE_RECOVERY)


@pytest.mark.parametrize("name", list(PAGES))
def test_portal_query_count_is_pinned(
    name, patrons, people, portal_as, django_assert_num_queries
) -> None:
    rosa = patrons["parent"]
    client = portal_as("parent")
    with django_assert_num_queries(PAGES[name]):
        assert client.get(url(name, rosa)).status_code == 200
    _more_data(people, rosa)
    with django_assert_num_queries(PAGES[name]):
        assert client.get(url(name, rosa)).status_code == 200


def test_the_language_switch_query_count_is_pinned(
    patrons, portal_as, django_assert_max_num_queries
) -> None:
    """Session, library, card + patron, the patron locked and saved with the audit event,
    the session saved (issue 15)."""
    rosa = patrons["parent"]
    client = portal_as("parent")
    switch = reverse("portal:language")
    with django_assert_max_num_queries(12):
        assert client.post(switch, {"language": "es", "next": url("home", rosa)}).status_code == 302
    with django_assert_max_num_queries(9):  # the same choice again writes nothing
        assert client.post(switch, {"language": "es", "next": url("home", rosa)}).status_code == 302
