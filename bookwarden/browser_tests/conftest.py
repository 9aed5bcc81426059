"""Fixtures for the real-browser tests (pytest -m browser).

Chromium is Debian's (``/usr/bin/chromium``).  A missing browser fails the tests, never
skips them: CI installs it (``.ci/run``).  Each test gets fresh browser contexts on the
live server; see :mod:`bookwarden.browser_tests.support` for what every page is checked for.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CSP_LISTENER,
    DESKTOP,
    MISSING_CHROMIUM,
    TIMEOUT_MS,
    Browsing,
    chromium_available,
)

# Playwright's sync API keeps an asyncio loop running in the test thread for as long as the
# browser is open, so Django would refuse ORM calls from the tests (and, under xdist, from
# the tests that run after these in the same worker) with SynchronousOnlyOperation.  The
# tests and the live server take turns, one request at a time, so the check is not needed.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    if not chromium_available():
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium(_playwright: Any) -> Iterator[Any]:
    """One Chromium for the whole run; each test opens its own contexts."""
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # django-allauth remembers used TOTP codes in the cache: start every test without any.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def browse(
    chromium: Any, live_server: Any, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Browsing]]:
    """``browse(PHONE)``: a new tab in a fresh context (no cookies) on the live server."""
    contexts: list[Any] = []

    def open_tab(viewport: dict[str, int] = DESKTOP) -> Browsing:
        context = chromium.new_context(viewport=viewport, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        size = "phone" if viewport["width"] < 600 else "desktop"
        name = request.node.name.removeprefix("test_") + "-" + size
        return Browsing(context.new_page(), live_server.url, name)

    yield open_tab
    for context in contexts:
        context.close()
