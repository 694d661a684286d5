"""site_hooks/cjk_join.py: Japanese lines wrapped in the source are joined in the HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import pages

cjk_join = pages.hook("cjk_join")  # its one name, as MkDocs and the other tests import it
join = cjk_join.join_cjk_lines


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p>各章で\nモデルを</p>", "<p>各章でモデルを</p>"),
        ("<p>説明して\n  います。</p>", "<p>説明しています。</p>"),  # indented continuation
        ("<p>これは<strong>強調</strong>\nです</p>", "<p>これは<strong>強調</strong>です</p>"),
        ("<p>です\n<a href='#x'>リンク</a></p>", "<p>です<a href='#x'>リンク</a></p>"),
        ("<p>括弧（\nかっこ）！\nです</p>", "<p>括弧（かっこ）！です</p>"),  # full-width forms
        ("<p><strong>予習。</strong> 各章の</p>", "<p><strong>予習。</strong>各章の</p>"),
        ("<p>待っている <em>フォーク</em> から</p>", "<p>待っている<em>フォーク</em>から</p>"),
        ("<p>これは <a href='#x'>リンク</a>\nです</p>", "<p>これは<a href='#x'>リンク</a>です</p>"),
    ],
    ids=["plain", "indent", "after-inline", "before-inline", "full-width", "after-full-stop",
         "around-emphasis", "around-link"],
)
def test_joins_breaks_between_cjk(html: str, expected: str) -> None:
    assert join(html) == expected


@pytest.mark.parametrize(
    "html",
    [
        "<p>GPT-2\nを使います</p>",  # Latin, then CJK: the space stays
        "<p>モデルの\nGPT-2</p>",  # CJK, then Latin
        "<p>モデルの <code>x</code> です</p>",  # typed spaces around code stay
        "<p>文字 <code>世界</code> は</p>",  # even when the code is CJK
        "<p>文字\n<code>世界</code>\nは</p>",  # and a line break next to code stays a space
        "<p>日本 語</p>",  # a typed space between two letters stays
        "<pre><code>日本\n語</code></pre>",  # code keeps its lines
        "<div class='highlight'><pre><span>日本\n</span><span>語</span></pre></div>",
        "<code>日本\n語</code>",
        "<span class=\"arithmatex\">\\(\\text{日本\n語}\\)</span>",  # math is left alone
        "<script>var a = '日本\\n語';\n</script>",
        "<p>前の段落。</p>\n<p>次の段落</p>",  # a block boundary is not a line break
        "<li>一つ目</li>\n<li>二つ目</li>",
    ],
)
def test_leaves_the_rest(html: str) -> None:
    assert join(html) == html


def test_text_after_protected_element_is_joined() -> None:
    html = "<pre><code>a\nb</code></pre><p>これは\nテスト</p>"
    assert join(html) == "<pre><code>a\nb</code></pre><p>これはテスト</p>"


def test_nested_protected_elements_close_in_order() -> None:
    html = "<span class='arithmatex'><span>日\n本</span>語\n語</span><p>あ\nい</p>"
    assert join(html) == "<span class='arithmatex'><span>日\n本</span>語\n語</span><p>あい</p>"


@pytest.mark.parametrize("char", ["あ", "ア", "漢", "。", "（", "ｱ"])
def test_is_cjk(char: str) -> None:
    assert cjk_join.is_cjk(char)


@pytest.mark.parametrize("char", ["a", "1", " ", "-", "é", ""])
def test_is_not_cjk(char: str) -> None:
    assert not cjk_join.is_cjk(char)


# -- the built site: the search index holds the joined text ------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs"
_CJK_RUN_END = re.compile(f"[{cjk_join.CJK}]{{1,3}}$")
_CJK_RUN_START = re.compile(f"^[{cjk_join.CJK}]{{1,3}}")


def _wrapped_pairs(text: str) -> list[str]:
    """The text around each source line break between two CJK characters in the prose of a
    page (outside fences, comments, math and tables): the end of one line + the start of
    the next, as the reader should see it, with no space."""
    pairs, skip_until = [], None
    lines = pages.prose(text).splitlines()  # fences and comments masked
    for line, following in zip(lines, lines[1:]):
        stripped = line.strip()
        if skip_until is not None:
            if skip_until in stripped:
                skip_until = None
            continue
        if stripped == "$$":
            skip_until = "$$"
            continue
        if stripped.startswith(("|", "#", "<")) or following.strip().startswith(("|", "#", "<")):
            continue
        end, start = _CJK_RUN_END.search(line), _CJK_RUN_START.search(following.strip())
        if end and start:
            pairs.append(end.group(0) + start.group(0))
    return pairs


@pytest.mark.slow  # builds the site
def test_search_index_holds_joined_japanese(built_site) -> None:
    """The search plugin indexes the HTML after the hook: a sentence wrapped in the source
    is one run of text in the index (「各章で\\nモデルを」 is found as 「各章でモデルを」)."""
    index = json.loads((built_site.require() / "search" / "search_index.json").read_text(
        encoding="utf-8"))
    texts: dict[str, list[str]] = {}
    for entry in index["docs"]:
        page = entry["location"].split("#")[0]
        texts.setdefault(page, []).append(entry["title"] + "\n" + entry["text"])
    checked, missing = 0, []
    for source in sorted(DOCS.rglob("*.ja.md")):
        name = source.relative_to(DOCS).as_posix()[: -len(".ja.md")]
        page = "" if name == "index" else f"{name}/"
        text = "\n".join(texts.get(page, []))
        for pair in _wrapped_pairs(source.read_text(encoding="utf-8")):
            checked += 1
            if pair not in text:
                missing.append(f"{name}: {pair}")
    assert checked > 100, f"only {checked} wrapped lines found: the scan is broken"
    assert not missing, f"{len(missing)} of {checked} joins missing from the index:\n" + "\n".join(
        missing[:20])
