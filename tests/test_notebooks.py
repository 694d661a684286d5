"""The chapter notebooks: made from the pages, fresh, and runnable."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpt2guide.cli import main
from gpt2guide.commands.notebooks import CHAPTERS
from gpt2guide.notebooks import code_cells, page_cells

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_doctest_block_becomes_one_cell_per_shown_output():
    block = ">>> x = [1, 2]\n>>> for v in x:\n...     print(v)\n1\n2\n>>> len(x)\n2\n>>> y = 3\n"
    assert code_cells(block) == ["x = [1, 2]\nfor v in x:\n    print(v)", "len(x)", "y = 3"]
    assert code_cells("a = 1\n\nb = 2\n") == ["a = 1\n\nb = 2"]


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
    assert page_cells(page) == [("markdown", "## Logits\n\n> **Which model**\n>\n> The pocket model.\n>\n"
                                 "> Really.\n\nAfter.")]


def test_committed_notebooks_are_fresh(capsys):
    assert main(["notebooks", "--docs", str(DOCS), "--check"]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebook_runs(chapter, tmp_path):
    """Each chapter's notebook (Japanese; the English one holds the same code) runs top to bottom."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(DOCS / "notebooks" / f"{chapter}.ja.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
