"""Fixtures of the people tests, on top of ``people`` and ``client_as``: core's own
(``new_madrid``, ``cresco``, ``sudo_as``, and the cache emptied around each test, since
allauth and axes keep rate limits there and the cache outlives the database rollback)."""

from __future__ import annotations

from bookwarden.core.tests.conftest import _empty_cache, cresco, new_madrid, sudo_as

__all__ = ["_empty_cache", "cresco", "new_madrid", "sudo_as"]
