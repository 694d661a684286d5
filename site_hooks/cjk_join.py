"""MkDocs hook: join Japanese lines that the Markdown source wraps, in the rendered HTML.

Authors wrap Japanese sentences over several source lines. HTML keeps each line break as
white space, and Chromium and WebKit draw white space between two CJK characters as a
visible gap (「各章で モデルを」); Firefox drops it (CSS Text 3, segment break
transformation, which the other engines do not implement). This hook removes every run of
white space that holds a line break and sits between two CJK characters, so the page, the
notebook pages and the search index (built from the same HTML) read without gaps while the
source stays wrapped.

- Only a break between two CJK characters is joined. A break between a CJK character and
  a Latin letter, a digit or inline code stays a space: the pages write 「GPT-2 を」 with
  spaces around Latin words and code, and a wrapped line keeps that style.
- A space typed after Japanese sentence punctuation (「。」「、」「！」「？」 and closing
  brackets) before a CJK character goes too, as in 「**予習。** 各章の…」: the punctuation
  carries its own spacing (JLReq §3.1.2), so the space only shows as a gap. So does a space
  typed between a CJK character and emphasis or a link that starts or ends with one
  (「待っている *フォークサーバ* から」): Markdown needs none there.
- Inline code keeps its spaces (「`世界` は」), and so does a space typed between two
  letters in plain text.
- The neighbours are looked up across inline tags (「です<strong>ね</strong>」), never across
  block tags (a paragraph boundary is not a line break in the text).
- Text inside <pre>, <code>, <script>, <style>, <textarea> and math (class "arithmatex")
  is never changed.

Why not the Python-Markdown extension `pymdownx-cjk-autojoin` (0.2.1, alpha): it rewrites
the Markdown source, so it cannot reach notebook Markdown cells (nbconvert renders those
with mistune, not Python-Markdown); it misses a break next to inline markup (「です\\n**ね**」)
and full-width punctuation such as （）！？; and it needs another package (`astdoc`).

References: CSS Text Module Level 3, §4.1.3 "Segment Break Transformation Rules";
the W3C note "Requirements for Japanese Text Layout" (JLReq), §3.1.
"""

from __future__ import annotations

import re

from site_text import CJK, MATH_CLASS, is_cjk  # noqa: F401 (CJK: tests and readers find it here too)

# Punctuation that Japanese sets without a space after it.
CLOSING = "、。，．！？」』）〕】〉》"
# A run of white space (a line break, or spaces typed after closing punctuation).
_SPACE = re.compile(r"[ \t\r\n]+")
_TOKEN = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*?)(/?)\s*>", re.S)

# Text inside these elements is left as it is.
PROTECTED = {"pre", "code", "script", "style", "textarea", "kbd", "samp"}
# Inline code keeps a space on each side (「`世界` は」), typed or from a line break.
SPACED = {"code", "kbd", "samp"}
# Tags a line of text runs through; any other tag ends the search for a neighbour.
INLINE = {
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub",
    "sup", "time", "u", "var", "wbr",
}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def _tag(token: str):
    """(name, closing, attributes) of a tag token, or None for a comment or doctype."""
    match = _TAG.fullmatch(token)
    if match is None:
        return None
    return match.group(2).lower(), bool(match.group(1)), match.group(3)


def _neighbour(tokens: list[str], start: int, step: int) -> tuple[str, set[str]]:
    """The visible character next to tokens[start] in direction `step` (-1 or +1), looked
    up through inline tags only ("" when a block tag, a comment or the end comes first),
    and the names of the tags passed on the way."""
    index, passed = start + step, set()
    while 0 <= index < len(tokens):
        token = tokens[index]
        if token.startswith("<"):
            tag = _tag(token)
            if tag is None or tag[0] not in INLINE:
                return "", passed
            passed.add(tag[0])
        elif token:
            return (token[-1] if step < 0 else token[0]), passed
        index += step
    return "", passed


def _join(text: str, tokens: list[str], index: int) -> str:
    """`text` (tokens[index]) with the white space between CJK characters removed."""

    def replace(match: re.Match) -> str:
        space = match.group(0)
        before, before_tags = (
            (text[match.start() - 1], set()) if match.start() > 0
            else _neighbour(tokens, index, -1))
        after, after_tags = (
            (text[match.end()], set()) if match.end() < len(text)
            else _neighbour(tokens, index, +1))
        passed = before_tags | after_tags
        if not (is_cjk(before) and is_cjk(after)) or passed & SPACED:
            return space  # Latin or code on one side: the space is the page's style
        if "\n" in space or before in CLOSING or passed:
            return ""  # a line break, a space after 。、 or next to emphasis or a link
        return space  # a space typed between two letters: the author's

    return _SPACE.sub(replace, text)


def join_cjk_lines(html: str) -> str:
    """`html` with the line breaks between two CJK characters removed, outside code/math."""
    tokens = _TOKEN.split(html)  # text, tag, text, tag, ...
    protected: list[str] = []  # names of the open protected elements, innermost last
    # Depth of open elements per protected name, so nested same-name tags close correctly.
    depth: dict[str, int] = {}
    for index, token in enumerate(tokens):
        if token.startswith("<"):
            tag = _tag(token)
            if tag is None:
                continue
            name, closing, attributes = tag
            if name in VOID or token.rstrip(">").endswith("/"):
                continue
            if protected:
                # Inside a protected element: count same-name tags until it closes.
                if name == protected[-1]:
                    depth[name] += -1 if closing else 1
                    if depth[name] == 0:
                        protected.pop()
                continue
            if not closing and (name in PROTECTED or MATH_CLASS.search(attributes)):
                protected.append(name)
                depth[name] = 1
        elif not protected and token:
            tokens[index] = _join(token, tokens, index)
    return "".join(tokens)


def on_page_content(html, page, config, files):
    # Pages and notebook pages alike; the search plugin indexes this HTML afterwards.
    return join_cjk_lines(html)
