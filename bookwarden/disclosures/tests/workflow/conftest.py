"""Fixtures of the workflow tests: the demo patrons, stored files in a temporary folder."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def patrons(demo_patrons) -> dict[str, Any]:
    """The demo patrons (see bookwarden/patrons/tests/conftest.py)."""
    return demo_patrons


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    """Stored documents and packets go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT
