"""Chapter notebooks, made from the pages: prose becomes Markdown cells, code blocks code cells.

Prose between ``<!-- page-only -->`` and ``<!-- /page-only -->`` stays on the site. A page's
```python blocks (doctest blocks included: their ``>>>``/``...`` lines become plain code) and its
invisible setup blocks run in order, so the notebook runs exactly the code the page's tests run.
Each cell carries, as its output, the output the page shows for it (the doctest's expected output,
which Sybil checks against a real run of the page): a reader who opens the notebook without running
it sees what the page shows, and the notebook's own test (tests/test_notebooks.py) runs it and
checks that it reproduces those outputs. Since the outputs are the page's text, not a fresh run,
the notebooks are the same bytes on every CPU. A heading keeps the page's anchor (``{ #anchor }``)
as ``<a id="anchor"></a>``, so links into a notebook use the same anchors as the chapter page.
Notebooks are never edited by hand: ``gpt2guide notebooks`` writes them, and a test fails when a
committed one is stale.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

from site_hooks.site_text import name_language

FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
INVISIBLE = re.compile(r"^<!--\s*invisible-code-block:\s*python[ \t]*\n(.*?)^-->[ \t]*$", re.S | re.M)
DIRECTIVE = re.compile(r"^[ \t]*<!--\s*(skip|clear-namespace)\b.*?-->[ \t]*\n?", re.M)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
# Prose meant for the site only (such as the link to the notebook itself).
PAGE_ONLY = re.compile(r"^<!--\s*page-only\s*-->\n.*?^<!--\s*/page-only\s*-->[ \t]*\n?", re.S | re.M)


def code_cells_with_outputs(block: str) -> list[tuple[str, str]]:
    """``(source, output)`` for each cell of a code block. A doctest block is split after each
    example that shows an output, so that the notebook displays every output the page shows
    (Jupyter displays the value of a cell's last expression only); prompts are dropped, and the
    expected output becomes the cell's output ("" for none)."""
    if not re.search(r"^\s*>>> ", block, re.M):
        return [(block.rstrip("\n"), "")]
    cells, current = [], ""
    for example in doctest.DocTestParser().get_examples(block):
        current += example.source
        if example.want:
            cells.append((current.rstrip("\n"), example.want))
            current = ""
    return cells + ([(current.rstrip("\n"), "")] if current else [])


def code_cells(block: str) -> list[str]:
    """The sources of the cells of a code block (see ``code_cells_with_outputs``)."""
    return [source for source, _ in code_cells_with_outputs(block)]


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


HEADING_ANCHOR = re.compile(r"^(#+ .*?)\s*\{\s*#([\w-]+)\s*\}[ \t]*$", re.M)
# `!!! note "Title"`, `??? info "Title"`, `=== "Tab"`: Material's admonitions and content tabs,
# whose body is the indented block that follows.
BOX = re.compile(r'^(?:(?:!!!|\?\?\?\+?) *(\w+)|===) *(?:"([^"]*)")?[ \t]*\n((?:[ \t]*\n|    .*\n?)*)', re.M)


def _quote(match: re.Match) -> str:
    """An admonition or tab as a Markdown quote, which Jupyter renders: its title in bold."""
    kind, title, body = match.groups()
    title = title if title is not None else (kind or "").capitalize()
    lines = [line[4:] if line.startswith("    ") else line.strip() for line in body.strip("\n").splitlines()]
    quoted = "\n".join(f"> {line}".rstrip() for line in [f"**{title}**", "", *lines])
    return quoted + "\n\n"


def _prose(text: str) -> str:
    """A stretch of prose for Jupyter: trimmed, blank lines left by removed comments collapsed,
    headings with their `{ #anchor }` as an HTML anchor Jupyter understands, admonitions and tabs
    as quotes, and links and images pointing where the notebook's page on the site sees them."""
    text = BOX.sub(_quote, HEADING_ANCHOR.sub(r'\1 <a id="\2"></a>', text + "\n"))
    return RELATIVE_TARGET.sub(_site_target, re.sub(r"\n{3,}", "\n\n", text).strip())


def page_cells(markdown: str) -> list[tuple[str, str]]:
    """``(kind, source)`` pairs in page order; kind is "markdown" or "code"."""
    return [(kind, source) for kind, source, _ in page_cells_with_outputs(markdown)]


def page_cells_with_outputs(markdown: str) -> list[tuple[str, str, str]]:
    """``(kind, source, output)`` in page order; the output of a code cell is the one the page
    shows ("" for none, and for every Markdown cell)."""
    markdown = PAGE_ONLY.sub("", DIRECTIVE.sub("", FRONT_MATTER.sub("", markdown)))
    cells: list[tuple[str, str, str]] = []
    position = 0
    blocks = sorted([*FENCE.finditer(markdown), *INVISIBLE.finditer(markdown)], key=lambda m: m.start())
    for match in blocks:
        prose = _prose(markdown[position : match.start()])
        if prose:
            cells.append(("markdown", prose, ""))
        cells.extend(("code", source, output) for source, output in code_cells_with_outputs(match.group(1)))
        position = match.end()
    tail = _prose(markdown[position:])
    if tail:
        cells.append(("markdown", tail, ""))
    return cells


def _ends_with_expression(source: str) -> bool:
    """True if the cell's last statement is an expression whose value Jupyter displays (a call
    of ``print`` is one whose value, None, it does not)."""
    import ast

    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    if not body or not isinstance(body[-1], ast.Expr):
        return False
    value = body[-1].value
    return not (isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "print")


def cell_outputs(source: str, output: str, execution_count: int) -> list:
    """The nbformat outputs of a cell that shows ``output``: the value of a last expression as an
    ``execute_result``, anything else as what the cell printed."""
    import nbformat

    if not output:
        return []
    if _ends_with_expression(source):
        return [nbformat.v4.new_output("execute_result", data={"text/plain": output.rstrip("\n")},
                                       execution_count=execution_count)]
    return [nbformat.v4.new_output("stream", name="stdout", text=output)]


def shown_text(cell) -> str:
    """What a code cell displays as text: its printed output and the value of its last expression."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            parts.append(output["text"])
        elif output.get("output_type") in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", "") + "\n")
    return "".join(parts)


def page_notebook(markdown: str, language: str):
    """An ``nbformat`` v4 notebook of a page, with a Python 3 kernel and the page's outputs."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"}, "gpt2guide": {"language": language}}
    count = 0
    for index, (kind, source, output) in enumerate(page_cells_with_outputs(markdown)):
        if kind == "markdown":
            notebook.cells.append(nbformat.v4.new_markdown_cell(source, id=f"cell-{index}"))
            continue
        count += 1  # numbered as if run from the top, as the test that checks the outputs runs it
        notebook.cells.append(nbformat.v4.new_code_cell(source, id=f"cell-{index}", execution_count=count,
                                                        outputs=cell_outputs(source, output, count)))
    return notebook


def write_notebooks(docs_dir: Path, pages: list[str], out_dir: Path) -> list[Path]:
    """Write ``<page>.<lang>.ipynb`` for each page and language found under ``docs_dir``."""
    import nbformat

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for page in pages:
        for source in sorted(docs_dir.glob(f"{page}.*.md")):
            language = name_language(source)
            target = out_dir / f"{page}.{language}.ipynb"
            target.write_text(nbformat.writes(page_notebook(source.read_text(encoding="utf-8"), language)) + "\n",
                              encoding="utf-8")
            written.append(target)
    return written
