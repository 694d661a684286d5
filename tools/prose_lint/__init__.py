"""Linters of the pages' prose: the house style of CONTRIBUTING.md, and no number typed by hand.

- ``japanese``: the Japanese pages' notation, spelling and terms (CONTRIBUTING.md, 「日本語の表記」),
  and no line break inside a Japanese word.
- ``english``: the English pages' US spelling, number style and terms (docs/glossary.en.md).
- ``numbers``: every number in a page's prose is printed (or written) by a block on that page.

Only prose is read: ``prose(text)`` masks code (``tools.pages.prose``: HTML comments, fenced
blocks) and then inline markup (inline code, math, HTML tags, link targets, heading anchors,
admonition titles, titles in 『』), keeping line numbers. Each rule is a narrow regular expression
with a message that says what to write instead. ``python -m tools prose-lint [PAGE ...]`` runs
them on the pages; tests/test_prose_lint.py runs them in the test suite, with the samples that
show each rule can fail.

References: CONTRIBUTING.md (the rules); textlint's preset-ja-technical-writing and Vale (linters
of the same kind, not used: they read neither this project's rules nor its masking).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tools import pages

MASK = pages.MASK  # stands for a masked character: neither Japanese nor Latin

# What is not prose inside the prose, masked after code (pages.prose) in this order.
_INLINE_MARKUP = [
    re.compile(r"(?P<ticks>`+).+?(?P=ticks)", re.S),  # inline code
    re.compile(r"\$\$.+?\$\$", re.S),  # display math
    re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$"),  # inline math
    re.compile(r"</?[A-Za-z][^>\n]*>"),  # HTML tags (<a id="...">), not their text
    re.compile(r"\]\([^)\n]*\)"),  # link and image targets: ](glossary.md#token)
    re.compile(r"\{\s*#[^}\n]*\}"),  # heading anchors: { #tokens }
    # admonition lines: their "title" is quoted by Markdown syntax
    re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[^\n]*$", re.M),
    re.compile(r"『[^』\n]*』"),  # titles of books and articles, quoted as published
]


def masked(match: re.Match) -> str:
    """A regex match's text as MASK characters, its newlines kept (for ``pattern.sub``)."""
    return re.sub(r"[^\n]", MASK, match.group(0))


def prose(text: str) -> str:
    """The text with everything but prose replaced by MASK (newlines kept)."""
    text = pages.prose(text)
    for pattern in _INLINE_MARKUP:
        text = pattern.sub(masked, text)
    return text


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern
    fix: str  # what to write instead, in the words of CONTRIBUTING.md
    in_tables: bool = True  # False: not applied to table rows (the glossary's definitions)


def rule(name: str, pattern: str, fix: str, in_tables: bool = True, flags: int = 0) -> Rule:
    return Rule(name, re.compile(pattern, flags), fix, in_tables)


@dataclass(frozen=True)
class Hit:
    line: int
    rule: str
    text: str
    fix: str

    def __str__(self) -> str:
        return f"line {self.line}: [{self.rule}] {self.text!r} -> {self.fix}"


def page_problems(path: Path) -> list[str]:
    """Every linter's findings on one page (docs/**/*.md), each a line naming the page's line."""
    from . import english, japanese, numbers

    path = Path(path)
    found = [str(hit) for hit in japanese.page_hits(path)] if path.name.endswith(".ja.md") else []
    if path.name.endswith(".en.md"):
        found += [str(hit) for hit in english.page_hits(path)]
    found += [f"{line} [unprinted-number]" for line in numbers.page_unprinted(path)]
    return found
