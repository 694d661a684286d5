"""Chapter notebooks, made from the pages: prose becomes Markdown cells, code blocks code cells.

Prose between ``<!-- page-only -->`` and ``<!-- /page-only -->`` stays on the site. A page's ```python blocks (doctest blocks included: their ``>>>``/``...`` lines become plain
code, the expected output is dropped) and its invisible setup blocks run in order, so the
notebook runs exactly the code the page's tests run. Notebooks are never edited by hand:
``gpt2guide notebooks`` writes them, and a test fails when a committed one is stale.
"""

from __future__ import annotations

import re
from pathlib import Path

FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
INVISIBLE = re.compile(r"^<!--\s*invisible-code-block:\s*python[ \t]*\n(.*?)^-->[ \t]*$", re.S | re.M)
DIRECTIVE = re.compile(r"^<!--\s*(skip|clear-namespace)\b.*?-->[ \t]*\n?", re.M)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
# Prose meant for the site only (such as the link to the notebook itself).
PAGE_ONLY = re.compile(r"^<!--\s*page-only\s*-->\n.*?^<!--\s*/page-only\s*-->[ \t]*\n?", re.S | re.M)


def doctest_to_code(block: str) -> str:
    """The statements of a doctest block: ``>>>``/``...`` lines without prompts, outputs dropped."""
    if not re.search(r"^\s*>>> ", block, re.M):
        return block.rstrip("\n")
    lines = []
    for line in block.splitlines():
        stripped = line.lstrip()
        if stripped.startswith((">>> ", "... ")) or stripped in (">>>", "..."):
            lines.append(stripped[4:])
    return "\n".join(lines).rstrip("\n")


# The target of a relative Markdown link or image: ](target) not starting with a scheme, / or #.
RELATIVE_TARGET = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|/|#)([^)\s]+)\)")


def _site_target(match: re.Match) -> str:
    """A page-relative target as seen from the notebook's page (site/<lang>/notebooks/<chapter>/)."""
    target = match.group(1)
    path, _, anchor = target.partition("#")
    if path.endswith(".md"):
        page = path[: -len(".md")]
        path = "" if page == "index" else f"{page}/"
    anchor = f"#{anchor}" if anchor else ""
    return f"](../../{path}{anchor})"


def _prose(text: str) -> str:
    """A stretch of prose, trimmed, blank lines left by removed comments collapsed, and its links
    and images pointing where the notebook's page on the site sees them."""
    return RELATIVE_TARGET.sub(_site_target, re.sub(r"\n{3,}", "\n\n", text).strip())


def page_cells(markdown: str) -> list[tuple[str, str]]:
    """``(kind, source)`` pairs in page order; kind is "markdown" or "code"."""
    markdown = PAGE_ONLY.sub("", DIRECTIVE.sub("", FRONT_MATTER.sub("", markdown)))
    cells: list[tuple[str, str]] = []
    position = 0
    blocks = sorted([*FENCE.finditer(markdown), *INVISIBLE.finditer(markdown)], key=lambda m: m.start())
    for match in blocks:
        prose = _prose(markdown[position : match.start()])
        if prose:
            cells.append(("markdown", prose))
        cells.append(("code", doctest_to_code(match.group(1))))
        position = match.end()
    tail = _prose(markdown[position:])
    if tail:
        cells.append(("markdown", tail))
    return cells


def page_notebook(markdown: str, language: str):
    """An ``nbformat`` v4 notebook of a page, with a Python 3 kernel and no outputs."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}, "gpt2guide": {"language": language}}
    for index, (kind, source) in enumerate(page_cells(markdown)):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        notebook.cells.append(make(source, id=f"cell-{index}"))
    return notebook


def write_notebooks(docs_dir: Path, pages: list[str], out_dir: Path) -> list[Path]:
    """Write ``<page>.<lang>.ipynb`` for each page and language found under ``docs_dir``."""
    import nbformat

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        for source in sorted(docs_dir.glob(f"{page}.*.md")):
            language = source.suffixes[-2].lstrip(".")
            target = out_dir / f"{page}.{language}.ipynb"
            target.write_text(nbformat.writes(page_notebook(source.read_text(encoding="utf-8"), language)) + "\n",
                              encoding="utf-8")
            written.append(target)
    return written
