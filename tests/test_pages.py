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
