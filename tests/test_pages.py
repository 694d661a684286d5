"""Each language pair runs once: the English page runs the same code as its Japanese page.

The root conftest runs a pair's snippets once, as the Japanese page, when `tools.pages.same_code`
finds the two pages identical once comments are set aside (code, expected outputs, doctest
options, skip directives). This test proves it for every pair, so the English page's run is
the Japanese page's; where a pair differs, the conftest runs both and this test names the
difference. The tests below show the comparison can fail.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools import pages

PAIRS = sorted(path for path in pages.DOCS.rglob(f"*.{pages.LANGUAGES[0]}.md"))


@pytest.mark.parametrize("ja", PAIRS, ids=lambda p: pages.chapter(p))
def test_the_pair_runs_the_same_code(ja: Path) -> None:
    en = pages.twin(ja, "en")
    assert en.is_file(), f"{en} is missing"
    a, b = pages.fingerprint(ja), pages.fingerprint(en)
    assert len(a) == len(b), f"{pages.chapter(ja)}: {len(a)} examples in ja, {len(b)} in en"
    for number, (x, y) in enumerate(zip(a, b), start=1):
        assert x == y, f"{pages.chapter(ja)}: example #{number} differs:\n--- ja\n{x}\n--- en\n{y}"


PAGE = """# Title

<!-- skip: next if(not pocket_outputs, reason="output of the pocket model") -->
```python
>>> x = 1  # a comment
>>> x + 1
2

```

```python
y = 3  # set y
```
"""


@pytest.mark.parametrize(("change", "same"), [
    (lambda t: t.replace("# a comment", "# コメント").replace("# Title", "# 題"), True),  # comments and prose
    (lambda t: t.replace("x + 1\n2", "x + 1\n3"), False),  # an expected output
    (lambda t: t.replace("y = 3", "y = 4"), False),  # code
    (lambda t: t.replace(">>> x + 1", ">>> x + 1  # doctest: +SKIP"), False),  # a doctest option
    (lambda t: t.replace("not pocket_outputs", "True"), False),  # a skip's condition
])
def test_same_code_sets_aside_only_comments(tmp_path: Path, change, same: bool) -> None:
    ja, en = tmp_path / "p.ja.md", tmp_path / "p.en.md"
    ja.write_text(PAGE, encoding="utf-8")
    en.write_text(change(PAGE), encoding="utf-8")
    assert pages.same_code(ja, en) is same


def test_names_of_pages() -> None:
    page = pages.DOCS / "beyond" / "lora-rlhf.en.md"
    assert pages.chapter(page) == "beyond/lora-rlhf"
    assert pages.twin(page, "ja") == pages.DOCS / "beyond" / "lora-rlhf.ja.md"
    assert pages.language_of(page) == "en" and pages.language_of(Path("x.md")) is None


READ = """# Page

<!-- skip: next if(not hub, reason="downloads") -->
```python
load("gpt2")
```

=== "A tab"

    ```python
    >>> 1 + 1
    2
    ```

```python title="not collected"
z = 0
```

~~~text
<!-- not a comment -->
~~~

<!-- invisible-code-block: python
hidden = 1
-->
Some prose.
"""


def test_code_blocks_are_what_sybil_runs(tmp_path: Path) -> None:
    blocks = pages.code_blocks(READ)
    assert [(b.line, b.source, b.invisible, b.is_doctest) for b in blocks] == [
        (4, 'load("gpt2")\n', False, False), (10, ">>> 1 + 1\n2\n", False, True), (23, "hidden = 1\n", True, False)]
    # Sybil runs one example per block here (the doctest block holds one), each inside its block
    page = tmp_path / "p.ja.md"
    page.write_text(READ, encoding="utf-8")
    ran = [e for e in pages.examples(page) if e.region.evaluator.__class__.__name__ != "Skipper"]
    assert len(ran) == len(blocks)
    assert all(b.start <= e.region.start and e.region.end <= b.end for b, e in zip(blocks, ran))


def test_fences_skips_and_prose() -> None:
    assert [(f.line, f.info) for f in pages.fences(READ)] == [(4, "python"), (10, "python"), (15, 'python title="not collected"'), (19, "text")]
    assert [(s.line, s.action, s.arguments) for s in pages.skips(READ)] == [(3, "next", 'if(not hub, reason="downloads")')]
    prose = pages.prose(READ)
    assert len(prose) == len(READ) and prose.count("\n") == READ.count("\n")
    kept = [line for line in prose.splitlines() if line.strip(pages.MASK + " ")]
    assert kept == ["# Page", '=== "A tab"', "Some prose."]


def test_nav_and_its_translations() -> None:
    nav = pages.nav()
    assert nav[0][1] == "index.md" and all(file.endswith((".md", ".ipynb")) for _, file in nav)
    english = pages.nav_translations("en")
    assert english and set(english) <= {label for label, _ in nav} | {
        label for item in pages.mkdocs_config()["nav"] for label in item if isinstance(item, dict)}
    with pytest.raises(ValueError, match="language"):
        pages.nav_translations("fr")
