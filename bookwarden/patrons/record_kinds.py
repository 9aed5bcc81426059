"""The kinds of library records Bookwarden keeps, named once (CR-5, CR-6a).

Their keys are used in URLs, purposes, classification, retention rules and requests for
records; their labels on every page.  :mod:`bookwarden.patrons.records` says how each is
stored and shown; the disclosure rules add the kinds kept outside Bookwarden.
"""

from __future__ import annotations

from django.db import models


class RecordKind(models.TextChoices):
    LOANS = "loans", "Loans"
    HOLDS = "holds", "Holds"
    SEARCHES = "searches", "Catalog searches"
    REFERENCE = "reference", "Reference questions"
    COMPUTER_SESSIONS = "computer_sessions", "Public computer sessions"
    ROOM_BOOKINGS = "room_bookings", "Room bookings"
    PROGRAM_REGISTRATIONS = "program_registrations", "Program registrations"
