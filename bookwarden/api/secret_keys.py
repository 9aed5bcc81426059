"""Making and checking the secrets of tokens and alert sources (CC-7).

A token reads ``bw_<prefix>_<secret>``: the prefix (8 hex digits) finds the row, the secret
(32 random bytes, URL-safe) is checked against the SHA-256 stored for it, in constant time.
An alert source's secret is the same kind of random string, sent as a bearer token; its
``key`` (12 hex digits) is the last part of its webhook address.  Neither secret is kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_START = "bw_"  # noqa: S105 (the start every token shares, not a secret)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_prefix() -> str:
    return secrets.token_hex(4)


def new_source_key() -> str:
    return secrets.token_hex(6)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    """Whether ``secret`` hashes to ``stored_digest``, in constant time."""
    return hmac.compare_digest(digest(secret), stored_digest)


def token_text(prefix: str, secret: str) -> str:
    """What the person copies, once."""
    return f"{TOKEN_START}{prefix}_{secret}"


def split_token(text: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a token's text, or None for anything else."""
    if not text.startswith(TOKEN_START):
        return None
    prefix, sep, secret = text[len(TOKEN_START) :].partition("_")
    if not sep or len(prefix) != 8 or not secret:
        return None
    return prefix, secret
