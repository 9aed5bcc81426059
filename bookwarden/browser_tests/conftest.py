"""Fixtures for the real-browser tests (pytest -m browser).

Chromium is Debian's (``/usr/bin/chromium``).  A missing browser fails the tests, never
skips them: ``make test`` installs it (``make chromium``).  Each test gets fresh browser
contexts on the live server; see :mod:`bookwarden.browser_tests.support` for what every
page is checked for.
"""

from __future__ import annotations

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


@pytest.fixture(scope="package", autouse=True)
def _playwright() -> Iterator[Any]:
    """Playwright, for the tests of this folder only (set up before any other fixture).

    Playwright's sync API keeps an asyncio loop running in the test thread while it is
    started, so Django would refuse the tests' ORM calls with SynchronousOnlyOperation.  The
    tests and the live server take turns, one request at a time, so the check is lifted, but
    only until Playwright stops: the variable must not leak into the other tests, nor into
    the subprocesses they start (``check --deploy`` rejects it, rightly).
    """
    if not chromium_available():
        yield None  # each test then fails (not errors) with MISSING_CHROMIUM
        return
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            yield pw


@pytest.fixture(scope="package")
def chromium(_playwright: Any) -> Iterator[Any]:
    """One Chromium for the tests of this folder; each test opens its own contexts."""
    if _playwright is None:
        yield None
        return
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
    tabs: list[Browsing] = []

    def open_tab(viewport: dict[str, int] = DESKTOP) -> Browsing:
        if chromium is None:
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        context = chromium.new_context(viewport=viewport, locale="en-US")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        size = "phone" if viewport["width"] < 600 else "desktop"
        name = request.node.name.removeprefix("test_") + "-" + size
        tab = Browsing(context.new_page(), live_server.url, name)
        tabs.append(tab)
        return tab

    yield open_tab
    for tab in tabs:
        tab.save_console()
    for context in contexts:
        context.close()
