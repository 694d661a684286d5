"""Browser-test support shared by every tests/test_browser*.py module.

Headless Chromium (the Debian package at /usr/bin/chromium, driven by the `playwright`
package; no browser download) opens the built site served from 127.0.0.1, and every request
it makes is recorded: none may leave 127.0.0.1. Without Chromium the tests fail under CI
(CI is set) and are skipped elsewhere. The fixtures (`sync_api`, `site_url`, `browser`,
`visit`) are in tests/conftest.py; the helpers are here.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# The Debian package; GPT2GUIDE_CHROMIUM names another Chromium binary (e.g. on macOS).
CHROMIUM = Path(os.environ.get("GPT2GUIDE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: no host name but our own resolves, so nothing can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
TIMEOUT_MS = 20_000
LOCAL_HOSTS = {"127.0.0.1"}


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so the browser tests must run; .ci/run installs it)",
                    pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def sync_api():
    if not CHROMIUM.exists():
        _unavailable(
            f"Chromium not found at {CHROMIUM} (Debian/Ubuntu: apt-get install chromium; "
            "elsewhere set GPT2GUIDE_CHROMIUM to its binary)"
        )
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    return sync_api


@pytest.fixture(scope="module")
def site_url(built_site):
    """The built site, served by http.server on 127.0.0.1 (a free port)."""
    site = built_site.require()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser(sync_api):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """One browser tab, with every request it made and every script error it raised."""

    page: object
    base: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path, wait_until="load")

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def check(self) -> None:
        away = [url for url in self.requests
                if urlsplit(url).scheme in ("http", "https", "ws", "wss")
                and urlsplit(url).hostname not in LOCAL_HOSTS]
        assert not away, "requests left 127.0.0.1:\n" + "\n".join(away)
        assert not self.errors, "script errors:\n" + "\n".join(self.errors)


@pytest.fixture
def visit(browser, site_url):
    context = browser.new_context(color_scheme="light", locale="ja-JP")
    context.set_default_timeout(TIMEOUT_MS)
    recorded = Visit(page=None, base=site_url)

    def route(route):
        url = route.request.url
        recorded.requests.append(url)
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).hostname not in LOCAL_HOSTS:
            route.abort()
        else:
            route.continue_()

    context.route("**/*", route)
    context.on("request", lambda request: recorded.requests.append(request.url))
    recorded.page = context.new_page()
    recorded.page.on("pageerror", lambda error: recorded.errors.append(str(error)))
    try:
        yield recorded
    finally:
        context.close()


def switch_language(visit: Visit, language: str) -> None:
    page = visit.page
    page.hover(".md-header .md-select")
    link = page.locator(f".md-header a.md-select__link[hreflang='{language}']")
    with page.expect_navigation(wait_until="load"):
        link.click()


def search(visit: Visit, query: str) -> list[str]:
    page = visit.page
    field_ = page.locator("input.md-search__input")  # in the header on a desktop-wide window
    field_.click()
    field_.fill(query)
    field_.press("End")  # Material reads the query on keyup (fill() alone raced its focus handler)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="attached")
    return results.all_inner_texts()


