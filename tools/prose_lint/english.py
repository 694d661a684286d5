"""The English pages keep one house style: US spelling, one number style, one term per concept.

Only prose is read (``tools.prose_lint.prose``, the Japanese linter's masking). Each rule is a
narrow regular expression with a message that says what to write instead:

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

References: docs/glossary.en.md; shared/reviews/english-read.md (the English read's findings).
"""

from __future__ import annotations

import re
from pathlib import Path

from tools.pages import DOCS

from . import MASK, Hit, masked, prose, rule

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


RULES = [
    rule("us-spelling", BRITISH, "write US English: -ize, -or, -er, single l, gray, toward",
         flags=re.I),
    rule("thousands", THOUSANDS, "five or more digits take commas (50,257); ids do not"),
    rule("percent", r"\d(?:\s+%|\s*percent\b)", "write the percent sign after the number: 10%"),
    rule("corner-brackets", r"[「」]", 'quote with "..." in English prose, not 「」'),
    # -- calques from Japanese
    rule("calque-in-this-page", r"\bin this page\b", 'write "on this page"', flags=re.I),
    rule("calque-make-small", r"\b(?:make|makes|made|making) (?:\w+ )?small\b",
         'write "minimize" or "lower"', flags=re.I),
    rule("calque-call-its", r"\bcall (?:its|the) (?:body|model|head) ",
         'write "keep its body as `gpt`" or "name it"', flags=re.I),
    rule("calque-class-object", r"\bclass objects?\b",
         'a model is an object, an instance of a class: write "object"', flags=re.I),
    rule("the-notebook", r"(?<!study )\bnotebook's\b|\b[Tt]he notebook\b(?!s)",
         'write "the study notebook" (defined on the home page), or cut the comparison'),
    # -- one term per concept (docs/glossary.en.md)
    rule("term-kv-cache", r"(?<!\()\bkey-value cache\b(?!\))",
         'write "KV cache" (the glossary spells it out once)', flags=re.I),
    rule("term-layer-norm", r"(?<!\()\blayer normali[sz]ation\b(?!\))|\bLayerNorms?\b",
         'write "layer norm" (`nn.LayerNorm` in code is fine)', flags=re.I),
    rule("term-pretrained", r"\bpre-train(?:ed|ing)?\b", 'write "pretrained"', flags=re.I),
    rule("term-lm-head", r"\blanguage[- ]model head\b", 'write "LM head"', flags=re.I),
    rule("term-float32", r"\bfp(?:16|32)\b", 'write "float32" / "float16" in prose (as the glossary)',
         flags=re.I),
    rule("term-next-token", r"\bpredict(?:s|ing|ion of)? the next word\b",
         'the model predicts the next token, not word'),
    # -- the English read's findings (shared/reviews/english-read.md) that a pattern can catch
    rule("four-digit-comma", r"(?<![\d,.])\d,\d{3}(?![\d,])",
         "four-digit numbers take no comma (1024, 1200), as in the Japanese pages"),
    rule("test-proves", r"\b(?:prove[sn]?|proving)\b",
         'a test on examples checks, it does not prove: write "checks"', flags=re.I),
    rule("one-a-line", r"\bone an? (?:line|row)\b", 'write "one per line"', flags=re.I),
    rule("is-comma-is", r"\bis, is\b", 'rephrase: "The probability of a whole text is..."', flags=re.I),
    rule("typo-never-fails", r"\b(?:typos?|it|BPE)\b[^.]*\bnever fails?\b(?! on)",
         'a typo never makes the tokenizer fail: say what does not fail', flags=re.I),
    rule("jacobian-vector", r"\bJacobian-vector product",
         "a backward step is a vector-Jacobian product (J-v products are forward mode)", flags=re.I),
    rule("random-percent", r"\ba random \d+%", "dropout zeroes each value with probability p "
         "(about p of them), not a fixed share"),
    rule("tests-path", r"(?<![\w/])tests/test_\w+\.py\b",
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
    text = _STUDY_BOX.sub(masked, text)
    return [n for n, line in enumerate(prose(text).splitlines(), start=1)
            if re.search(r"\bstudy notebook", line, flags=re.I)]


def lint(text: str) -> list[Hit]:
    """Every rule's hits in the prose of one English page."""
    hits = []
    for number, line in enumerate(prose(text).splitlines(), start=1):
        line = _SHAPE.sub(lambda m: MASK * len(m.group(0)), line)
        for each in RULES:
            for match in each.pattern.finditer(line):
                hits.append(Hit(number, each.name, match.group(0).replace(MASK, "…"), each.fix))
    return hits


def english_pages() -> list[Path]:
    return sorted(path for path in DOCS.rglob("*.en.md") if "notebooks" not in path.parts)


STUDY_NOTEBOOK_FIX = ('say what a first attempt does, or use a box titled "From the study notebook" '
                      "(the study notebook is the home page's and the summary's story)")


def page_hits(path: Path) -> list[Hit]:
    """The page's hits, and its mentions of the study notebook outside the pages that tell it."""
    path = Path(path).resolve()
    text = path.read_text(encoding="utf-8")
    hits = lint(text)
    relative = path.relative_to(DOCS).as_posix() if DOCS in path.parents else path.name
    if relative not in STUDY_NOTEBOOK_PAGES:
        hits += [Hit(line, "study-notebook", "study notebook", STUDY_NOTEBOOK_FIX)
                 for line in study_notebook_mentions(text)]
    return sorted(hits, key=lambda hit: hit.line)
