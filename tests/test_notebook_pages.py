"""The notebook pages of the built site: a download link, a table of contents that leads
somewhere, the navigation labels mkdocs.yml gives, and chapter tips that link the file too."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tools import pages
from tools.commands.notebooks import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = {"ja": "", "en": "en/"}  # language -> its prefix in the built site


def _pages():
    return [(chapter, language) for chapter in CHAPTERS for language in LANGUAGES]


def _read(site: Path, url: str) -> str:
    path = site / url.lstrip("/")
    return (path / "index.html" if url.endswith("/") else path).read_text(encoding="utf-8")


def _toc_links(html: str) -> list[str]:
    toc = html[html.index('data-md-component="toc"'):]
    return re.findall(r'href="#([^"]*)"', toc[:toc.index("</nav>")])


def _nav_labels() -> dict[str, dict[str, str]]:
    """{language: {notebook file: label}} from mkdocs.yml's nav and the English nav_translations."""
    config = pages.mkdocs_config()
    section = next(item for item in config["nav"] if isinstance(item, dict) and "ノートブック" in item)
    ja = {file: label for entry in section["ノートブック"] for label, file in entry.items()}
    english = pages.nav_translations("en", config)
    return {"ja": ja, "en": {file: english[label] for file, label in ja.items()}}


@pytest.mark.slow  # builds the site
@pytest.mark.parametrize("chapter, language", _pages())
def test_notebook_page_links_its_file(built_site, chapter, language):
    site = built_site.require()
    url = f"/{LANGUAGES[language]}notebooks/{chapter}/"
    links = re.findall(r'<a class="md-button" href="([^"]+)" download>', _read(site, url))
    assert len(links) == 1, f"{url}: expected one download link, found {links}"
    target = urlsplit(urljoin(url, links[0])).path
    notebook = json.loads(_read(site, target))
    assert target.endswith(f"{chapter}.{language}.ipynb")
    assert notebook["metadata"]["gpt2guide"]["language"] == language


@pytest.mark.slow  # builds the site
@pytest.mark.parametrize("chapter, language", _pages())
def test_chapter_tip_links_the_notebook_file(built_site, chapter, language):
    site = built_site.require()
    url = f"/{LANGUAGES[language]}{chapter}/"
    links = re.findall(r'<a download="?[^>]*href="([^"]+\.ipynb)"|<a href="([^"]+\.ipynb)" download', _read(site, url))
    targets = {urlsplit(urljoin(url, a or b)).path for a, b in links}
    assert targets == {f"/{LANGUAGES[language]}notebooks/{chapter}/{chapter}.{language}.ipynb"}, (url, links)
    assert (site / next(iter(targets)).lstrip("/")).is_file()


@pytest.mark.slow  # builds the site
@pytest.mark.parametrize("chapter, language", _pages())
def test_table_of_contents_leads_to_the_headings(built_site, chapter, language):
    html = _read(built_site.require(), f"/{LANGUAGES[language]}notebooks/{chapter}/")
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = _toc_links(html)
    assert len(links) >= 3, links
    assert not [a for a in links if a not in ids], f"TOC links to no heading: {[a for a in links if a not in ids]}"
    assert 'id=""' not in html
    # The same anchors as the chapter page, so a link into either page works on both.
    chapter_ids = set(re.findall(r'<h[1-6] id="([^"]+)"', _read(built_site.path, f"/{LANGUAGES[language]}{chapter}/")))
    assert set(links) <= chapter_ids


@pytest.mark.slow  # builds the site
@pytest.mark.parametrize("language", LANGUAGES)
def test_navigation_shows_the_labels_of_mkdocs_yml(built_site, language):
    labels = _nav_labels()[language]
    for file, label in labels.items():
        chapter = Path(file).stem
        html = _read(built_site.require(), f"/{LANGUAGES[language]}notebooks/{chapter}/")
        nav = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("md-nav--primary"):html.index("md-content")]))
        for other_label in labels.values():
            assert other_label in nav, f"{file}: the navigation lacks {other_label!r}"
        assert f"<title>{label} - " in html
