"""The built site in a real browser: language switcher, search, dark mode, KaTeX, offline.

Headless Chromium (the Debian package at /usr/bin/chromium, driven by the `playwright`
package; no browser download) opens the site served from 127.0.0.1 and every request it
makes is recorded: none may leave 127.0.0.1. Without Chromium the tests fail under CI
(CI is set) and are skipped elsewhere.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

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


@pytest.mark.parametrize("start, landing", [("/", "/en/"), ("/tokens/", "/en/tokens/")])
def test_language_switcher(visit: Visit, start: str, landing: str) -> None:
    visit.open(start)
    assert visit.page.locator("html").get_attribute("lang") == "ja"
    switch_language(visit, "en")
    assert visit.path() == landing
    assert visit.page.locator("html").get_attribute("lang") == "en"
    switch_language(visit, "ja")
    assert visit.path() == start
    visit.check()


def search(visit: Visit, query: str) -> list[str]:
    page = visit.page
    field_ = page.locator("input.md-search__input")  # in the header on a desktop-wide window
    field_.click()
    field_.fill(query)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="attached")
    return results.all_inner_texts()


@pytest.mark.parametrize(
    "start, query",
    [("/", "トークン"), ("/en/", "tokens")],
    ids=["japanese", "english"],
)
def test_search_finds_words(visit: Visit, start: str, query: str) -> None:
    visit.open(start)
    texts = search(visit, query)
    assert texts, f"no search results for {query!r}"
    assert any(query.lower() in text.lower() for text in texts), texts[:3]
    visit.check()


def test_dark_mode_toggle(visit: Visit) -> None:
    visit.open("/")
    page = visit.page
    scheme = lambda: page.locator("body").get_attribute("data-md-color-scheme")  # noqa: E731
    assert scheme() == "default"
    page.locator("form[data-md-component='palette'] label.md-header__button:visible").click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    # The choice survives a page load (Material keeps it in local storage).
    visit.open("/tokens/")
    assert scheme() == "slate"
    visit.check()


@pytest.mark.parametrize("path", ["/generation/", "/en/generation/"])
def test_katex_renders_math(visit: Visit, path: str) -> None:
    visit.open(path)
    math = visit.page.locator(".arithmatex .katex-display").first
    math.wait_for(state="attached")
    assert re.search(r"exp", math.inner_text())
    visit.check()


def _notebook_paths() -> list[str]:
    """The site path of one notebook per language (docs/notebooks/<name>.<lang>.ipynb)."""
    notebooks = Path(__file__).resolve().parent.parent / "docs" / "notebooks"
    names = sorted(p.name.split(".")[0] for p in notebooks.glob("*.ja.ipynb"))
    return [f"/notebooks/{names[0]}/", f"/en/notebooks/{names[0]}/"] if names else []


@pytest.mark.parametrize("path", _notebook_paths())
def test_notebook_page_is_a_page(visit: Visit, path: str) -> None:
    """mkdocs-jupyter renders the notebook (not raw JSON) inside the theme."""
    visit.open(path)
    visit.page.locator(".md-content .jupyter-wrapper .jp-Cell").first.wait_for(state="attached")
    assert visit.page.locator("html").get_attribute("lang") == ("en" if path.startswith("/en/") else "ja")
    visit.check()
