"""The English pages keep one house style: US spelling, one number style, one term per concept.

The same masking as the Japanese lint (``test_japanese_style.prose``): fenced code blocks,
inline code, math, HTML comments and tags, link targets, heading attributes and titles in
『』 are replaced first, keeping line numbers, so only prose is checked. Each rule is a narrow
regular expression with a message that says what to write instead:

- US spelling (the site chose US English): a list of British spellings that must not appear.
- Numbers: five or more digits take thousands separators ("50,257"), except token ids
  ("id 50256", "0 to 50256"), logarithms ("ln 50257") and shapes ("(1, 7, 50257)"); a percent
  sign follows the number without a space ("10%").
- No Japanese corner brackets 「」 in English prose: quote with "...".
- Findings of the English read (shared/reviews/english-read.md): fp32/fp16 in prose, "predicting
  the next word", four-digit numbers with a comma, tests that "prove", "one a line", "is, is",
  typos that "never fail", a backward step named a Jacobian-vector product, dropout as "a random
  10%", and test files named to readers who have no tests/ folder. "The study notebook" is
  mentioned only on the home page and the summary, or in a box titled "From the study notebook".
- Calques from Japanese and second names for one concept (docs/glossary.en.md): "in this
  page", "makes small", "call its body", "class object", "the notebook" (say "the study
  notebook"), "key-value cache", "layer normalization" and "LayerNorm" outside the glossary's
  parenthesis, "pre-trained", "language-model head".

Unit tests lint a bad sample (every rule must fire), one bad example per rule, and a good
sample (no rule may fire).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_japanese_style import MASK, Hit, prose

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# -- British spellings, as stems with their endings
_IZE_STEMS = ("normal|initial|optim|token|organ|recogn|real|summar|visual|minim|maxim|serial"
              "|util|character|general|parallel|regular|standard|custom|special|emphas|final"
              "|categor|priorit|vector|memor|penal|capital|random|local|synthes|apolog")
_OUR_STEMS = "col|flav|behavi|neighb|fav|hon|lab|hum|rum|endeav|harb|arm|vap"
_LL_STEMS = "travel|label|model|cancel|signal|channel|total|level|tunnel|counsel|fuel|marshal"
BRITISH = (
    rf"\b(?:{_IZE_STEMS})is(?:e|es|ed|ing|ation|ations|er|ers)\b"
    rf"|\b(?:{_OUR_STEMS})our(?:s|ed|ing|ite|ites|able|ful|hood|less)?\b"
    rf"|\b(?:{_LL_STEMS})l(?:ed|ing|er|ers)\b"
    r"|\b(?:cent|met|lit|fib|theat)re(?:s|d)?\b"
    r"|\banalys(?:e|es|ed|ing)\b"
    r"|\b(?:catalogue|dialogue|programme|licence|defence|offence|whilst|amongst|learnt|spelt"
    r"|greys?|judgement|artefacts?|sceptical|towards|fulfil|enrol|maths|per cent)\b"
)

# Five or more digits without separators: not an id, a logarithm, a hex digit run or part of
# a decimal; shapes such as (1, 7, 50257) are masked before this rule runs.
THOUSANDS = (r"(?<![\w,.+-])(?<!\bid )(?<!\bids )(?<!\bID )(?<!\bln )(?<!\b0 to )"
             r"\d{5,}(?![\d,]\d|\.\d|\w)")
# A tuple of numbers, a shape: (1, 7, 50257) or (50257, 120)
_SHAPE = re.compile(r"\(\d+(?:,\s*\d+)+\)")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    fix: str


def _rule(name: str, pattern: str, fix: str, flags: int = 0) -> Rule:
    return Rule(name, re.compile(pattern, flags), fix)


RULES = [
    _rule("us-spelling", BRITISH, "write US English: -ize, -or, -er, single l, gray, toward",
          re.I),
    _rule("thousands", THOUSANDS, "five or more digits take commas (50,257); ids do not"),
    _rule("percent", r"\d(?:\s+%|\s*percent\b)", "write the percent sign after the number: 10%"),
    _rule("corner-brackets", r"[「」]", 'quote with "..." in English prose, not 「」'),
    # -- calques from Japanese
    _rule("calque-in-this-page", r"\bin this page\b", 'write "on this page"', re.I),
    _rule("calque-make-small", r"\b(?:make|makes|made|making) (?:\w+ )?small\b",
          'write "minimize" or "lower"', re.I),
    _rule("calque-call-its", r"\bcall (?:its|the) (?:body|model|head) ",
          'write "keep its body as `gpt`" or "name it"', re.I),
    _rule("calque-class-object", r"\bclass objects?\b",
          'a model is an object, an instance of a class: write "object"', re.I),
    _rule("the-notebook", r"(?<!study )\bnotebook's\b|\b[Tt]he notebook\b(?!s)",
          'write "the study notebook" (defined on the home page), or cut the comparison'),
    # -- one term per concept (docs/glossary.en.md)
    _rule("term-kv-cache", r"(?<!\()\bkey-value cache\b(?!\))",
          'write "KV cache" (the glossary spells it out once)', re.I),
    _rule("term-layer-norm", r"(?<!\()\blayer normali[sz]ation\b(?!\))|\bLayerNorms?\b",
          'write "layer norm" (`nn.LayerNorm` in code is fine)', re.I),
    _rule("term-pretrained", r"\bpre-train(?:ed|ing)?\b", 'write "pretrained"', re.I),
    _rule("term-lm-head", r"\blanguage[- ]model head\b", 'write "LM head"', re.I),
    _rule("term-float32", r"\bfp(?:16|32)\b", 'write "float32" / "float16" in prose (as the glossary)',
          re.I),
    _rule("term-next-token", r"\bpredict(?:s|ing|ion of)? the next word\b",
          'the model predicts the next token, not word'),
    # -- the English read's findings (shared/reviews/english-read.md) that a pattern can catch
    _rule("four-digit-comma", r"(?<![\d,.])\d,\d{3}(?![\d,])",
          "four-digit numbers take no comma (1024, 1200), as in the Japanese pages"),
    _rule("test-proves", r"\b(?:prove[sn]?|proving)\b",
          'a test on examples checks, it does not prove: write "checks"', re.I),
    _rule("one-a-line", r"\bone an? (?:line|row)\b", 'write "one per line"', re.I),
    _rule("is-comma-is", r"\bis, is\b", 'rephrase: "The probability of a whole text is..."', re.I),
    _rule("typo-never-fails", r"\b(?:typos?|it|BPE)\b[^.]*\bnever fails?\b(?! on)",
          'a typo never makes the tokenizer fail: say what does not fail', re.I),
    _rule("jacobian-vector", r"\bJacobian-vector product",
          "a backward step is a vector-Jacobian product (J-v products are forward mode)", re.I),
    _rule("random-percent", r"\ba random \d+%", "dropout zeroes each value with probability p "
          "(about p of them), not a fixed share"),
    _rule("tests-path", r"(?<![\w/])tests/test_\w+\.py\b",
          "readers have no tests/ folder: link the file on GitHub, in inline code"),
]

# "The study notebook" (the Japanese notebook the guide grew from) is the home page's story and the
# summary's table of open questions; elsewhere a page says what a first attempt does, or gathers
# the comparison in a box titled "From the study notebook".
STUDY_NOTEBOOK_PAGES = {"index.en.md", "summary.en.md"}
_STUDY_BOX = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?) \w+ "From the study notebook[^\n]*\n'
                        r"(?:(?P=indent)[ \t]{4}[^\n]*\n|[ \t]*\n)*", re.M)


def study_notebook_mentions(text: str) -> list[int]:
    """Line numbers that mention the study notebook outside a "From the study notebook" box."""
    text = _STUDY_BOX.sub(lambda m: re.sub(r"[^\n]", MASK, m.group(0)), text)
    return [n for n, line in enumerate(prose(text).splitlines(), start=1)
            if re.search(r"\bstudy notebook", line, re.I)]


def lint(text: str) -> list[Hit]:
    """Every rule's hits in the prose of one English page."""
    hits = []
    for number, line in enumerate(prose(text).splitlines(), start=1):
        line = _SHAPE.sub(lambda m: MASK * len(m.group(0)), line)
        for rule in RULES:
            for match in rule.pattern.finditer(line):
                found = match.group(0).replace(MASK, "…")
                hits.append(Hit(number, rule.name, found, rule.fix))
    return hits


def english_pages() -> list[Path]:
    return sorted(path for path in DOCS.rglob("*.en.md") if "notebooks" not in path.parts)




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
