"""Real Chromium, driven by Playwright, against pytest-django's live server.

Debian's Chromium is used as installed (never `playwright install`). Without it
these tests skip, unless PEERSPACE_REQUIRE_BROWSER=1 (as in CI) makes that a
failure.
"""

import os
import re
import shutil
from dataclasses import dataclass, field

import pytest

from tests.browser import a11y

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# How long a step may wait for the page. Generous, because CI shares two cores
# between two test workers and their browsers; a passing step never waits it out.
TIMEOUT_MS = 15_000
CSP_PATTERN = re.compile(r"Content Security Policy|Refused to", re.IGNORECASE)


def _chromium_path() -> str | None:
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests.

    Package-scoped (hence this folder's __init__.py) rather than session-scoped,
    so that Playwright, and the DJANGO_ALLOW_ASYNC_UNSAFE it needs, end with the
    last browser test instead of leaking into the rest of the run: its event
    loop would trip Django's async check, and `check --deploy` rejects the
    variable.
    """
    executable = _chromium_path()
    if executable is None:
        message = (
            "Chromium not installed: apt-get install chromium to run browser tests"
        )
        if os.environ.get("PEERSPACE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (PEERSPACE_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)

    with pytest.MonkeyPatch.context() as mp:
        # Playwright's sync API keeps an event loop running in this thread, and
        # Django then refuses ORM calls from it. The tests only use the ORM
        # between browser steps, never alongside them, so the check can go.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Every page and state every test reaches is checked for
        # accessibility, with nothing for the test to do (a11y.py).
        a11y.install(mp)
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
            a11y.record.write(os.environ.get("PEERSPACE_A11Y_RECORD"))
        finally:
            playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """What the pages show when a browser test ends is checked too; a test
    that already failed is left with its own failure."""
    result = yield
    if "browser" in item.fixturenames:
        a11y.check_open_pages()
    return result


@pytest.fixture
def check_page(page):
    """Check the page now (axe and 44 px targets, at phone and laptop sizes),
    whether or not it changed since the last check."""
    return lambda: a11y.check_page(page)


@pytest.fixture(autouse=True)
def _transactional(transactional_db):
    """The live server runs in another thread: it must see committed data.

    Autouse, so it comes before the shared fixtures that only ask for `db`.
    """


@dataclass
class BrowserLog:
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    # Pages a test opens to see its 403 or 404 page, as full URLs.
    error_pages: set[str] = field(default_factory=set)

    def on_console(self, msg) -> None:
        self.console.append(f"{msg.type}: {msg.text}")
        url = msg.location.get("url", "")
        # Browsers ask for /favicon.ico whatever the page says; any other
        # missing file is a broken page.
        if (
            "Failed to load resource" in msg.text
            and not url.endswith("/favicon.ico")
            and url not in self.error_pages
        ):
            self.failed_loads.append(f"{msg.text}: {url}")

    def problems(self) -> list[str]:
        return (
            [f"CSP: {m}" for m in self.console if CSP_PATTERN.search(m)]
            + [f"page error: {e}" for e in self.errors]
            + [f"dialog: {d}" for d in self.dialogs]
            + [f"server error: {s}" for s in self.server_errors]
            + [f"failed load: {f}" for f in self.failed_loads]
        )


@pytest.fixture
def browser_log():
    return BrowserLog()


@pytest.fixture
def page(browser, live_server, browser_log):
    """A phone-sized page. Fails the test on any CSP violation or page error.

    An alert() means app.js gave up on a request, and a 5xx is a crash: both
    fail the test too. Dialogs are dismissed so nothing hangs.
    """
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    context.on("console", browser_log.on_console)
    context.on("weberror", lambda err: browser_log.errors.append(str(err.error)))

    def on_dialog(dialog):
        browser_log.dialogs.append(dialog.message)
        dialog.dismiss()

    context.on("dialog", on_dialog)
    context.on(
        "response",
        lambda r: r.status >= 500 and browser_log.server_errors.append(r.url),
    )
    page = context.new_page()
    yield page
    context.close()
    problems = browser_log.problems()
    assert not problems, "\n".join(problems)


@pytest.fixture
def log_in(page):
    """Log in through the real login form, as someone at the door would."""

    def log_in(username: str, next_path: str = "") -> None:
        page.goto("/login/" + (f"?next={next_path}" if next_path else ""))
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill("password")
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return log_in
