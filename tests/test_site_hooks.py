"""The small build hooks under site_hooks/: doctest blocks, switcher links, KaTeX pages."""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import markdown
import pytest

from tools import pages

HOOKS = pages.HOOKS
_load = pages.hook  # each hook under its one name, the file's stem (as MkDocs' hooks import each other)


doctest_blocks = _load("doctest_blocks")
links = _load("links")
katex = _load("katex")


# -- doctest_blocks ----------------------------------------------------------------------------

def test_runnable_code_drops_prompts_and_output() -> None:
    source = (
        '>>> text = "I can\'t"\n'
        ">>> for word in text.split():\n"
        "...     print(word)\n"
        "...\n"
        "I\n"
        "can't\n"
        ">>> len(text)\n"
        "7\n"
    )
    code = doctest_blocks.runnable_code(source)
    assert code == (
        'text = "I can\'t"\nfor word in text.split():\n    print(word)\n\nlen(text)\n')
    compile(code, "<copy>", "exec")


def test_runnable_code_keeps_comment_lines() -> None:
    source = ">>> # the model, on the CPU\n>>> x = 1\n>>> ...\nEllipsis\n"
    assert doctest_blocks.runnable_code(source) == "# the model, on the CPU\nx = 1\n...\n"


def _doctest_blocks() -> list[tuple[str, str]]:
    """(page, source) of every ```python block on the pages that starts with `>>>`."""
    return [(path.relative_to(HOOKS.parent).as_posix(), block.source)
            for path in sorted((HOOKS.parent / "docs").rglob("*.md"))
            for block in pages.code_blocks(path.read_text(encoding="utf-8"), path)
            if not block.invisible and doctest_blocks.is_doctest(block.source)]


def test_every_doctest_block_copies_as_code_that_compiles() -> None:
    """On every page: the copied code compiles, and it is the code doctest runs, line for
    line, plus the comment lines doctest skips."""
    blocks = _doctest_blocks()
    assert len(blocks) > 100, len(blocks)
    for page, source in blocks:
        code = doctest_blocks.runnable_code(source)
        compile(code, f"<copy {page}>", "exec")
        examples = doctest.DocTestParser().get_examples(source)
        expected = "".join(example.source for example in examples)
        kept = [line for line in code.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
        assert kept == [line for line in expected.splitlines()
                        if line.strip() and not line.lstrip().startswith("#")], page


@pytest.mark.parametrize("source, expected", [(">>> 1\n1\n", True), ("x = 1\n", False),
                                              ("\n>>> 1\n", False), ("# >>> 1\n", False)])
def test_is_doctest_is_sybils_rule(source: str, expected: bool) -> None:
    assert doctest_blocks.is_doctest(source) is expected


def _render(text: str) -> str:
    from pymdownx.superfences import highlight_validator

    fence = {"name": "python", "class": "highlight", "format": doctest_blocks.format_python,
             "validator": highlight_validator}
    return markdown.markdown(
        text,
        extensions=["pymdownx.highlight", "pymdownx.superfences"],
        extension_configs={"pymdownx.highlight": {"pygments_lang_class": True},
                           "pymdownx.superfences": {"custom_fences": [fence]}},
    )


def test_doctest_fence_renders_as_a_console_session() -> None:
    html = _render("```python\n>>> print(\"I can't\")\nI can't\n```\n")
    assert 'class="language-pycon highlight"' in html
    assert 'data-copy="print(&quot;I can&#x27;t&quot;)\n"' in html
    assert '<span class="go">I can\'t</span>' in html  # the output is one output token


def test_other_python_fence_is_unchanged() -> None:
    html = _render("```python\nx = 1\n```\n")
    assert 'class="language-python highlight"' in html and "data-copy" not in html


# -- links -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "link, site_url, expected",
    [
        ("/gpt2guide/", "https://example.org/gpt2guide/", ""),
        ("/gpt2guide/en/", "https://example.org/gpt2guide/", "en/"),
        ("/gpt2guide", "https://example.org/gpt2guide/", ""),
        ("../en/tokens/", "https://example.org/gpt2guide/", "../en/tokens/"),
        ("/en/", None, "en/"),
        ("/elsewhere/", "https://example.org/gpt2guide/", "/elsewhere/"),
    ],
)
def test_site_relative(link: str, site_url: str | None, expected: str) -> None:
    assert links.site_relative(link, site_url) == expected


# -- katex -------------------------------------------------------------------------------------

def test_html_has_math() -> None:
    assert katex.html_has_math('<div class="arithmatex">\\[x\\]</div>')
    assert katex.html_has_math("<span class='arithmatex'>\\(x\\)</span>")
    assert not katex.html_has_math("<p>costs $5 and $6</p>")


def _notebook(tmp_path: Path, *cells: tuple[str, str]) -> Path:
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": [
        {"cell_type": kind, "source": source, "metadata": {}} for kind, source in cells]}))
    return path


@pytest.mark.parametrize(
    "cells, expected",
    [
        ([("markdown", "The loss $L$ falls.")], True),
        ([("markdown", ["$$\n", "x^2\n", "$$\n"])], True),
        ([("markdown", "Inline \\(x\\).")], True),
        ([("markdown", "It costs $ 5 and $ 6."), ("code", "x = '$y$'")], False),
        ([("markdown", "Run `echo $HOME$` first.")], False),
    ],
)
def test_notebook_has_math(tmp_path: Path, cells, expected: bool) -> None:
    assert katex.notebook_has_math(_notebook(tmp_path, *cells)) is expected


# -- site_text: the one language helper, CJK class and math regex ------------------------------

site_text = _load("site_text")


def _page(src_uri: str, locale=None):
    from types import SimpleNamespace

    return SimpleNamespace(file=SimpleNamespace(src_uri=src_uri, locale=locale))


def _config(current_language=None):
    from types import SimpleNamespace

    i18n = None if current_language is None else SimpleNamespace(current_language=current_language)
    return SimpleNamespace(plugins={"i18n": i18n} if i18n else {})


@pytest.mark.parametrize("page, config, expected", [
    (_page("tokens.md", locale="en"), _config("ja"), "en"),  # the file's locale first
    (_page("tokens.md"), _config("en"), "en"),  # else the language being built
    (_page("notebooks/x.en.ipynb"), None, "en"),  # else the file name
    (_page("tokens.md"), _config(), "ja"),  # else the default language
    (_page("tokens.md", locale="fr"), None, "ja"),  # a language the site does not have is no answer
])
def test_page_language_falls_back_in_one_order(page, config, expected):
    assert site_text.page_language(page, config) == expected


def test_name_language_reads_the_suffix():
    assert site_text.name_language("docs/tokens.ja.md") == "ja"
    assert site_text.name_language(Path("notebooks/x.en.ipynb")) == "en"
    assert site_text.name_language("tokens.md") is None and site_text.name_language("a.fr.md") is None


def test_hooks_and_tools_share_the_definitions():
    """cjk_join, katex and search use site_text's CJK class and math regex, and the figures its language helper."""
    cjk_join, search = _load("cjk_join"), _load("search")
    assert cjk_join.CJK == site_text.CJK and cjk_join.MATH_CLASS.pattern == katex.MATH_CLASS.pattern
    assert site_text.CJK in search._LOOKS_LIKE_TEX.pattern
    assert site_text.is_cjk("あ") and not site_text.is_cjk("a")
    from tools.figures import page_language

    assert page_language(Path("docs/training.en.md")) == "en"
    with pytest.raises(ValueError, match="^page: .* is not named"):
        page_language(Path("docs/training.md"))


def test_site_hooks_holds_hooks_only():
    """Every module in site_hooks/ is a hook mkdocs.yml lists, but site_text (what they share);
    maintainer commands such as vendor_katex live in tools/."""
    hooks = pages.mkdocs_config()["hooks"]
    assert {Path(h).name for h in hooks} | {"site_text.py"} == {p.name for p in HOOKS.glob("*.py")}
    assert (HOOKS.parent / "tools" / "vendor_katex.py").is_file()


def test_a_hook_has_one_identity():
    """The tools' loader gives the very module pytest imports through its pythonpath."""
    import cjk_join
    import site_text

    assert pages.hook("site_text") is site_text and pages.hook("cjk_join") is cjk_join
    assert cjk_join.is_cjk is site_text.is_cjk  # its sibling import found the same module
