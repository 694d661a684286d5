"""The search indexes the build writes (site_hooks/search.py): one per language, readable text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tools import pages

ROOT = Path(__file__).resolve().parents[1]
NOT_TEXT = ("Copied!", "¶", "In [", "Out[", "\\(", "\\)", "\\[", "\\frac", "$$")


def _hook():
    """site_hooks/search.py under its one name, as MkDocs and the other tests import it."""
    return pages.hook("search")


@pytest.mark.slow  # builds the site
@pytest.mark.parametrize("language, path", [("ja", "search/search_index.json"), ("en", "en/search/search_index.json")])
def test_each_language_has_its_own_readable_index(built_site, language, path):
    site = built_site.require()
    index = json.loads((site / path).read_text(encoding="utf-8"))
    assert index["config"]["lang"] == [language] and index["config"]["pipeline"] == []
    locations = [doc["location"] for doc in index["docs"]]
    assert len(locations) > 50 and not [loc for loc in locations if loc.startswith("en/")]
    # Every location is a page of this language (relative to its home), and every page is there.
    home = site / ("" if language == "ja" else "en")
    pages = {loc.split("#")[0] for loc in locations}
    assert all((home / page / "index.html").is_file() for page in pages), pages
    assert {"", "tokens/", "notebooks/tokens/", "glossary/"} <= pages
    for doc in index["docs"]:
        bad = [s for s in NOT_TEXT if s in doc["title"] + doc["text"]]
        assert not bad, f"{language} {doc['location']}: {bad} in {doc['title']!r}: {doc['text'][:300]!r}"
    japanese = sum(bool(re.search(r"[\u3040-\u30ff]", doc["text"])) for doc in index["docs"])
    assert (japanese > 0.8 * len(locations)) == (language == "ja")


@pytest.mark.slow  # builds the site
def test_pages_load_their_languages_index_through_the_worker(built_site):
    site = built_site.require()
    config = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)
    for page, base in [("index.html", "."), ("tokens/index.html", ".."), ("en/index.html", "."),
                       ("en/tokens/index.html", ".."), ("en/notebooks/llm/index.html", "../..")]:
        data = json.loads(config.search((site / page).read_text(encoding="utf-8")).group(1))
        assert data["base"] == base, page  # English pages: /en/, where en/search/search_index.json is
        assert data["search"].endswith("/workers/gpt2guide-search.js"), page
    worker = (site / "assets/javascripts/workers/gpt2guide-search.js").read_text(encoding="utf-8")
    material = re.search(r'importScripts\("([^"]+)"\)', worker).group(1)
    assert (site / "assets/javascripts/workers" / material).is_file()


def test_formulas_read_as_text():
    hook = _hook()
    assert hook.tex_to_text(r"P(w_i) = \frac{\exp(z_i)}{\sum_{j=1}^{V} \exp(z_j)}") == \
        "P(w_i) = (exp(z_i))/(∑_(j=1)^V exp(z_j))"
    assert hook.tex_to_text(r"\mathcal{L}_\text{RM} = -\log \sigma\big(r(x, y_w)\big)") == "L_RM = -log σ(r(x, y_w))"
    assert hook.tex_to_text(r"h = x W + \frac{\alpha}{r}\, x A B") == "h = x W + α/r x A B"
    entry = hook.readable({"location": "notebooks/x/", "title": "Sampling¶",
                           "text": r"at \(T\), $T &lt; 1$ and $$\frac{a}{b}$$; cost $5 or $6"})
    assert entry == {"location": "notebooks/x/", "title": "Sampling",
                     "text": "at T, T &lt; 1 and a/b; cost $5 or $6"}


def test_split_index_keeps_each_language_apart():
    hook = _hook()
    index = {"config": {"lang": ["en", "ja"], "separator": "x", "pipeline": ["stemmer"], "fields": {}},
             "docs": [{"location": "", "title": "ホーム", "text": ""},
                      {"location": "en/", "title": "Home", "text": ""},
                      {"location": "en/tokens/#ids", "title": "Ids", "text": ""},
                      {"location": "entropy/", "title": "エントロピー", "text": ""}]}
    parts = hook.split_index(index, ["ja", "en"], "ja")
    assert [d["location"] for d in parts["ja"]["docs"]] == ["", "entropy/"]
    assert [d["location"] for d in parts["en"]["docs"]] == ["", "tokens/#ids"]
    assert parts["en"]["config"]["lang"] == ["en"] and parts["ja"]["config"]["pipeline"] == []
