"""The chapter notebooks: made from the pages, fresh, runnable, and showing the page's outputs."""

from __future__ import annotations

import base64
import itertools
import re
from pathlib import Path

import pytest

# The characters the site joins between (site_hooks/ is on pytest's pythonpath, as under MkDocs).
from cjk_join import CJK

from tools import pages
from tools.__main__ import main
from tools.commands.notebooks import CHAPTERS
from tools.notebooks import code_cells, code_cells_with_outputs, join_japanese_lines, page_cells, page_notebook, shown_text, site_url
from tools.pages import DOCTEST_FLAGS, FloatTolerantChecker

DOCS = Path(__file__).resolve().parents[1] / "docs"
# One notebook runs end to end in every run (the others are the same pages' code, which the page
# run has just checked, and `notebooks --check` proves them written from the pages); every
# chapter's notebook runs with --heavy, weekly (.github/workflows/real-checkpoints.yml).
SMOKE_CHAPTER = "body-head"


def test_doctest_block_becomes_one_cell_per_shown_output():
    block = ">>> x = [1, 2]\n>>> for v in x:\n...     print(v)\n1\n2\n>>> len(x)\n2\n>>> y = 3\n"
    assert code_cells(block) == ["x = [1, 2]\nfor v in x:\n    print(v)", "len(x)", "y = 3"]
    assert code_cells("a = 1\n\nb = 2\n") == ["a = 1\n\nb = 2"]
    assert code_cells_with_outputs(block) == [("x = [1, 2]\nfor v in x:\n    print(v)", "1\n2\n"),
                                              ("len(x)", "2\n"), ("y = 3", "")]


def test_cells_show_the_pages_outputs_as_jupyter_would():
    page = "```python\n>>> print('a')\na\n>>> 1 + 1\n2\n>>> x = 3\n```\n"
    code = [c for c in page_notebook(page, "en").cells if c.cell_type == "code"]
    assert [c.outputs[0].output_type if c.outputs else None for c in code] == ["stream", "execute_result", None]
    assert [shown_text(c) for c in code] == ["a\n", "2\n", ""]
    assert [c.execution_count for c in code] == [1, 2, 3]


def test_cells_keep_page_order_and_drop_directives():
    page = ('# T\n\nprose\n\n<!-- skip: next if(1, reason="r") -->\n```python\na = 1\n```\n\n'
            "<!-- invisible-code-block: python\nb = 2\n-->\n\n```bash\nls\n```\n")
    assert page_cells(page) == [("markdown", "# T\n\nprose"), ("code", "a = 1"), ("code", "b = 2"),
                                ("markdown", "```bash\nls\n```")]


def test_page_only_prose_stays_on_the_site():
    page = "# T\n\n<!-- page-only -->\n!!! tip\n    [the notebook](notebooks/t.ipynb)\n<!-- /page-only -->\n\nbody\n"
    assert page_cells(page) == [("markdown", "# T\n\nbody")]


def test_links_are_absolute_to_the_published_site():
    page = "[a](glossary.md#token), [b](index.md), [d](https://x.org/a.md), [e](#here), [f](beyond/x.md)"
    site = site_url()
    assert site.startswith("https://") and site.endswith("/")
    assert page_cells(page, "en") == [("markdown", f"[a]({site}en/glossary/#token), [b]({site}en/), "
                                       f"[d](https://x.org/a.md), [e](#here), [f]({site}en/beyond/x/)")]
    assert page_cells("[a](glossary.md#token)", "ja") == [("markdown", f"[a]({site}glossary/#token)")]
    (cell,) = page_notebook("[kv](anatomy.md#kv-cache), [top](anatomy.md)", "ja", page="anatomy").cells
    assert cell.source == f"[kv](#kv-cache), [top]({site}anatomy/)"  # its own anchors stay in the notebook


def test_figures_travel_as_attachments():
    (cell,) = page_notebook("![A chart](assets/figures/parameters.svg)\n", "en").cells
    assert cell.source == "![A chart](attachment:parameters.en.svg)"
    data = base64.b64decode(cell.attachments["parameters.en.svg"]["image/svg+xml"])
    assert data == (DOCS / "assets" / "figures" / "parameters.en.svg").read_bytes()


def test_japanese_lines_are_joined_as_the_site_joins_them():
    text = "これは\n日本語です。\n**太字**と\n[リンク](x.md)の\n`code` と\nEnglish\nline\n\n次の\n段落\n- 項目\n  続き\n# 見出し\n本文"
    assert join_japanese_lines(text) == ("これは日本語です。**太字**と[リンク](x.md)の\n`code` と\nEnglish\nline\n\n"
                                         "次の段落\n- 項目続き\n# 見出し\n本文")
    quoted = page_cells('!!! note "注"\n    一行目と\n    二行目。\n', "ja")
    assert quoted == [("markdown", "> **注**\n>\n> 一行目と二行目。")]


# What a downloaded notebook must not hold: a break between two Japanese characters in Markdown
# (Jupyter shows it as a space), a link that only resolves on the site, an image it cannot show.
CJK_BREAK = re.compile(f"[{CJK}]\\n[ \\t]*[{CJK}]")
MARKDOWN_TARGET = re.compile(r"\]\(([^)\s]+)\)|\b(?:href|src)=\"([^\"]+)\"")
IMAGE_TARGET = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|<img\b[^>]*\bsrc=\"([^\"]+)\"")
NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_downloaded_notebook_reads_offline(path):
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        prose = pages.prose(cell.source)  # fenced code masked (tools.pages), lines kept
        problems += [f"cell {index}: line break inside {m.group(0)!r}" for m in CJK_BREAK.finditer(prose)]
        for match in MARKDOWN_TARGET.finditer(prose):
            target = match.group(1) or match.group(2)
            if not re.match(r"^(?:[a-z][a-z0-9+.-]*:|#)", target):
                problems.append(f"cell {index}: relative link {target!r}")
        for match in IMAGE_TARGET.finditer(prose):
            target = match.group(1) or match.group(2)
            name = target.removeprefix("attachment:")
            if target.startswith("attachment:") and name in cell.get("attachments", {}):
                continue
            if not target.startswith("data:"):
                problems.append(f"cell {index}: image {target!r} needs the network or the site")
    assert not problems, "\n".join(problems)


def test_the_offline_check_can_fail():
    assert CJK_BREAK.search("です\nます") and not CJK_BREAK.search("です\n`x`")
    assert MARKDOWN_TARGET.search("[a](glossary.md)").group(1) == "glossary.md"


def test_jupyter_markdown_has_no_site_syntax():
    page = '## Logits { #logits }\n\n!!! note "Which model"\n    The pocket model.\n\n    Really.\n\nAfter.\n'
    assert page_cells(page) == [("markdown", '## Logits <a id="logits"></a>\n\n> **Which model**\n>\n'
                                 "> The pocket model.\n>\n> Really.\n\nAfter.")]


@pytest.mark.slow  # writes every notebook from its pages (not in the quick loop)
def test_committed_notebooks_are_fresh(capsys):
    assert main(["notebooks", "--docs", str(DOCS), "--check"]) == 0, capsys.readouterr().err


def _code_cells(chapter: str, language: str) -> list:
    import nbformat

    notebook = nbformat.read(DOCS / "notebooks" / f"{chapter}.{language}.ipynb", as_version=4)
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_both_languages_hold_the_same_code_and_outputs(chapter):
    ja, en = _code_cells(chapter, "ja"), _code_cells(chapter, "en")
    assert [shown_text(c) for c in ja] == [shown_text(c) for c in en]  # comments may differ, outputs not
    assert any(c.outputs for c in ja), f"{chapter}: the notebook shows no outputs"


def _kinds(cell) -> list[str]:
    """The kinds of what a cell shows as text (stderr, such as a library's log, is not shown on the page)."""
    kinds = [o.output_type for o in cell.outputs
             if o.output_type == "execute_result" or (o.output_type == "stream" and o.name == "stdout")]
    return [kind for kind, _ in itertools.groupby(kinds)]  # a kernel may send one print in pieces


@pytest.mark.slow
@pytest.mark.parametrize("chapter", [
    chapter if chapter == SMOKE_CHAPTER else pytest.param(chapter, marks=pytest.mark.heavy) for chapter in CHAPTERS
])
def test_notebook_runs_and_reproduces_its_outputs(chapter, tmp_path):
    """Each chapter's notebook (Japanese; the English one holds the same code, comments aside, and
    the same outputs, as the test above checks) runs top to bottom, and every cell shows the output
    the notebook was written with, compared as the pages' doctests compare (`FloatTolerantChecker`
    with ELLIPSIS and NORMALIZE_WHITESPACE: floats within the stated tolerance, the rest exactly)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(DOCS / "notebooks" / f"{chapter}.ja.ipynb", as_version=4)
    shown = [(cell.source, shown_text(cell), _kinds(cell)) for cell in notebook.cells
             if cell.cell_type == "code"]
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[0]
    checker = FloatTolerantChecker()
    ran = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for (source, want, kinds), cell in zip(shown, ran, strict=True):
        got = shown_text(cell)
        assert checker.check_output(want, got, DOCTEST_FLAGS), f"cell\n{source}\nshowed\n{got}\ninstead of\n{want}"
        if want:  # the written output has the kind Jupyter gives it: printed, or the value of the last line
            assert kinds == _kinds(cell), source


def test_the_notebook_check_tolerates_floats_as_the_pages_do():
    """The notebook test's checker is the pages' one: a last-digit float difference passes, an id does not."""
    checker = FloatTolerantChecker()
    assert checker.check_output("tensor([0.1235])\n", "tensor([0.1234])\n", DOCTEST_FLAGS)
    assert not checker.check_output("[40, 460]\n", "[40, 461]\n", DOCTEST_FLAGS)
