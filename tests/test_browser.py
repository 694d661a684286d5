"""The built site in a real browser: language switcher, search, dark mode, KaTeX, offline.

The fixtures and helpers (Chromium, the local server, request recording) are in
tests/browser_support.py and tests/conftest.py.
"""

from __future__ import annotations

import re

import pytest
from browser_support import Visit, search, switch_language

from tools.commands.notebooks import CHAPTERS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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


@pytest.mark.parametrize("path, selector", [
    ("/generation/", ".arithmatex .katex-display"),
    ("/en/generation/", ".arithmatex .katex-display"),
    ("/notebooks/generation/", ".jp-RenderedMarkdown .katex-display"),  # notebook Markdown cells
    ("/en/notebooks/generation/", ".jp-RenderedMarkdown .katex-display"),
])
def test_katex_renders_math(visit: Visit, path: str, selector: str) -> None:
    visit.open(path)
    math = visit.page.locator(selector).first
    math.wait_for(state="attached")
    assert re.search(r"exp", math.inner_text())
    visit.check()


# The first chapter's notebook in each language, named from the chapter list (not from the files
# found, so that a missing notebook fails here instead of leaving nothing to test).
FIRST_NOTEBOOK = CHAPTERS[0]


@pytest.mark.parametrize("path", [f"/notebooks/{FIRST_NOTEBOOK}/", f"/en/notebooks/{FIRST_NOTEBOOK}/"])
def test_notebook_page_is_a_page(visit: Visit, path: str) -> None:
    """mkdocs-jupyter renders the notebook (not raw JSON) inside the theme."""
    visit.open(path)
    visit.page.locator(".md-content .jupyter-wrapper .jp-Cell").first.wait_for(state="attached")
    assert visit.page.locator("html").get_attribute("lang") == ("en" if path.startswith("/en/") else "ja")
    visit.check()


def test_a_request_leaving_the_machine_is_aborted_and_recorded(visit: Visit) -> None:
    """The tests' own guard (browser_support.open_visit): a request off 127.0.0.1 fails at once and
    is recorded, so `visit.check()` names it; requests to the site itself go through."""
    visit.open("/")
    outcome = visit.page.evaluate("""async () => {
        const away = await fetch("https://example.com/x").then(() => "loaded", () => "failed");
        const here = await fetch(location.href).then((r) => r.status, () => "failed");
        return [away, here];
    }""")
    assert outcome == ["failed", 200]
    assert "https://example.com/x" in visit.requests
    with pytest.raises(AssertionError, match="requests left 127.0.0.1"):
        visit.check()
