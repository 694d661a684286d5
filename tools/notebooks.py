"""Chapter notebooks, made from the pages: prose becomes Markdown cells, code blocks code cells.

The code cells are the page's code blocks as Sybil runs them (``pages.code_blocks``: ```python
blocks, ``>>>`` prompts dropped, and invisible setup blocks), so the notebook runs the code the
page's tests run; a block inside a content tab or admonition stays in that box, shown as code.
Each cell carries as its output the one the page shows (the doctest's expected output, which
Sybil checks), so a notebook is the same bytes on every CPU; tests/test_notebooks.py runs one and
checks it reproduces them. Prose between ``<!-- page-only -->`` and ``<!-- /page-only -->``
stays on the site; headings keep their anchors as ``<a id>``.

A downloaded ``.ipynb`` reads as the site does: Japanese lines joined by the site's own rule
(``site_hooks/cjk_join.py``, inside paragraphs only), links absolute to the published site
(``site_url`` in mkdocs.yml), figures inside the notebook as cell attachments. Never edited by
hand: ``python -m tools notebooks`` writes them, and ``--check`` fails on a stale one.
References: nbformat's v4 format (cells, outputs, attachments); Sybil's parsers (tools.pages).
"""

from __future__ import annotations

import base64
import doctest
import posixpath
import re
from pathlib import Path

from tools import pages

name_language = pages.hook("site_text").name_language  # the hooks' own module (one identity)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

DIRECTIVE = re.compile(r"^[ \t]*<!--\s*(skip|clear-namespace)\b.*?-->[ \t]*\n?", re.M)
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
# Prose meant for the site only (such as the link to the notebook itself).
PAGE_ONLY = re.compile(r"^<!--\s*page-only\s*-->\n.*?^<!--\s*/page-only\s*-->[ \t]*\n?", re.S | re.M)


def code_cells_with_outputs(block: str) -> list[tuple[str, str]]:
    """``(source, output)`` for each cell of a code block. A doctest block is split after each
    example that shows an output, so that the notebook displays every output the page shows
    (Jupyter displays the value of a cell's last expression only); prompts are dropped, and the
    expected output becomes the cell's output ("" for none)."""
    if not block.startswith(">>>"):  # Sybil's test for a doctest block (pages.Block.is_doctest)
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
IMAGE = re.compile(r"!\[((?:[^\[\]]|\[[^\]]*\])*)\]\((?![a-z][a-z0-9+.-]*:|/|#)([^)\s]+)\)")


def site_url() -> str:
    """The published site's address, from mkdocs.yml (its default, not the build's SITE_URL)."""
    return pages.mkdocs_config()["site_url"].rstrip("/") + "/"


def _site_target(match: re.Match, language: str, base: str, page: str | None = None) -> str:
    """A page-relative target (from docs/<page>.md) as an absolute address on the published site;
    an anchor of the notebook's own page (``page``) as an anchor of the notebook."""
    path, _, anchor = match.group(1).partition("#")
    path = posixpath.normpath(path)
    if page is not None and anchor and path == f"{page}.md":
        return f"](#{anchor})"  # the headings keep the page's anchors (HEADING_ANCHOR)
    if path.endswith(".md"):
        page = path[: -len(".md")]
        path = "" if page == "index" else f"{page.removesuffix('/index')}/"
    elif path.endswith(".ipynb"):
        path = f"{path[: -len('.ipynb')]}/"  # the notebook's page on the site
    prefix = "" if language == "ja" or path.startswith("assets/") else f"{language}/"
    anchor = f"#{anchor}" if anchor else ""
    return f"]({base}{prefix}{path}{anchor})"


def _figure(path: str, language: str, docs: Path) -> Path | None:
    """The file an image target names: the language's version (x.<lang>.svg) if there is one."""
    plain = docs / posixpath.normpath(path)
    localized = plain.with_name(f"{plain.stem}.{language}{plain.suffix}")
    return localized if localized.is_file() else plain if plain.is_file() else None


MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _attach(text: str, language: str, docs: Path, attachments: dict) -> str:
    """Images as cell attachments: ![alt](attachment:name), the file's bytes in ``attachments``."""

    def replace(match: re.Match) -> str:
        alt, target = match.groups()
        figure = _figure(target.partition("#")[0], language, docs)
        if figure is None or figure.suffix not in MIME:
            raise ValueError(f"image {target!r}: no such figure under {docs}")
        attachments[figure.name] = {MIME[figure.suffix]: base64.b64encode(figure.read_bytes()).decode("ascii")}
        return f"![{alt}](attachment:{figure.name})"

    return IMAGE.sub(replace, text)


def _cjk_rule():
    """The site's join rule (site_hooks/cjk_join.py), the hooks' own module."""
    return pages.hook("cjk_join").join_cjk_lines


# A line that starts a block of its own: a list item, a heading, a quote, a table row, HTML,
# math on its own line.
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|>|\||<|\$\$)")
# Inline Markdown at a line's end or start that the site renders as tags the join looks through:
# emphasis, the end of a link (its target), the start of a link.
MARKUP_END = re.compile(r"(?:\*\*|\*|\]\([^()\s]*\))+$")
MARKUP_START = re.compile(r"^(?:\*\*|\*(?!\s)|\[)+")


def join_japanese_lines(text: str) -> str:
    """``text`` with each line break inside a paragraph removed where the site removes it: between
    two Japanese characters, looking through emphasis and links as the site does (through their
    tags). Block starts, headings, table rows and fenced blocks (``pages.fences``) keep their lines."""
    pieces, position = [], 0
    for fence in pages.fences(text):
        if fence.start < position:
            continue  # a fence nested in one already kept whole
        pieces += [_join_paragraph_lines(text[position:fence.start]), text[fence.start:fence.end]]
        position = fence.end
    return "".join([*pieces, _join_paragraph_lines(text[position:])])


def _join_paragraph_lines(text: str) -> str:
    """``join_japanese_lines`` for text that holds no fenced block."""
    join = _cjk_rule()
    lines: list[str] = []
    for line in text.split("\n"):
        previous = lines[-1] if lines else ""
        if (previous.strip() and line.strip() and not BLOCK_START.match(line)
                and not previous.lstrip().startswith(("#", "|"))):
            tail = MARKUP_END.sub("", previous.rstrip())
            head = MARKUP_START.sub("", line.lstrip())
            if tail and head and "\n" not in join(f"{tail[-1]}\n{head[0]}"):
                lines[-1] = previous.rstrip() + line.lstrip()
                continue
        lines.append(line)
    return "\n".join(lines)


HEADING_ANCHOR = re.compile(r"^(#+ .*?)\s*\{\s*#([\w-]+)\s*\}[ \t]*$", re.M)
# `!!! note "Title"`, `??? info "Title"`, `=== "Tab"`: Material's admonitions and content tabs,
# whose body is the indented block that follows.
BOX = re.compile(r'^(?:(?:!!!|\?\?\?\+?) *(\w+)|===) *(?:"([^"]*)")?[ \t]*\n((?:[ \t]*\n|    .*\n?)*)', re.M)


def _quote(match: re.Match) -> str:
    """An admonition or tab as a Markdown quote, which Jupyter renders: its title in bold."""
    kind, title, body = match.groups()
    title = title if title is not None else (kind or "").capitalize()
    lines = [line[4:] if line.startswith("    ") else line.strip() for line in body.strip("\n").splitlines()]
    lines = join_japanese_lines("\n".join(lines)).split("\n")  # before the "> " prefixes
    quoted = "\n".join(f"> {line}".rstrip() for line in [f"**{title}**", "", *lines])
    return quoted + "\n\n"


def _prose(text: str, language: str = "ja", attachments: dict | None = None, docs: Path = DOCS,
           page: str | None = None) -> str:
    """A stretch of prose for Jupyter: trimmed, blank lines left by removed comments collapsed,
    headings with their `{ #anchor }` as an HTML anchor Jupyter understands, admonitions and tabs
    as quotes, Japanese lines joined, figures as attachments, links absolute to the site."""
    text = BOX.sub(_quote, HEADING_ANCHOR.sub(r'\1 <a id="\2"></a>', text + "\n"))
    text = join_japanese_lines(re.sub(r"\n{3,}", "\n\n", text).strip())
    text = _attach(text, language, docs, attachments if attachments is not None else {})
    base = site_url()
    return RELATIVE_TARGET.sub(lambda m: _site_target(m, language, base, page), text)


def page_cells(markdown: str, language: str = "ja") -> list[tuple[str, str]]:
    """``(kind, source)`` pairs in page order; kind is "markdown" or "code"."""
    return [(kind, source) for kind, source, _, _ in page_cells_with_outputs(markdown, language)]


def page_cells_with_outputs(markdown: str, language: str = "ja", docs: Path = DOCS,
                            page: str | None = None) -> list[tuple[str, str, str, dict]]:
    """``(kind, source, output, attachments)`` in page order; the output of a code cell is the one
    the page shows ("" for none, and for every Markdown cell); the attachments of a Markdown cell
    are its figures ({} for none, and for every code cell)."""
    markdown = PAGE_ONLY.sub("", DIRECTIVE.sub("", FRONT_MATTER.sub("", markdown)))
    cells: list[tuple[str, str, str, dict]] = []
    position = 0
    # The blocks Sybil runs, each a code cell; a block indented into a box (a content tab, an
    # admonition) stays in that box's quote, as the site shows it beside the box's other choice.
    blocks = [block for block in pages.code_blocks(markdown) if markdown[block.start] not in " \t"]
    for block in [*blocks, None]:  # then the page's end
        start, end = (block.start, block.end) if block else (len(markdown), len(markdown))
        attachments: dict = {}
        prose = _prose(markdown[position:start], language, attachments, docs, page)
        if prose:
            cells.append(("markdown", prose, "", attachments))
        if block is not None:
            cells.extend(("code", source, output, {}) for source, output in code_cells_with_outputs(block.source))
        position = end
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


def page_notebook(markdown: str, language: str, docs: Path = DOCS, page: str | None = None):
    """An ``nbformat`` v4 notebook of a page, with a Python 3 kernel and the page's outputs."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                         "language_info": {"name": "python"},
                         "gpt2guide": {"language": language, "site_url": site_url()}}
    count = 0
    for index, (kind, source, output, attachments) in enumerate(page_cells_with_outputs(markdown, language, docs, page)):
        if kind == "markdown":
            cell = nbformat.v4.new_markdown_cell(source, id=f"cell-{index}")
            if attachments:
                cell.attachments = attachments
            notebook.cells.append(cell)
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
            notebook = page_notebook(source.read_text(encoding="utf-8"), language, docs_dir, page)
            target.write_text(nbformat.writes(notebook) + "\n",
                              encoding="utf-8")
            written.append(target)
    return written
