"""Fixtures of the patron tests: the demo patrons, with records, built through the actions."""

from __future__ import annotations

import pytest

from bookwarden.core.models import Library
from bookwarden.patrons.models import Patron


@pytest.fixture
def patrons(demo_patrons) -> dict[str, Patron]:
    """parent, minor (guardian: parent), reader (keeps history), lost_card (first card lost,
    second active) of New Madrid; cresco_patron of Cresco.  Each has one record of every type;
    loans: one overdue ("The Old Man and the Sea"), one not yet due."""
    return demo_patrons


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")
