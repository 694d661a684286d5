"""The built site as a reader meets it, in Chromium: Japanese text without stray gaps, copy
buttons that copy runnable code, formulas that fit, links that hold under a sub-path, and
KaTeX only where there is math.

The fixtures (Chromium, the local servers, request recording) are in tests/browser_support.py
and tests/conftest.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import Visit

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _site_path(source: Path, language: str) -> str:
    """/tokens/, /en/beyond/lora-rlhf/, /notebooks/llm/ for a page or notebook source."""
    relative = source.relative_to(DOCS).as_posix()
    name = relative.split(".")[0]
    path = "/" if name == "index" else f"/{name}/"
    return path if language == "ja" else f"/{language}{path}"


def _pages(language: str, notebooks: bool = True) -> list[str]:
    sources = sorted(DOCS.rglob(f"*.{language}.md"))
    if notebooks:
        sources += sorted(DOCS.glob(f"notebooks/*.{language}.ipynb"))
    return [_site_path(source, language) for source in sources]


# -- 1. Japanese line breaks ------------------------------------------------------------------

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
    site_hooks/cjk_join.py removes them at build time."""
    visit.open(path)
    text = visit.page.evaluate(_PROSE)
    gaps = [text[max(m.start() - 8, 0): m.end() + 8] for m in GAP.finditer(text)]
    assert not gaps, f"{path}: {len(gaps)} gaps between Japanese characters:\n" + "\n".join(
        gaps[:10])
    visit.check()
