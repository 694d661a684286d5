"""WCAG 2.1 AA on every page of the built site, checked by axe-core in Chromium.

axe-core (tests/vendor/axe-core/, vendored from the npm registry by tools/vendor_axe.py; the
site itself never loads it) runs its WCAG 2.0 and 2.1 level A and AA rules on every page of
both languages (chapters, notebooks, the playground with its model loaded, the glossary), and
the 404 page under the site's sub-path (its links are absolute to it), at a desktop width (1280 px) and a phone's (390 px), in light and dark mode (light at 1280 px and
dark at 390 px in every run, the crossed pairs weekly with --heavy). Every
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


# Every page in both colour schemes and at both widths in every run: light at a desktop's width,
# dark at a phone's. The two crossed pairs audit the same pages again (about 4 minutes on 2 cores)
# and run weekly with --heavy (.github/workflows/real-checkpoints.yml).
AUDITS = [("light", 1280), ("dark", 390),
          pytest.param("dark", 1280, marks=pytest.mark.heavy), pytest.param("light", 390, marks=pytest.mark.heavy)]


@pytest.mark.parametrize(("scheme", "width"), AUDITS)
def test_every_page_meets_wcag_21_aa(browser, site_url, built_site, scheme, width) -> None:
    pages = site_pages(built_site.require())
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


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("scheme", ["light", "dark"])
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
