"""Every number a reader sees in a page's prose is printed (or written) by a block on that page.

The linter is tools/prose_lint/numbers.py (also ``python -m tools prose-lint``); this runs it on
every page, both languages, and on a sample that shows it can fail. A finding is fixed on the
page: add a block that prints the number, or reword the prose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.pages import DOCS, ROOT
from tools.prose_lint.numbers import pages_to_read, unprinted


def _param(path: Path):
    return pytest.param(path, id=path.relative_to(DOCS).as_posix())


@pytest.mark.parametrize("path", [_param(p) for p in pages_to_read()])
def test_every_number_in_the_prose_is_printed_on_the_page(path: Path) -> None:
    stem = path.name.split(".")[0]
    found = unprinted(path.read_text(encoding="utf-8"), stem)
    assert not found, (
        f"{path.relative_to(ROOT)}: numbers in the prose that no block on the page prints "
        "(print them in a block, or reword):\n" + "\n".join(found))


BAD = """\
# Tokens { #tokens }

The vocabulary has 50,000 merges, and the prompt is 7 tokens; about 4.5 times as many in Japanese.

```python
>>> len(ids)
8
```
"""

GOOD = """\
# Tokens { #tokens }

The prompt is 7 tokens ([chapter 2](tokens.md)), with probability 0.12 (12%) for ` you`, a
model of about 124 million parameters; $\\ln 50257 \\approx 10.8$ is math, `x = 99` is code,
GPT-2 and float32 are names, Python 3.11 is a version, and Vaswani et al. 2017 a citation.

1. An ordered list's marker.

```python
>>> len(ids), 0.1229, 124_439_808
(7, 0.1229, 124439808)
```
"""


def test_a_number_no_block_prints_is_caught() -> None:
    found = unprinted(BAD)
    assert [f.split(": ", 1)[1] for f in found] == ["'50,000'", "'7'", "'4.5'"], found


def test_numbers_the_blocks_print_and_names_pass() -> None:
    assert unprinted(GOOD) == []
