"""The chapter notebooks: made from the pages, fresh, runnable, and showing the page's outputs."""

from __future__ import annotations

import doctest
import itertools
from pathlib import Path

import pytest

from gpt2guide.cli import main
from tools.commands.notebooks import CHAPTERS
from tools.notebooks import code_cells, code_cells_with_outputs, page_cells, page_notebook, shown_text

DOCS = Path(__file__).resolve().parents[1] / "docs"
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE  # as the pages' doctests (conftest.py)


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


def test_links_point_where_the_notebook_page_sees_them():
    page = "[a](glossary.md#token), [b](index.md), ![c](assets/figures/x.svg), [d](https://x.org/a.md), [e](#here)"
    assert page_cells(page) == [("markdown", "[a](../../glossary/#token), [b](../../), "
                                 "![c](../../assets/figures/x.svg), [d](https://x.org/a.md), [e](#here)")]


def test_jupyter_markdown_has_no_site_syntax():
    page = '## Logits { #logits }\n\n!!! note "Which model"\n    The pocket model.\n\n    Really.\n\nAfter.\n'
    assert page_cells(page) == [("markdown", '## Logits <a id="logits"></a>\n\n> **Which model**\n>\n'
                                 "> The pocket model.\n>\n> Really.\n\nAfter.")]


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
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_runs_and_reproduces_its_outputs(chapter, tmp_path):
    """Each chapter's notebook (Japanese; the English one holds the same code, comments aside, and
    the same outputs, as the test above checks) runs top to bottom, and every cell shows the output the notebook was
    written with, compared as the pages' doctests compare (ELLIPSIS, NORMALIZE_WHITESPACE)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(DOCS / "notebooks" / f"{chapter}.ja.ipynb", as_version=4)
    shown = [(cell.source, shown_text(cell), _kinds(cell)) for cell in notebook.cells
             if cell.cell_type == "code"]
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors[0]
    checker = doctest.OutputChecker()
    ran = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for (source, want, kinds), cell in zip(shown, ran, strict=True):
        got = shown_text(cell)
        assert checker.check_output(want, got, FLAGS), f"cell\n{source}\nshowed\n{got}\ninstead of\n{want}"
        if want:  # the written output has the kind Jupyter gives it: printed, or the value of the last line
            assert kinds == _kinds(cell), source
