"""The built site as a reader meets it, in Chromium: Japanese text without stray gaps, copy
buttons that copy runnable code, formulas that fit, links that hold under a sub-path, and
KaTeX only where there is math.

The fixtures (Chromium, the local servers, request recording) are in tests/browser_support.py
and tests/conftest.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import Visit, open_visit

from tools import pages

pytestmark = pytest.mark.browser

DOCS = pages.DOCS
katex = pages.hook("katex")  # the build's own test for math in a page (site_hooks/katex.py)


def _site_path(source: Path, language: str) -> str:
    """/tokens/, /en/beyond/lora-rlhf/, /notebooks/llm/ for a page or notebook source."""
    relative = source.relative_to(DOCS).as_posix()
    name = relative.split(".")[0]
    path = "/" if name == "index" else f"/{name}/"
    return path if language == "ja" else f"/{language}{path}"


def _sources(language: str) -> list[Path]:
    """The page and notebook sources of `language`."""
    return (sorted(DOCS.rglob(f"*.{language}.md"))
            + sorted(DOCS.glob(f"notebooks/*.{language}.ipynb")))


def _pages(language: str) -> list[str]:
    return [_site_path(source, language) for source in _sources(language)]


def _source_text(path: str) -> str:
    """The Markdown an author wrote for the page at `path` (a notebook's Markdown cells)."""
    for language in ("ja", "en"):
        for source in _sources(language):
            if _site_path(source, language) == path:
                if source.suffix != ".ipynb":
                    return source.read_text(encoding="utf-8")
                cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
                return "\n".join("".join(cell["source"]) for cell in cells
                                 if cell["cell_type"] == "markdown")
    raise AssertionError(f"no source for {path}")


# -- 1. Japanese line breaks -------------------------------------------------------------------

CJK = "\u3000-\u303f\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff60"
# A CJK character, a visible space (not a tab: innerText puts tabs between table cells, and
# not a newline: between blocks), a CJK character.
GAP = re.compile(f"[{CJK}][ \u00a0]+[{CJK}]")
# The rendered text of the content, with code and math replaced by a Latin letter: the pages
# put a space between inline code and Japanese on purpose (「`世界` は」).
_PROSE = """() => {
  const content = document.querySelector('.md-content');
  content.querySelectorAll('code, pre, kbd, samp, .katex, .arithmatex').forEach(
    (element) => { element.textContent = 'x'; });
  return content.innerText;
}"""


@pytest.mark.parametrize("path", _pages("ja"))
def test_no_gap_between_japanese_characters(visit: Visit, path: str) -> None:
    """Chromium draws a source line break between two Japanese characters as a space;
    site_hooks/cjk_join.py removes them at build time. A space the author typed between
    two letters (a book's title, 『実践機械学習 第2版』) is in the source as it is shown,
    and is not counted."""
    visit.open(path)
    text = visit.page.evaluate(_PROSE)
    typed = _source_text(path)
    gaps = [text[max(m.start() - 8, 0): m.end() + 8] for m in GAP.finditer(text)
            if m.group(0) not in typed]
    assert not gaps, f"{path}: {len(gaps)} gaps between Japanese characters:\n" + "\n".join(
        gaps[:10])
    visit.check()


# -- 2. Copy buttons copy runnable code --------------------------------------------------------

DOCTEST_BLOCK = "div.language-pycon.highlight"


@pytest.fixture
def clipboard(visit: Visit) -> Visit:
    visit.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    return visit


@pytest.mark.parametrize(
    "path", ["/tokens/", "/en/generation/", "/llm/", "/beyond/lora-rlhf/"])
def test_copy_button_copies_runnable_code(clipboard: Visit, path: str) -> None:
    """Each doctest block's copy button puts code on the clipboard that compiles and holds
    no prompt and no output line (site_hooks/doctest_blocks.py sets `data-copy`)."""
    clipboard.open(path)
    page = clipboard.page
    blocks = page.locator(DOCTEST_BLOCK)
    assert blocks.count() > 0, f"{path}: no doctest blocks (pycon) on the page"
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    for index in range(blocks.count()):
        block = blocks.nth(index)
        if not block.is_visible():  # in a content tab not selected: select it
            tab = block.locator("xpath=ancestor::div[contains(@class, 'tabbed-block')]")
            position = tab.evaluate("(t) => [...t.parentNode.children].indexOf(t)")
            tabs = block.locator("xpath=ancestor::div[contains(@class, 'tabbed-set')]")
            tabs.locator(".tabbed-labels > label").nth(position).click()
        block.scroll_into_view_if_needed()
        block.hover()
        page.evaluate("navigator.clipboard.writeText('')")
        block.locator("button.md-code__button[data-md-type='copy']").click()
        page.wait_for_function("navigator.clipboard.readText().then((t) => t.length > 0)")
        text = page.evaluate("navigator.clipboard.readText()")
        shown = block.locator("code").inner_text()
        assert ">>>" not in text and not re.search(r"^\.\.\. ", text, re.M), (path, text)
        compile(text, f"<copy {path} block {index}>", "exec")
        # The code is what the block shows after its prompts, line for line.
        prompted = [line[4:] for line in shown.splitlines() if line.startswith((">>>", "..."))]
        assert text.rstrip().splitlines() == [line.rstrip() for line in prompted], (path, index)
    clipboard.check()


def test_doctest_output_is_not_highlighted_as_python(visit: Visit) -> None:
    """"I can't forget you, for" in an output line is output, not the start of a string."""
    visit.open("/tokens/")
    outputs = visit.page.locator(f"{DOCTEST_BLOCK} .go")
    assert outputs.count() > 0
    apostrophe = visit.page.locator(f"{DOCTEST_BLOCK} .go", has_text="I can't forget you")
    assert apostrophe.count() >= 1
    # No Python token (string, name, ...) inside an output line.
    assert visit.page.locator(f"{DOCTEST_BLOCK} .go span").count() == 0
    visit.check()


@pytest.mark.parametrize("path", ["/tokens/", "/en/tokens/"])
def test_code_font_sets_cjk_in_two_columns(visit: Visit, path: str) -> None:
    """Output tables padded by display width stay aligned: one CJK character is as wide as
    two Latin ones in the code font."""
    visit.open(path)
    widths = visit.page.evaluate("""() => {
      const code = document.querySelector('div.language-pycon.highlight code');
      const measure = (text) => {
        const span = document.createElement('span');
        span.textContent = text;
        code.appendChild(span);
        const width = span.getBoundingClientRect().width;
        span.remove();
        return width;
      };
      return [measure('日本語のトークン'), measure('abcdefghijklmnop')];
    }""")
    cjk, latin = widths
    assert abs(cjk - latin) < 0.5, f"8 CJK characters {cjk:.1f} px, 16 Latin ones {latin:.1f} px"
    visit.check()


# -- 5. Formulas fit ---------------------------------------------------------------------------


def math_pages(site: Path) -> list[str]:
    """Every page and notebook with math, both languages, as the build tells it (the katex hook's
    own tests, site_hooks/katex.py): a page whose built HTML holds pymdownx.arithmatex's math, a
    notebook whose Markdown cells hold TeX. What decides that KaTeX is loaded is not read here:
    a math page left without KaTeX fails below (its formulas never render)."""
    found = []
    for language in pages.LANGUAGES:
        for source in sorted(DOCS.rglob(f"*.{language}.md")):
            path = _site_path(source, language)
            if katex.html_has_math((site / path.strip("/") / "index.html").read_text(encoding="utf-8")):
                found.append(path)
        found += [_site_path(source, language) for source in sorted(DOCS.glob(f"notebooks/*.{language}.ipynb"))
                  if katex.notebook_has_math(source)]
    return found


_MATH_WIDTHS = """() => [...document.querySelectorAll('.katex-display')].map((display) => {
  // The block the formula sits in: Material's div.arithmatex, a notebook cell's paragraph.
  const box = display.closest('.arithmatex') || display.parentElement.closest('p, li, div');
  // Display math is a block as wide as its box; scrollWidth is its content when wider.
  const width = Math.max(display.scrollWidth, display.querySelector('.katex').scrollWidth);
  return [width, box.clientWidth,
          display.textContent.slice(0, 40)];
})"""
_MATH_OVERFLOWS = """() => [...document.querySelectorAll('.katex-display')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => [getComputedStyle(box).overflowX, box.textContent.slice(0, 30)])"""


@pytest.fixture
def sized(browser, site_url, request):
    """A tab of `request.param` px width (a Visit without request routing)."""
    context = browser.new_context(viewport={"width": request.param, "height": 900},
                                  color_scheme="light")
    visit = Visit(page=context.new_page(), base=site_url)
    visit.page.on("pageerror", lambda error: visit.errors.append(str(error)))
    try:
        yield visit
    finally:
        context.close()


def test_math_pages_are_found(built_site) -> None:
    """The list the formula test walks holds the chapters with math, in both languages, and a
    notebook, and no page without math."""
    found = math_pages(built_site.require())
    assert {"/generation/", "/en/generation/"} <= set(found), found
    assert any("/notebooks/" in path for path in found), found
    assert "/versions/" not in found and "/" not in found, found


@pytest.mark.parametrize("sized", [1280], indirect=True)
def test_formulas_fit_on_a_desktop_and_scroll_in_their_box_on_a_phone(sized: Visit, built_site) -> None:
    """On every page with math, in one tab, each page loaded once and measured at both widths:
    at 1280 px every formula fits its column; at 390 px the page never scrolls sideways and a
    formula wider than the screen scrolls inside its own box (.katex-display)."""
    page = sized.page
    wide, problems = [], []
    for path in math_pages(built_site.require()):
        page.set_viewport_size({"width": 1280, "height": 900})
        sized.open(path)
        page.locator(".katex").first.wait_for(state="attached")  # KaTeX has run
        wide += [(path, round(width), box, text)
                 for width, box, text in page.evaluate(_MATH_WIDTHS) if width > box + 0.5]
        page.set_viewport_size({"width": 390, "height": 900})  # the same page, laid out for a phone
        width, viewport = page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
        if width > viewport:
            problems.append(f"{path}: the page scrolls sideways ({width} px in {viewport})")
        problems += [f"{path}: {text!r} overflows with overflow-x {overflow}"
                     for overflow, text in page.evaluate(_MATH_OVERFLOWS) if overflow != "auto"]
    assert not wide, "formulas wider than their column at 1280 px (px, column px):\n" + "\n".join(
        map(str, wide))
    assert not problems, "\n".join(problems)
    sized.check()


# -- 6. Links that hold under a sub-path -------------------------------------------------------


@pytest.mark.parametrize(
    "start, landing",
    [
        ("/", "/en/"),
        ("/en/", "/"),
        ("/tokens/#space-marker", "/en/tokens/#space-marker"),
        ("/en/generation/#beam-search", "/generation/#beam-search"),
        ("/notebooks/llm/", "/en/notebooks/llm/"),
    ],
)
def test_language_switcher_under_a_sub_path(hosted_visit: Visit, start: str, landing: str) -> None:
    """Served under /gpt2guide/ (as GitHub Pages serves a project site), the switcher lands
    on the same page and #anchor in the other language, and no request fails."""
    visit = hosted_visit
    prefix = urlsplit(visit.base).path
    visit.open(start)
    page = visit.page
    language = "ja" if landing.startswith("/en/") else "en"
    target = "en" if language == "ja" else "ja"
    assert page.locator("html").get_attribute("lang") == language
    page.hover(".md-header .md-select")
    with page.expect_navigation(wait_until="load"):
        page.locator(f".md-header a.md-select__link[hreflang='{target}']").click()
    landed = urlsplit(page.url)
    assert landed.path + (f"#{landed.fragment}" if landed.fragment else "") == prefix + landing
    assert page.locator("html").get_attribute("lang") == target
    if landed.fragment:
        assert page.locator(f"[id='{landed.fragment}']").count() == 1
    page.wait_for_load_state("networkidle")
    visit.check()
    visit.check_responses()


@pytest.mark.parametrize("path", ["/", "/tokens/", "/en/generation/", "/notebooks/llm/"])
def test_no_request_fails(hosted_visit: Visit, path: str) -> None:
    """Every page loads without a 404 (it used to ask for <page>/sitemap.xml twice)."""
    hosted_visit.open(path)
    hosted_visit.page.hover(".md-header .md-select")  # Material reacts to the switcher
    hosted_visit.page.wait_for_load_state("networkidle")
    hosted_visit.check()
    hosted_visit.check_responses()
    assert not [url for url in hosted_visit.requests if "sitemap.xml" in url]


def test_missing_page_gets_the_404_page(hosted_visit: Visit) -> None:
    """The 404 page works from any depth under the sub-path (absolute links)."""
    visit = hosted_visit
    visit.open("/no/such/page/")
    page = visit.page
    assert "ページが見つかりません" in page.locator(".md-content").inner_text()
    page.wait_for_load_state("networkidle")
    assert [failed for failed in visit.failed if "/no/such/page/" not in failed] == []
    page.hover(".md-header .md-select")
    with page.expect_navigation(wait_until="load"):
        page.locator(".md-header a.md-select__link[hreflang='en']").click()
    assert urlsplit(page.url).path == urlsplit(visit.base).path + "/en/"
    visit.check()


# -- 8. KaTeX only where there is math ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/versions/", "/en/llm/", "/notebooks/llm/"])
def test_page_without_math_loads_no_katex(visit: Visit, path: str) -> None:
    visit.open(path)
    visit.page.wait_for_load_state("networkidle")
    assert visit.page.locator(".arithmatex, .katex").count() == 0, f"{path} has math"
    katex = [url for url in visit.requests if "katex" in url]
    assert not katex, f"{path} loads KaTeX without math: {katex}"
    visit.check()


# -- 8. Smaller things -------------------------------------------------------------------------

_WORD_LINES = """(word) => {
  // For each occurrence of `word` in a table cell: how many line boxes it spans.
  const spans = [];
  for (const cell of document.querySelectorAll('.md-typeset table td, .md-typeset table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      let at = node.data.indexOf(word);
      while (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        spans.push(new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size);
        at = node.data.indexOf(word, at + 1);
      }
    }
  }
  return spans;
}"""


@pytest.mark.parametrize("sized", [1280, 390], indirect=True)
@pytest.mark.parametrize(
    "path, word",
    [("/body-head/", "GPT2ForSequenceClassification"), ("/en/body-head/",
      "GPT2ForSequenceClassification"), ("/", "チェックポイント"), ("/glossary/", "チェックポイント")],
)
def test_words_in_tables_do_not_break(sized: Visit, path: str, word: str) -> None:
    sized.open(path)
    spans = sized.page.evaluate(_WORD_LINES, word)
    assert spans, f"{word!r} is in no table on {path}"
    assert all(lines == 1 for lines in spans), f"{path}: {word!r} breaks over lines: {spans}"
    sized.check()


def test_figures_sit_on_a_panel_in_dark_mode(browser, site_url) -> None:
    with open_visit(browser, site_url, color_scheme="dark") as visit:
        visit.open("/body-head/")
        figure = visit.page.locator(".md-typeset img[src$='.svg']").first
        style = figure.evaluate("""(img) => {
          const s = getComputedStyle(img);
          return [s.backgroundColor, parseFloat(s.paddingTop),
                  parseFloat(s.borderTopLeftRadius)];
        }""")
        background, padding, radius = style
        assert visit.page.locator("body").get_attribute("data-md-color-scheme") == "slate"
        assert background == "rgb(255, 255, 255)" and padding > 0 and radius > 0, style
        visit.check()


@pytest.mark.parametrize("path", ["/", "/en/"])
def test_admonition_text_is_near_body_size(visit: Visit, path: str) -> None:
    visit.open(path)
    body, note = visit.page.evaluate("""() => {
      const size = (selector) => parseFloat(
        getComputedStyle(document.querySelector(selector)).fontSize);
      return [size('.md-typeset > p'), size('.md-typeset .admonition p:not(.admonition-title)')];
    }""")
    assert note >= 0.9 * body, f"admonition text {note} px, body {body} px"
    visit.check()


@pytest.mark.parametrize("path, target", [("/", "/llm/"), ("/en/", "/en/llm/")])
def test_landing_page_starts_with_chapter_one(visit: Visit, path: str, target: str) -> None:
    """A "start with chapter 1" button before the first section heading."""
    visit.open(path)
    page = visit.page
    button = page.locator(".md-content a.md-button").first
    assert button.is_visible()
    before_first_h2 = button.evaluate(
        "(a) => !!(a.compareDocumentPosition(document.querySelector('.md-content h2')) & 4)")
    assert before_first_h2, "the button comes after the first section"
    with page.expect_navigation(wait_until="load"):
        button.click()
    assert visit.path() == target
    visit.check()
