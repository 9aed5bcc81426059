"""Fixtures of the breach tests (CR-6e): the demo people and patrons, and a clock."""

from __future__ import annotations

import datetime

import pytest

from bookwarden.core.models import Library
from bookwarden.patrons.models import Patron

#: The start of the breach window in the tests (a fixed instant, with time-machine).
T0 = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)

#: What the demo patrons' records contain: no notice or event may repeat any of it.
RECORD_CONTENTS = (
    "The Old Man and the Sea",
    "A Field Guide to Missouri Birds",
    "Night Sky Atlas",
    "river flood history",
    "plat maps",
    "PC-03",
    "Meeting room A",
    "Seed library swap",
)


@pytest.fixture
def patrons(demo_patrons) -> dict[str, Patron]:
    """parent (e-mail), minor (no e-mail), reader (e-mail), lost_card (no e-mail) of New
    Madrid; cresco_patron of Cresco.  Each has one record of every type."""
    return demo_patrons


@pytest.fixture
def new_madrid(people) -> Library:
    return Library.objects.get(slug="new-madrid")


@pytest.fixture
def cresco(people) -> Library:
    return Library.objects.get(slug="cresco")
