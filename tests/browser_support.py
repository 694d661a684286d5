"""Browser-test support shared by every tests/test_browser*.py module.

Headless Chromium (the Debian package at /usr/bin/chromium, driven by the `playwright`
package; no browser download) opens the built site served from 127.0.0.1, and every request
it makes is recorded: none may leave 127.0.0.1. Without Chromium the tests fail under CI
(CI is set) and are skipped elsewhere. The fixtures (`sync_api`, `site_url`, `browser`,
`visit`, `hosted_site_url`, `hosted_visit`) are in tests/conftest.py; the helpers are here.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import sys
import threading
from contextlib import contextmanager
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


ROOT = Path(__file__).resolve().parent.parent


def hosted_prefix() -> str:
    """The path of the site_url the build uses ("/gpt2guide" for https://host/gpt2guide/),
    or "": mkdocs.yml's `site_url: !ENV [SITE_URL, "default"]` (SITE_URL wins when set)."""
    from tools.pages import mkdocs_config

    value = os.environ.get("SITE_URL") or mkdocs_config().get("site_url") or ""
    return urlsplit(value).path.rstrip("/")


class QuietServer(http.server.ThreadingHTTPServer):
    """A static server that takes a connection the browser closed mid-file (it navigated away, or a
    test ended) as the normal event it is, not as an error with a traceback in the test output."""

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):  # BrokenPipeError, ConnectionResetError
            return
        super().handle_error(request, client_address)


@contextmanager
def serve(site: Path, prefix: str = ""):
    """Serve `site` on 127.0.0.1 (a free port) under the path `prefix` ("" or "/name"), as a
    static host does: a missing file gets the site's 404.html with status 404."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):
            bare = urlsplit(path).path
            if prefix and not (bare == prefix or bare.startswith(prefix + "/")):
                return str(site / ".outside-the-prefix")  # no such file: a 404
            return super().translate_path(path[len(prefix):] if prefix else path)

        def send_error(self, code, message=None, explain=None):
            page = site / "404.html"
            if code != 404 or not page.is_file():
                return super().send_error(code, message, explain)
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    server = QuietServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def site_url(built_site):
    """The built site, served by http.server on 127.0.0.1 (a free port)."""
    with serve(built_site.require()) as url:
        yield url


@pytest.fixture(scope="module")
def hosted_site_url(built_site):
    """The built site served under the path of mkdocs.yml's site_url (e.g. /gpt2guide/), as
    GitHub Pages serves a project site: http://127.0.0.1:PORT/gpt2guide (no final slash)."""
    prefix = hosted_prefix()
    if not prefix:
        pytest.fail("mkdocs.yml sets no site_url with a path", pytrace=False)
    with serve(built_site.require(), prefix) as url:
        yield url


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
    failed: list[str] = field(default_factory=list)  # "404 http://..." for status >= 400

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

    def check_responses(self) -> None:
        """No request got an error status (a 404 for a page, an asset, a sitemap...)."""
        assert not self.failed, "requests that failed:\n" + "\n".join(self.failed)


# The URLs that would leave 127.0.0.1: Playwright matches a pattern in the browser's driver, so the
# local requests (every page, script, font and figure) never wait for this Python process, as
# they would for a route on "**/*".
AWAY = re.compile(r"^(?:https?|wss?)://(?!(?:" + "|".join(re.escape(host) for host in LOCAL_HOSTS) + r")(?:[:/]|$))")


@contextmanager
def open_visit(browser, base: str, **context_options):
    """A fresh browser context and tab on `base` that records every request, every
    response with an error status and every script error; requests that would leave
    127.0.0.1 are aborted."""
    options = {"color_scheme": "light", "locale": "ja-JP", **context_options}
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    recorded = Visit(page=None, base=base)

    def route(route):  # only requests that would leave the machine get here (AWAY)
        recorded.requests.append(route.request.url)
        route.abort()

    def response(response):
        if response.status >= 400:
            recorded.failed.append(f"{response.status} {response.url}")

    context.route(AWAY, route)
    context.on("request", lambda request: recorded.requests.append(request.url))
    context.on("response", response)
    recorded.page = context.new_page()
    recorded.page.on("pageerror", lambda error: recorded.errors.append(str(error)))
    try:
        yield recorded
    finally:
        context.close()


@pytest.fixture
def visit(browser, site_url):
    with open_visit(browser, site_url) as recorded:
        yield recorded


@pytest.fixture
def hosted_visit(browser, hosted_site_url):
    """A tab on the site served under its sub-path (see `hosted_site_url`)."""
    with open_visit(browser, hosted_site_url) as recorded:
        yield recorded


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


