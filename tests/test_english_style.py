"""The English pages keep one house style: US spelling, one number style, one term per concept.

The linter is tools/prose_lint/english.py (also ``python -m tools prose-lint``); this runs it on
every English page, and on a bad sample (every rule must fire), one bad example per rule, and a
good sample (no rule may fire).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.pages import DOCS, ROOT
from tools.prose_lint.english import RULES, STUDY_NOTEBOOK_PAGES, english_pages, lint, study_notebook_mentions


def _param(path: Path):
    return pytest.param(path, id=path.relative_to(DOCS).as_posix())


@pytest.mark.parametrize("path", [_param(p) for p in english_pages()])
def test_english_page_keeps_the_house_style(path: Path) -> None:
    hits = lint(path.read_text(encoding="utf-8"))
    assert not hits, (
        f"{path.relative_to(ROOT)} breaks the English house style:\n"
        + "\n".join(str(hit) for hit in hits)
    )


@pytest.mark.parametrize("path", [_param(p) for p in english_pages()
                                  if p.relative_to(DOCS).as_posix() not in STUDY_NOTEBOOK_PAGES])
def test_the_study_notebook_stays_on_the_home_page_and_summary(path: Path) -> None:
    lines = study_notebook_mentions(path.read_text(encoding="utf-8"))
    assert not lines, (f"{path.relative_to(ROOT)} mentions the study notebook on lines {lines}: say "
                       'what a first attempt does, or use a box titled "From the study notebook"')


def test_study_notebook_rule_catches_a_mention_and_spares_the_box() -> None:
    text = ('The study notebook\'s loop.\n\n??? info "From the study notebook: its error"\n'
            "    The study notebook does not show it.\n\nA first attempt sorts.\n")
    assert study_notebook_mentions(text) == [1]


BAD = """\
# Example { #example }

The model is characterised by its colour and behaviour; it normalises, modelling in grey.
A vocabulary of 50257 tokens, a 10 % dropout, and 「こ」 in English prose.
In this page we show what training makes small, and call its body `gpt`.
An LLM is one class object. The notebook's loop is the notebook the guide grew from.
The key-value cache, a layer normalization and a LayerNorm of a pre-trained model.
Its language-model head. Weights in fp32, predicting the next word, a context of 1,024 tokens.
A test proves it; 50,000 merges, one a line. How probable a text is, is a product.
A typo such as "uou" never fails. The softmax's Jacobian-vector product.
Dropout sets a random 10% to zero; tests/test_backward.py checks this.
"""

GOOD = """\
# Example { #example }

!!! note "Titles are masked: characterised, 50257"
    Inline code is masked too: `colour = 50257`.

```python
>>> print("characterised 50257 10 % 「こ」 key-value cache")  # code is not prose
```

The model is characterized by its color and behavior; it normalizes, modeling in gray, toward 0.
A vocabulary of 50,257 tokens, a 10% dropout, id 50256, ids 0 to 50256, ln 50257 and the shape
(1, 7, 50257); "こ" is quoted in English prose, and the year 2019 has four digits.
On this page training minimizes the loss; keep its body as `gpt`, an object with parameters.
The study notebook's loop is the study notebook the guide grew from; the chapter notebooks.
The KV cache (key-value cache), a layer norm (layer normalization), `nn.LayerNorm`, pretrained.
Parameters, the meter of a poem, four hours, our course: no false alarms. 『日本語の書名』.
In float32, predicting the next token, 1024 tokens, 1,557,611,200 values; a test checks it.
One merge per line; the probability of a text is a product; BPE never fails on it.
A vector-Jacobian product; each value is zeroed with probability 0.1; the repository's tests.
The space belongs to the next word.
"""


def test_the_linter_flags_each_rule_on_a_bad_sample() -> None:
    fired = {hit.rule for hit in lint(BAD)}
    missing = {rule.name for rule in RULES} - fired
    assert not missing, f"rules that did not fire on the bad sample: {sorted(missing)}"


@pytest.mark.parametrize("bad, rule", [
    ("It is characterised.", "us-spelling"),
    ("Warm colours.", "us-spelling"),
    ("Two labelled axes.", "us-spelling"),
    ("The centre.", "us-spelling"),
    ("It moves towards 0.", "us-spelling"),
    ("All 50257 tokens.", "thousands"),
    ("A 10 % share.", "percent"),
    ("The kana 「こ」.", "corner-brackets"),
    ("Shown in this page.", "calque-in-this-page"),
    ("What training made small.", "calque-make-small"),
    ("Call its body `gpt`.", "calque-call-its"),
    ("One class object.", "calque-class-object"),
    ("As the notebook did.", "the-notebook"),
    ("The key-value cache grows.", "term-kv-cache"),
    ("A LayerNorm sits there.", "term-layer-norm"),
    ("A pre-trained model.", "term-pretrained"),
    ("The language-model head.", "term-lm-head"),
    ("Weights in fp16.", "term-float32"),
    ("It is good at predicting the next word.", "term-next-token"),
    ("A context of 1,024 tokens.", "four-digit-comma"),
    ("A test proves they agree.", "test-proves"),
    ("It holds 50,000 merges, one a line.", "one-a-line"),
    ("How probable a whole text is, is the product.", "is-comma-is"),
    ('A typo such as "uou" never fails.', "typo-never-fails"),
    ("Attention: the softmax's Jacobian-vector product.", "jacobian-vector"),
    ("It sets a random 10% of the values to zero.", "random-percent"),
    ("See tests/test_backward.py for the loop.", "tests-path"),
])
def test_each_rule_catches_its_bad_example(bad: str, rule: str) -> None:
    assert rule in {hit.rule for hit in lint(bad)}, f"{rule} missed {bad!r}"


def test_the_linter_passes_a_good_sample() -> None:
    hits = lint(GOOD)
    assert not hits, "\n".join(str(hit) for hit in hits)


def test_masking_keeps_line_numbers() -> None:
    text = "First line.\n```python\ncolour = 1\n```\nThe colour on line five.\n"
    assert [hit.line for hit in lint(text)] == [5]
