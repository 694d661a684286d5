"""MkDocs hook: mark the pages that hold math, so that only they load KaTeX.

KaTeX (about 280 kB of scripts, CSS and fonts under assets/katex/) renders the math that
pymdownx.arithmatex leaves in a page (elements of class "arithmatex") and the `$...$` of
notebook Markdown cells (see assets/katex-init.js). overrides/main.html adds KaTeX to a
page only when `page.meta.katex` is true; this hook sets it:

- a Markdown page: its HTML holds an element of class "arithmatex";
- a notebook page: one of its Markdown cells holds TeX delimiters (`$$`, `$...$`, `\\(`,
  `\\[`), read from the .ipynb itself (nbconvert leaves them as text).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from site_text import MATH_CLASS

# $$...$$, $x$ (no space after the opening $, so "costs $5 and $6" is not math), \( \[
_TEX = re.compile(r"\$\$.+?\$\$|\$[^\s$][^$\n]*\$|\\\(|\\\[", re.S)


def html_has_math(html: str) -> bool:
    """True when pymdownx.arithmatex left math in this HTML."""
    return MATH_CLASS.search(html) is not None


def notebook_has_math(path: Path) -> bool:
    """True when a Markdown cell of the notebook at `path` holds TeX."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        # Inline code is not math: drop `...` spans first.
        if _TEX.search(re.sub(r"`[^`\n]*`", "", text)):
            return True
    return False


def on_page_content(html, page, config, files):
    if page.file.src_uri.endswith(".ipynb"):
        math = notebook_has_math(Path(page.file.abs_src_path))
    else:
        math = html_has_math(html)
    page.meta["katex"] = math
    return html
