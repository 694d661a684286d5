"""WCAG 2.1 AA on every page of the built site, checked by axe-core in Chromium.

axe-core (tests/vendor/axe-core/, vendored from the npm registry by tools/vendor_axe.py; the
site itself never loads it) runs its WCAG 2.0 and 2.1 level A and AA rules on every page of
both languages (chapters, notebooks, the playground with its model loaded, the glossary), and
the 404 page under the site's sub-path (its links are absolute to it), at a desktop width (1280 px)
and a phone's (390 px), in light and dark mode. Every run audits every page once: light at 1280 px
or dark at 390 px, a chapter's Japanese page in one and its English page in the other, alternating
chapter by chapter (`run_mode`), so that each mode sees both languages and half the chapters.
Weekly, with --heavy (.github/workflows/real-checkpoints.yml), every page is audited in the other
of those two modes and in the crossed pairs (dark at 1280 px, light at 390 px) too. Every
violation is a failure; the report names the rule, the page and the elements.

No rule is switched off (RULES_OFF is empty). What the site does for them lives in
docs/assets/site.css (code colours, underlined links in running text, prompts and buttons in
dark mode) and docs/assets/scroll-focus.js (regions that scroll sideways take the keyboard
focus).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import open_visit

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# rule id -> why it is off. Empty: every WCAG 2.0/2.1 A and AA rule of axe-core applies.
RULES_OFF: dict[str, str] = {}
PLAYGROUND_READY = "document.getElementById('pocket-playground')?.dataset.ready === 'true'"
RUN_AXE = """async ([tags, off]) => {
  const rules = Object.fromEntries(off.map((id) => [id, {enabled: false}]));
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, rules});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + (n.failureSummary || "").split("\\n")[1]),
  }));
}"""


def site_pages(site: Path) -> list[str]:
    """Every page of the built site as a URL path: "/", "/tokens/", "/en/notebooks/llm/", ..."""
    pages = [
        "/" + str(index.parent.relative_to(site)).replace(".", "", 1).strip("/") + "/"
        for index in site.rglob("index.html")
    ]
    return sorted({page.replace("//", "/") for page in pages})


def test_site_pages_lists_both_languages(built_site) -> None:
    pages = site_pages(built_site.require())
    assert "/" in pages and "/en/" in pages and "/tokens/" in pages and "/en/tokens/" in pages
    assert "/notebooks/llm/" in pages and "/en/playground/" in pages


def test_the_vendored_axe_is_the_pinned_one() -> None:
    version = (AXE.parent / "VERSION").read_text(encoding="utf-8")
    assert version.startswith("axe-core 4.14."), version
    assert "axe.run" in AXE.read_text(encoding="utf-8")[:2_000_000]


def _audit(visit, path: str) -> list[dict]:
    visit.open(path)
    if "playground" in path:  # audit the page as a reader uses it: with the model loaded
        visit.page.wait_for_function(PLAYGROUND_READY, timeout=120_000)
    visit.page.add_script_tag(path=str(AXE))
    return visit.page.evaluate(RUN_AXE, [TAGS, list(RULES_OFF)])


# The two modes every run audits in, and the crossed pairs the weekly --heavy run adds.
RUN_MODES = [("light", 1280), ("dark", 390)]
CROSSED_MODES = [("dark", 1280), ("light", 390)]


def _language_and_chapter(path: str) -> tuple[str, str]:
    """("en", "/tokens/") for "/en/tokens/"; ("ja", "/tokens/") for "/tokens/"."""
    return ("en", path.removeprefix("/en")) if path.startswith("/en/") else ("ja", path)


def run_mode(path: str, pages: list[str]) -> tuple[str, int]:
    """The one mode of RUN_MODES that audits `path` in every run: the chapters in order take the
    two modes in turn, and a chapter's English page takes the mode its Japanese page does not."""
    chapters = sorted({_language_and_chapter(page)[1] for page in pages})
    language, chapter = _language_and_chapter(path)
    return RUN_MODES[(chapters.index(chapter) + (language == "en")) % 2]


def audited_pages(pages: list[str], scheme: str, width: int, share: str) -> list[str]:
    """The pages an audit in (`scheme`, `width`) covers: "run", those whose run mode it is (every
    run); "rest", the others (weekly); "all", every page (the crossed pairs, weekly)."""
    if share == "all":
        return pages
    return [page for page in pages if (run_mode(page, pages) == (scheme, width)) == (share == "run")]


# Every run: each page once, in its run mode (about half the time of every page in both modes on
# 2 cores). Weekly with --heavy: every page in the other mode and in the crossed pairs as well.
AUDITS = [
    *(pytest.param(scheme, width, "run", id=f"{scheme}-{width}") for scheme, width in RUN_MODES),
    *(pytest.param(scheme, width, "rest", marks=pytest.mark.heavy, id=f"{scheme}-{width}-rest")
      for scheme, width in RUN_MODES),
    *(pytest.param(scheme, width, "all", marks=pytest.mark.heavy, id=f"{scheme}-{width}-all")
      for scheme, width in CROSSED_MODES),
]


def test_every_page_is_audited_once_per_run(built_site) -> None:
    """The two run modes split the pages: each page in one, each mode with pages of both
    languages, a chapter's two pages in different modes, and the weekly shares add up to every
    page in every mode."""
    pages = site_pages(built_site.require())
    halves = [audited_pages(pages, scheme, width, "run") for scheme, width in RUN_MODES]
    assert sorted(halves[0] + halves[1]) == pages and not set(halves[0]) & set(halves[1])
    for half in halves:
        assert {_language_and_chapter(page)[0] for page in half} == {"ja", "en"}
        assert len(half) >= len(pages) // 2 - 1
    assert run_mode("/tokens/", pages) != run_mode("/en/tokens/", pages)
    for scheme, width in RUN_MODES:
        assert sorted(audited_pages(pages, scheme, width, "run")
                      + audited_pages(pages, scheme, width, "rest")) == pages


@pytest.mark.parametrize(("scheme", "width", "share"), AUDITS)
def test_every_page_meets_wcag_21_aa(browser, site_url, built_site, scheme, width, share) -> None:
    pages = audited_pages(site_pages(built_site.require()), scheme, width, share)
    report = []
    with open_visit(browser, site_url, color_scheme=scheme,
                    viewport={"width": width, "height": 900}) as visit:
        for path in pages:
            for violation in _audit(visit, path):
                nodes = violation["nodes"]
                report.append(f"{path} [{violation['id']}, {violation['impact']}] "
                              f"{violation['help']} ({len(nodes)}):\n    "
                              + "\n    ".join(nodes[:5]))
        visit.check()
    assert not report, f"{len(report)} axe-core violations ({scheme}, {width} px):\n" + "\n".join(report)


@pytest.mark.parametrize(("scheme", "width"), [
    *RUN_MODES, *(pytest.param(scheme, width, marks=pytest.mark.heavy) for scheme, width in CROSSED_MODES)])
def test_the_404_page_meets_wcag_21_aa(browser, hosted_site_url, scheme, width) -> None:
    with open_visit(browser, hosted_site_url, color_scheme=scheme,
                    viewport={"width": width, "height": 900}) as visit:
        violations = _audit(visit, "/no-such-page/")
        assert visit.page.locator("h1#not-found").count() == 1
        visit.check()
    assert not violations, violations


def test_a_scrolling_code_cell_takes_the_keyboard(browser, site_url) -> None:
    """At 390 px a notebook's code cell scrolls sideways: Tab reaches it and the arrow key
    scrolls it (what axe's scrollable-region-focusable asks for, done for real)."""
    with open_visit(browser, site_url, viewport={"width": 390, "height": 900}) as visit:
        visit.open("/en/notebooks/generation/")
        page = visit.page
        cell = page.locator(".highlight-ipynb[data-scroll-focus]").first
        cell.wait_for(state="attached")
        assert cell.get_attribute("tabindex") == "0"
        cell.focus()
        assert page.evaluate("() => document.activeElement.classList.contains('highlight-ipynb')")
        before = cell.evaluate("(el) => el.scrollLeft")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(el) => el.scrollLeft > 0", arg=cell.element_handle())
        assert cell.evaluate("(el) => el.scrollLeft") > before
        visit.check()


def test_links_in_text_are_underlined(browser, site_url) -> None:
    with open_visit(browser, site_url) as visit:
        visit.open("/tokens/")
        decoration = visit.page.evaluate(
            "() => getComputedStyle(document.querySelector('.md-typeset p a')).textDecorationLine")
        assert decoration == "underline"
