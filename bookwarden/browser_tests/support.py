"""What the browser tests share: the browser to launch, and a tab that records everything
that went wrong on each page (any console message, uncaught script errors, CSP violations,
failed requests, HTTP errors, sideways scrolling) and saves a screenshot of it.

Screenshots of every page checked are written to ``test-artifacts/browser/`` when
``BOOKWARDEN_SCREENSHOTS=1`` is set (to look at the pages at desktop and phone sizes); a
page that fails its check is always saved, so that the failure can be seen.  Encoding a
full-page PNG of every page costs a quarter of the browser tests' time.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MISSING_CHROMIUM = (
    f"The browser tests need Debian's Chromium at {CHROMIUM}: run `apt-get install chromium` "
    "(`make test` does it when run as root). Never `playwright install`."
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000
SCREENSHOTS = os.environ.get("BOOKWARDEN_SCREENSHOTS", "") not in ("", "0")

# Reports the page itself cannot hide: Chromium logs CSP violations to the console as
# "Refused to ...", and this listener also turns each violation into a console error.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
}, true);
"""


def chromium_available() -> bool:
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


class Browsing:
    """One browser tab with everything that went wrong on it, page by page."""

    def __init__(self, page: Any, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.problems: list[str] = []
        self.console: list[str] = []
        self.shots: list[Path] = []
        # request -> the document it was made from (a count of main-frame navigations:
        # a form that posts and comes back to the same address is a new document).
        self._started_on: dict[int, int] = {}
        self._documents = 0
        page.on("framenavigated", self._on_navigated)
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught error: {exc}"))
        page.on("request", self._on_request)
        page.on("requestfinished", lambda request: self._started_on.pop(id(request), None))
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, msg: Any) -> None:
        text = f"console.{msg.type}: {msg.text} ({msg.location.get('url', '')})"
        self.console.append(f"{self.path}: {text}")
        # Our pages log nothing, so any message is a problem, except Chromium's advice on
        # the markup ("[DOM] Password forms should have ... username fields"), which is
        # kept in the console log written next to the screenshots.
        if "Refused to" in msg.text or not (
            msg.type in {"debug", "verbose"} and msg.text.startswith("[DOM]")
        ):
            self.problems.append(text)

    def _on_navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame:
            self._documents += 1

    def _on_request(self, request: Any) -> None:
        self._started_on[id(request)] = self._documents

    def _on_request_failed(self, request: Any) -> None:
        started_on = self._started_on.pop(id(request), None)
        if request.failure == "net::ERR_ABORTED" and started_on != self._documents:
            # The browser left that document (a click, a form posted, even one that comes
            # back to the same address) before this finished.
            return
        if request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg"):
            # The browser fetches the icon on its own schedule and drops the fetch when a
            # page replaces the one it was for, sometimes after that page's navigation
            # event: not a fault of the page (a missing icon still fails as HTTP 404).
            return
        self.problems.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(
                f"HTTP {response.status}: {response.request.method} {response.url}"
            )

    def sign_in(self, username: str, password: str, start: str = "/") -> None:
        """From ``start`` (which asks for a login) through the login form, as a person
        would: type the username and password and press the button."""
        self.goto(start)
        assert self.path.startswith("/accounts/login/"), self.path
        self.check("login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        with self.page.expect_navigation():  # the form posts, and the answer is a new page
            self.page.get_by_role("button", name="Sign in").click()

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> Any:
        return self.page.goto(self.url(path))

    @property
    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.page.url)

    def save_console(self) -> None:
        """Every console message of the tab, for people to read (test-artifacts/)."""
        if self.console:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"{self.name}-console.txt").write_text(
                "\n".join(self.console) + "\n", encoding="utf-8"
            )

    def check(self, label: str) -> Path:
        """Assert nothing went wrong on the page so far (saving a screenshot of it when it
        did, or always with ``BOOKWARDEN_SCREENSHOTS=1``)."""
        self.page.wait_for_load_state("load")
        shot = ARTIFACTS / f"{self.name}-{label}.png"
        problems, self.problems = self.problems, []
        overflow = self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if SCREENSHOTS or problems or overflow > 0:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            # caret="initial": hiding the caret leaves style="" on inputs, which htmx then
            # copies during a swap, and the CSP (rightly) refuses: a violation of the test's
            # own making.
            self.page.screenshot(path=str(shot), full_page=True, caret="initial")
            self.shots.append(shot)
        assert not problems, f"on {label} ({self.path}):\n" + "\n".join(problems)
        assert overflow <= 0, f"{label} ({self.path}) scrolls sideways by {overflow}px"
        return shot


def totp_code(secret: str) -> str:
    """The current code for ``secret``; waits for the next 30-second step when the current
    one is about to end, because the server accepts only the current step."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
