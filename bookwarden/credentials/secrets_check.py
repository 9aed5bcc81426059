"""Bookwarden never keeps a secret (IT-3): the one check every text field of this app's
forms and actions goes through.

A value is refused when it looks like a password:

* it says so: "password: ...", "pwd=...", "pass = ...", "secret: ...";
* one of its words is 8 characters or more, mixes three of lower case, upper case, digits
  and symbols, and is not shaped like a name ("NMM-PRN-01", "Network/Main", "fw01",
  "svc_backup2024": parts of letters in one case, or capitalised, then digits);
* one of its words is 10 characters or more, not shaped like a name, and random enough that
  zxcvbn rates it hard to guess ("XkQpLmRtVwZy").

What passes on purpose: ordinary words and system names, device labels, folder paths,
account names, and password-manager item ids in lower case and digits (UUIDs and
1Password's 26-character ids): an id names where the secret is kept, it is not the secret.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

REFUSAL = (
    "This looks like a password. Bookwarden never keeps passwords: put it in the password "
    "manager and write here where it is kept."
)

_SAYS_SO = re.compile(
    r"\b(pass(word|wd|phrase)?|pwd|pw|secret|pin|passcode)\s*[:=]\s*\S", re.IGNORECASE
)
_SEPARATORS = re.compile(r"[-_./\\:@,;()]+")
_NAME_PART = re.compile(r"^(?:[A-Z]?[a-z]+|[A-Z]+|[a-z]+)?\d*$")
_ID = re.compile(r"^[0-9a-z-]+$")


def _classes(word: str) -> int:
    return sum(
        (
            any(c.islower() for c in word),
            any(c.isupper() for c in word),
            any(c.isdigit() for c in word),
            any(not c.isalnum() for c in word),
        )
    )


def _name_shaped(word: str) -> bool:
    parts = [p for p in _SEPARATORS.split(word) if p]
    return bool(parts) and all(_NAME_PART.match(p) for p in parts)


def looks_like_password(text: str) -> bool:
    """True when ``text`` may hold a secret (IT-3)."""
    if not text:
        return False
    if _SAYS_SO.search(text):
        return True
    for word in text.split():
        word = word.strip("\"'")
        if len(word) < 8 or _name_shaped(word) or _ID.match(word):
            continue
        if _classes(word) >= 3:
            return True
        if len(word) >= 10 and zxcvbn(word[:64])["score"] >= 4:
            return True
    return False


def refuse_passwords(**fields: str | None) -> None:
    """Raise a ValidationError on each field whose value looks like a password (IT-3)."""
    errors = {name: REFUSAL for name, value in fields.items() if looks_like_password(value or "")}
    if errors:
        raise ValidationError(errors)
