"""Search on the built site, in a real browser: it finds, in the reader's language only.

Each language has its own index (site_hooks/search.py) and each query is fitted to it by the
search worker (site_hooks/search-worker.js): English words match every form ("embeddings" finds
"embedding"), Japanese words are found inside the page's words and however TinySegmenter would
have cut them, results come from the reader's language, and they read as text (no notebook
prompts, no copy-button text, no permalink signs, no raw TeX).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browser_support import Visit

pytestmark = pytest.mark.browser

PLACEHOLDERS = ("Type to start searching", "検索キーワードを入力してください")
NOT_TEXT = ("Copied!", "¶", "In [", "Out[", "\\(", "\\[", "$$")

# (query, a page that must be among the results)
ENGLISH = [
    ("embedding", "/en/body-head/"),
    ("embeddings", "/en/body-head/"),
    ("tokens", "/en/tokens/"),
    ("temperature", "/en/generation/"),
    ("LoRA", "/en/beyond/lora-rlhf/"),
    ("softmax", "/en/generation/"),
]
JAPANESE = [
    ("埋め込み", "/body-head/"),
    ("ソフトマックス", "/generation/"),
    ("トークン", "/tokens/"),
    ("温度", "/generation/"),
    ("言語モデル", "/llm/"),  # TinySegmenter cut the page's 大規模言語モデル as 大規|模言|語|モデル
    ("デバイス", "/llm/"),  # also inside メタデバイス
]


def results(visit: Visit, query: str) -> tuple[list[str], list[str]]:
    """The paths of every result link (pages and their sections) and the texts of the results."""
    page = visit.page
    field = page.locator("input.md-search__input")
    field.click()
    meta = page.locator(".md-search-result__meta")
    for _ in range(3):  # the first query can arrive before the index is ready; type it again
        field.fill(query)
        field.press("End")  # Material reads the query on keyup
        try:
            page.wait_for_function(
                "([el, placeholders]) => !placeholders.includes(el.textContent.trim())",
                arg=[meta.element_handle(), list(PLACEHOLDERS)], timeout=5_000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; try again
            continue
    # The list is rendered just after the count (later on a loaded machine): wait for its first
    # item, unless there is none, which the callers' assertions then report.
    try:
        page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=5_000)
    except Exception:  # noqa: BLE001 - playwright's TimeoutError: no result
        pass
    page.wait_for_timeout(300)  # the rest of the list
    hrefs = page.eval_on_selector_all(".md-search-result__item a[href]", "links => links.map(a => a.href)")
    texts = page.locator(".md-search-result__item").all_inner_texts()
    return [urlsplit(href).path for href in hrefs], texts


def _check(visit: Visit, start: str, query: str, expected: str, english: bool) -> list[str]:
    visit.open(start)
    paths, texts = results(visit, query)
    assert paths, f"{start}: no results for {query!r}"
    assert expected in paths, f"{start}: {query!r} did not find {expected}: {paths[:10]}"
    other = [p for p in paths if p.startswith("/en/") != english]
    assert not other, f"{start}: {query!r} gave results in the other language: {other}"
    for text in texts:
        assert not [s for s in NOT_TEXT if s in text], f"{query!r}: a result shows {text[:200]!r}"
    visit.check()
    return paths


def _starts(home: str, queries: list) -> list:
    """Each query from a home page or a page two folders down, alternately."""
    deep = f"{home}notebooks/generation/"
    return [(home if i % 2 == 0 else deep, query, expected) for i, (query, expected) in enumerate(queries)]


@pytest.mark.parametrize("start, query, expected", _starts("/en/", ENGLISH), ids=[q for q, _ in ENGLISH])
def test_english_search_finds_english_pages(visit: Visit, start: str, query: str, expected: str) -> None:
    _check(visit, start, query, expected, english=True)


@pytest.mark.parametrize("start, query, expected", _starts("/", JAPANESE), ids=[q for q, _ in JAPANESE])
def test_japanese_search_finds_japanese_pages(visit: Visit, start: str, query: str, expected: str) -> None:
    _check(visit, start, query, expected, english=False)


def test_english_forms_of_a_word_find_the_same_pages(visit: Visit) -> None:
    pages = {}
    for query in ("embedding", "embeddings", "Embeddings"):
        visit.open("/en/")
        paths, _ = results(visit, query)
        pages[query] = {p for p in paths}
    assert pages["embedding"] == pages["embeddings"] == pages["Embeddings"], pages


@pytest.mark.parametrize("start, query, chapter", [("/en/", "tokens", "/en/tokens/"), ("/", "トークン", "/tokens/")])
def test_the_chapter_page_ranks_above_its_notebook(visit: Visit, start: str, query: str, chapter: str) -> None:
    visit.open(start)
    paths, _ = results(visit, query)
    notebook = chapter.replace("/tokens/", "/notebooks/tokens/")
    assert chapter in paths and notebook in paths
    assert paths.index(chapter) < paths.index(notebook), paths[:10]


def test_a_result_opens_its_page(visit: Visit) -> None:
    """Locations are relative to each language's home, and Material resolves them there."""
    visit.open("/en/tokens/")
    results(visit, "temperature")
    with visit.page.expect_navigation(wait_until="load"):
        visit.page.locator(".md-search-result__item a[href]").first.click()
    assert visit.path().startswith("/en/") and visit.page.locator("h1").count() == 1
    visit.check()
