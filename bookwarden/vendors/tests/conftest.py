"""Fixtures of the vendor tests: uploads in a temporary folder and the libraries (core's)."""

from __future__ import annotations

import pytest

from bookwarden.core.tests.conftest import _empty_cache, cresco, new_madrid

__all__ = ["_empty_cache", "cresco", "new_madrid"]


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
