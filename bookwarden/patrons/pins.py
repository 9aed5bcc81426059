"""Portal PINs: what a good one is, how it is kept, how it is checked.

A PIN is 4 to 12 digits, hashed with the project's password hasher (Argon2 in production)
and never stored, logged or shown in clear.  Guessable PINs are refused: one digit repeated,
a run up or down (1234, 9876), or the last digits of the patron's own card.  Guessing is
also slowed by the portal's lockout (:mod:`bookwarden.portal.lockout`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

PIN_MIN = 4
PIN_MAX = 12


def _is_run(pin: str) -> bool:
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    return steps in ({0}, {1}, {9})


def validate_pin(pin: str, card_numbers: Iterable[str] = ()) -> str:
    """The PIN if it is acceptable, else ValidationError with a plain reason."""
    pin = (pin or "").strip()
    if not pin.isdigit() or not PIN_MIN <= len(pin) <= PIN_MAX:
        raise ValidationError(
            gettext("A PIN is %(min)d to %(max)d digits.") % {"min": PIN_MIN, "max": PIN_MAX}
        )
    if _is_run(pin):
        raise ValidationError(gettext("That PIN is too easy to guess: avoid 1111, 1234 or 9876."))
    if any(number.endswith(pin) for number in card_numbers if number):
        raise ValidationError(
            gettext("That PIN is too easy to guess: do not use digits of your card.")
        )
    return pin


def hash_pin(pin: str) -> str:
    return make_password(pin)


def pin_matches(encoded: str, pin: str) -> bool:
    """False for a patron without a PIN, whatever is typed (an empty hash never matches)."""
    if not encoded or not pin:
        # Spend the same work as a real check so that timing does not tell whether a
        # card has a PIN set.
        make_password(pin or "0000")
        return False
    return check_password(pin, encoded)
