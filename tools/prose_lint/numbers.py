"""Every number a reader sees in a page's prose is printed (or written) by a block on that page.

The house rule (CONTRIBUTING.md): every output shown on a page is produced by that page's code.
A number typed into the prose by hand ("124,439,808 parameters", "ln 50257 ≈ 10.8", "about 4.5
times as many tokens") goes stale silently when the code or the model changes. This linter reads
each page (both languages), takes the numbers of its prose and looks for each in the page's own
blocks: the code and the expected output of every fenced block and every invisible code block.

- Prose is the page without fenced blocks, inline code, math, HTML comments and tags, link
  targets and heading anchors (``tools.prose_lint.prose``), nor the site's templated values
  (``{{ playground_own_seconds }}``, filled in by a build hook from a measured record).
- A prose number matches a number of the blocks when, rounded as the prose rounds it, they agree
  ("0.12" matches 0.1229; "10.8" matches 10.8267), also as a percentage ("12%" matches 0.1229)
  and in millions or billions ("124 million" matches 124,439,808). Commas are ignored.
- The alt text of a generated figure (assets/figures/), which is its spec's in tools/figures and
  describes the figure the code drew (tests/test_figures.py holds page and spec together).
- Numbers that are not results: those in a box whose title says they are not run here
  (`!!! info "From the LoRA paper (not run here)"`), years, chapter and section numbers, ordered-list markers,
  version numbers, names holding digits (GPT-2, float32, h.0, ln_f) and a short, reviewed
  ALLOWED list of facts from outside the page, each with its reason.

A finding is fixed on the page: add a block that prints the number, or reword the prose. The
ALLOWED list is not a place to hide a number a block could print.

References: CONTRIBUTING.md ("every output shown on a page is produced by that page's code").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from tools import pages
from tools.pages import DOCS

from . import MASK, masked, prose

# A number in code or output: 50257, 50_257, 0.1229, 1e-06, 6.2e+01 (a sign is not part of it)
CODE_NUMBER = re.compile(r"(?<![\w.])\d[\d_,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")

# -- numbers in prose: 50,257 / 0.12 / 1e-9 / 10% / 4.5 (not inside names such as GPT-2,
# float32, h.0, ln_f, x86, v4, 2nd)
PROSE_NUMBER = re.compile(
    r"(?<![\w.\-/#~^])(?:(?P<oku>\d+)\s*億\s*(?=[\d,]+\s*万))?(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:e-?\d+)?)"
    r"(?P<after>(?:\s?%)?(?:\s*(?:million|billion|thousand|万|億))?)"
    r"(?![.,]?[A-Za-z0-9_])", re.I)
SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "万": 10**4, "億": 10**8}

# -- numbers that are not results, recognized by what stands around them
NOT_RESULTS = [
    re.compile(r"(?:19|20)\d\d\s*年(?:\s*\d{1,2}\s*月)?"),  # a year (and month), Japanese style
    re.compile(r"\b(?:19|20)\d\d\b"),  # a year (citations, "May 2023", "2019")
    re.compile(r"第\s*\d+\s*(?:章|版|節)"),  # a chapter, an edition
    re.compile(r"\b[Cc]hapters?\s+\d+(?:\s*(?:to|and|,|–)\s*\d+)*"),
    re.compile(r"\[\d+\.\s"),  # a chapter link: [5. Text generation]
    re.compile(r"^[ \t]*#{1,6}\s+\d+\.", re.M),  # a numbered heading: ### 1. What is an LLM
    re.compile(r"^[ \t]*\d+\.\s", re.M),  # an ordered list's marker
    re.compile(r"^\|?\s*\[?\d+\.\s", re.M),  # a numbered table row: | [1. What is an LLM]
    re.compile(r"§\s*\d+(?:\.\d+)*"),  # a section of a paper
    re.compile(r"\barXiv:\d{4}\.\d{4,5}"),  # a citation
    re.compile(r"\b(?:Python|PyTorch|torch|transformers|Transformers|Material|MkDocs|mkdocs"
               r"|Chromium|TensorFlow|Sybil|sybil|TRL|PEFT|peft|trl|TransformerLens|Node"
               r"|npm|ONNX|onnxruntime|Keras)\s+v?\d+(?:\.\d+)*"),  # a version
    re.compile(r"\bv\d+(?:\.\d+)*\b|\b\d+\.\d+\.\d+\b"),  # v4, 9.8.2
    re.compile(r"\b(?:UTF|utf)-\d+|\bGPT-\d|\bgpt-\d|\bT5\b|\bBERT-\w+"),  # names
    re.compile(r"\b(?:step|Step|steps)\s+\d+\s+(?:to|and)\s+\d+"),  # counted with the code
    re.compile(r"\d+\s*(?:rd|st|nd|th)\b"),  # an ordinal (2nd, 3rd)
    re.compile(r"\d+\s*世紀|\d+(?:th|st)[ -]century"),  # a century
]

# Facts from outside the page, reviewed one by one: (page stem or "*", text, reason).
ALLOWED: list[tuple[str, str, str]] = [
    ("*", "0", "a constant, not a result: position 0, toward 0, from 0"),
    ("*", "1", "a constant, not a result: sums to 1, one token at a time, step 1"),
    # GPT-2 small's induction heads as published (TransformerLens/ARENA material; Wang et al. 2022):
    # hub-only, measured by the page's gpt2 block where the hub is reachable, never offline
    *[("interpretability", head, "GPT-2 small's published induction heads (blocks 5 to 7)")
      for head in ("5", "7", "5.1", "5.5", "6.9", "7.2", "7.10")],
]


def _blocks(text: str) -> str:
    """All the code and expected output of a page, one string: every fenced block (code and
    output) and every invisible code block."""
    return "\n".join([fence.source for fence in pages.fences(text)]
                     + [block.source for block in pages.code_blocks(text) if block.invisible])


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        return None


def _printed(blocks: str) -> list[Decimal]:
    numbers = {_decimal(m.group(0)) for m in CODE_NUMBER.finditer(blocks)}
    return [n for n in numbers if n is not None]


def _matches(number: str, after: str, printed: list[Decimal], oku: str | None = None) -> bool:
    """Whether a prose number, rounded as written, agrees with one the blocks print.

    With a scale word ("124 million", "8,200 万") an integer's trailing zeros are rounding."""
    value = _decimal(number)
    if value is None:
        return False
    scale = next((s for word, s in SCALES.items() if word in after.lower()), 1)
    if oku:  # 1 億 2,400 万: in units of 万
        value += Decimal(oku) * 10**4
    places = -value.as_tuple().exponent if "." in number else 0
    if scale > 1 and places == 0:
        digits = str(value)
        places = -(len(digits) - len(digits.rstrip("0")))
    percent = "%" in after
    for x in printed:
        for candidate in (x, x * 100 if percent else None):
            if candidate is None:
                continue
            scaled = candidate / scale
            if "e" in number.lower():
                if scaled == value:
                    return True
                continue
            if round(scaled, places) == value or (places == 0 and scaled == value):
                return True
    return False


# A box that says its numbers come from elsewhere: !!! info "From the LoRA paper (not run here)"
EXTERNAL_BOX = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[^\n]*(?:not run|実行していません)[^\n]*\n"
                          r"(?:(?P=indent)[ \t]{4}[^\n]*\n|[ \t]*\n)*", re.M)


def _masked(text: str) -> str:
    """The page's prose, numbers that are not results masked too."""
    text = EXTERNAL_BOX.sub(masked, text)
    text = re.sub(r"<code>.*?</code>", masked, text, flags=re.S)
    # A generated figure's alt text is its spec's (tools/figures), held to it by test_figures.py
    text = re.sub(r"!\[[^\]]*\]\((?:\.\./)*assets/figures/[^)]*\)", lambda m: MASK * len(m.group(0)), text)
    text = prose(text)
    text = re.sub(r"\{\{.*?\}\}", lambda m: MASK * len(m.group(0)), text)
    for pattern in NOT_RESULTS:
        text = pattern.sub(masked, text)
    return text


def unprinted(text: str, stem: str = "*") -> list[str]:
    """The prose numbers of one page that none of its blocks prints: 'line N: number'."""
    printed = _printed(_blocks(text))
    allowed = {t for page, t, _ in ALLOWED if page in ("*", stem)}
    found = []
    for line_number, line in enumerate(_masked(text).splitlines(), start=1):
        for m in PROSE_NUMBER.finditer(line):
            number = m.group("number")
            if number in allowed or _matches(number, m.group("after"), printed, m.group("oku")):
                continue
            found.append(f"line {line_number}: {m.group(0).strip()!r}")
    return found


def pages_to_read() -> list[Path]:
    """Every page, both languages (the notebooks are made from the chapter pages)."""
    return sorted(p for p in DOCS.rglob("*.md") if "notebooks" not in p.parts)


def page_unprinted(path: Path) -> list[str]:
    """``unprinted`` for a page file, with the page's own ALLOWED entries."""
    path = Path(path)
    return unprinted(path.read_text(encoding="utf-8"), path.name.split(".")[0])
