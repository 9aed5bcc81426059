"""The kinds of library records Bookwarden keeps, named once (CR-5, CR-6a).

Their keys are used in URLs, purposes, classification, retention rules and requests for
records; their labels on every page (marked for translation: the portal, the mail and the letters to
patrons show them in the patron's language).  :mod:`bookwarden.patrons.records` says how each is
stored and shown; the disclosure rules add the kinds kept outside Bookwarden.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_noop


class RecordKind(models.TextChoices):
    LOANS = "loans", gettext_noop("Loans")
    HOLDS = "holds", gettext_noop("Holds")
    SEARCHES = "searches", gettext_noop("Catalog searches")
    REFERENCE = "reference", gettext_noop("Reference questions")
    COMPUTER_SESSIONS = "computer_sessions", gettext_noop("Public computer sessions")
    ROOM_BOOKINGS = "room_bookings", gettext_noop("Room bookings")
    PROGRAM_REGISTRATIONS = "program_registrations", gettext_noop("Program registrations")
