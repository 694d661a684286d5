"""One label per chapter: each page's label in the navigation (mkdocs.yml, both languages
through nav_translations) is its H1; a notebook's label is its chapter's ("第 1 章 <H1 name>",
"Chapter 1: <H1 name>")."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import pages

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _h1_of_page(path: Path) -> str:
    line = next(line for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith("# "))
    return re.sub(r"\s*\{[^}]*\}\s*$", "", line[2:]).strip()


def _h1_of_notebook(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return re.sub(r"<[^>]+>", "", line[2:]).strip()  # drop the <a id> anchor
    raise AssertionError(f"{path}: no H1")


def _expected(file: str, language: str) -> str:
    stem = file.rsplit(".", 1)[0]
    if file.endswith(".ipynb"):
        h1 = _h1_of_notebook(DOCS / f"{stem}.{language}.ipynb")
        number, name = re.fullmatch(r"(\d+)\. (.+)", h1).groups()
        return f"第 {number} 章 {name}" if language == "ja" else f"Chapter {number}: {name}"
    return _h1_of_page(DOCS / f"{stem}.{language}.md")


ENTRIES = [entry for entry in pages.nav() if entry[1] != "index.md"]


@pytest.mark.parametrize("label, file", ENTRIES, ids=[file for _, file in ENTRIES])
def test_nav_label_is_the_heading(label: str, file: str) -> None:
    assert label == _expected(file, "ja"), f"mkdocs.yml nav: {label!r} for {file}"
    english = pages.nav_translations("en").get(label)
    assert english == _expected(file, "en"), (
        f"mkdocs.yml nav_translations: {label!r} -> {english!r} for {file}")
