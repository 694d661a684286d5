"""Gates on the site: build, snippets, translations, offline assets, page weight, switcher.

The site is built once per test session (`built_site`, in tests/conftest.py) and
the gates below read that build. The page gates read docs/ directly.
"""

from __future__ import annotations

import ast
import doctest
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from browser_support import hosted_prefix
from sybil import Document

from gpt2guide.constants import LANGUAGES  # ja, the default language, at the site root, then en
from tools import pages
from tools.pages import strip_comments  # the same comment-blind view the run-once pairing uses

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
DEFAULT_LANGUAGE = LANGUAGES[0]
PAGE_LIMIT = 1_000_000  # bytes: one page's own HTML plus its images
THEME_DIRS = ("assets/javascripts", "assets/stylesheets", "assets/jupyter", "assets/katex",
              "assets/images")
SEARCH_INDEX = "search/search_index.json"
# The path the site is hosted under (mkdocs.yml's site_url): "/gpt2guide", or "".
HOSTED_PREFIX = hosted_prefix()


# -- the pages ---------------------------------------------------------------------------

def page_files() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def page_name(path: Path) -> tuple[str, str | None]:
    """docs/beyond/x.ja.md -> ("beyond/x", "ja"); a file without a language suffix -> None."""
    return pages.chapter(path), pages.language_of(path)


def pages_by_name() -> dict[str, dict[str, Path]]:
    names: dict[str, dict[str, Path]] = {}
    for path in page_files():
        name, language = page_name(path)
        if language is not None:
            names.setdefault(name, {})[language] = path
    return names


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


# -- code blocks and skips, read as the pages run (tools.pages) ---------------------------------

def looks_like_python(info: str) -> bool:
    """py, pycon, python3, {.python}, Python, python title="x", ... (anything meant as Python)."""
    word = info.lstrip("{ .").lower()
    return word.startswith(("py", "ipython"))


def python_regions(text: str, path: Path) -> tuple[list[str], list[str]]:
    """Sybil's own view of a page: the sources of its ```python blocks and of its
    invisible python code blocks, in order."""
    blocks = pages.code_blocks(text, path)
    return [b.source for b in blocks if not b.invisible], [b.source for b in blocks if b.invisible]


IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")  # the targets of ![alt](target)
# A doctest prompt in the prose: outside a ```python block it would be shown and never run.
BARE_PROMPT = re.compile(r"^[ \t>]*>>> ", re.M)


def skip_reason_problem(action: str, arguments: str) -> str | None:
    """None when a `skip: start|next` directive says why it skips (Sybil's own syntax)."""
    if action == "end":
        return None
    if not arguments:
        return 'has no reason: write `skip: next "why"` or `skip: next if(cond, reason="why")`'
    source = "if_" + arguments[2:] if arguments.startswith("if") else arguments
    try:
        tree = ast.parse(source, mode="eval").body
    except SyntaxError as error:
        return f"does not parse ({error.msg})"
    if isinstance(tree, ast.Constant) and isinstance(tree.value, str) and tree.value.strip():
        return None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id == "if_":
        reasons = [k.value for k in tree.keywords if k.arg == "reason"] + tree.args[1:2]
        if any(isinstance(r, ast.Constant) and isinstance(r.value, str) and r.value.strip()
               for r in reasons):
            return None
        return 'has a condition but no reason: add reason="why"'
    return "has neither a reason string nor if(..., reason=...)"


# -- (b) every python snippet is collected, and says why it is skipped ----------------------

@pytest.mark.parametrize("path", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_python_fences_are_collected(path: Path, sybil_parsers: list) -> None:
    text = read(path)
    fences = pages.fences(text)
    odd = [f"{relative(path)}:{fence.line}: ```{fence.info}" for fence in fences
           if looks_like_python(fence.info) and fence.info != "python"]
    assert not odd, (
        "Sybil collects only fences written exactly ```python (no attributes, no py, pycon, "
        "{.python}); these would be shown but never tested:\n" + "\n".join(odd)
    )
    written = sum(1 for fence in fences if fence.info == "python")
    collected, _ = python_regions(text, path)
    assert len(collected) == written, (
        f"{relative(path)}: {written} ```python fences in the file, Sybil collects "
        f"{len(collected)}; check for spaces after `python` and for fence nesting"
    )
    bare = [f"{relative(path)}:{text.count(chr(10), 0, m.start()) + 1}"
            for m in BARE_PROMPT.finditer(pages.prose(text))]
    assert not bare, "a `>>>` outside a ```python block is never run; fence it:\n" + "\n".join(bare)
    # The whole parser set reads the page (no overlapping regions, valid skip syntax).
    Document.parse(str(path), *sybil_parsers)


def test_the_fence_gate_can_fail() -> None:
    text = "```py\nx = 1\n```\n\n    >>> 1 + 1\n    2\n\n```python\n>>> 1\n1\n```\n"
    assert [(fence.line, fence.info) for fence in pages.fences(text)] == [(1, "py"), (8, "python")]
    assert [m.group().strip() for m in BARE_PROMPT.finditer(pages.prose(text))] == [">>>"]


@pytest.mark.parametrize("path", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_skips_carry_a_reason(path: Path) -> None:
    problems = []
    for skip in pages.skips(read(path)):
        problem = skip_reason_problem(skip.action, skip.arguments)
        if problem:
            problems.append(f"{relative(path)}:{skip.line}: skip: {skip.action} {skip.arguments} -- {problem}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", page_files(), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_skip_next_covers_its_whole_block(path: Path) -> None:
    """`skip: next` skips one example: Sybil makes each `>>>` of a block its own example, so a
    block of several examples needs `skip: start if(...)` ... `skip: end` instead."""
    text = read(path)
    blocks = pages.code_blocks(text, path)
    problems = []
    for skip in pages.skips(text):
        if skip.action != "next":
            continue
        block = next((b for b in blocks if b.start >= skip.end), None)
        examples = len(doctest.DocTestParser().get_examples(block.source)) if block and block.is_doctest else 0
        if examples > 1:
            problems.append(f"{relative(path)}:{skip.line}: skip: next before a block of {examples} examples")
    assert not problems, "\n".join(problems)


# -- (c) both languages, same code --------------------------------------------------------

def test_every_page_has_a_language_suffix() -> None:
    bare = [relative(p) for p in page_files() if page_name(p)[1] is None]
    assert not bare, (
        "pages are docs/<name>.ja.md and docs/<name>.en.md; rename: " + ", ".join(bare)
    )


def test_every_page_exists_in_both_languages() -> None:
    missing = [
        f"docs/{name}.{language}.md"
        for name, languages in sorted(pages_by_name().items())
        for language in LANGUAGES
        if language not in languages
    ]
    assert not missing, "missing translations: " + ", ".join(missing)


def test_every_chapter_has_its_notebook_in_both_languages() -> None:
    """Exactly the chapters' notebooks, each in every language (none missing passes nothing vacuously)."""
    from tools.commands.notebooks import CHAPTERS

    expected = {f"{chapter}.{language}.ipynb" for chapter in CHAPTERS for language in LANGUAGES}
    found = {path.name for path in (DOCS / "notebooks").glob("*.ipynb")}
    assert CHAPTERS and found == expected, f"missing: {sorted(expected - found)}; extra: {sorted(found - expected)}"


@pytest.mark.parametrize("name", sorted(pages_by_name()))
def test_translations_share_their_code(name: str) -> None:
    languages = pages_by_name()[name]
    if set(languages) != set(LANGUAGES):
        pytest.skip("missing a language: see test_every_page_exists_in_both_languages")
    ja, en = (languages[language] for language in LANGUAGES)
    ja_text, en_text = read(ja), read(en)
    for kind, index in (("```python block", 0), ("invisible python code block", 1)):
        ja_blocks = [strip_comments(b) for b in python_regions(ja_text, ja)[index]]
        en_blocks = [strip_comments(b) for b in python_regions(en_text, en)[index]]
        assert len(ja_blocks) == len(en_blocks), (
            f"{name}: {len(ja_blocks)} {kind}s in {relative(ja)}, {len(en_blocks)} in "
            f"{relative(en)}"
        )
        for number, (a, b) in enumerate(zip(ja_blocks, en_blocks), start=1):
            assert a == b, (
                f"{name}: {kind} #{number} differs between the languages (only comments and "
                f"prose are translated):\n--- ja\n{a}\n--- en\n{b}"
            )
    ja_images, en_images = IMAGE.findall(ja_text), IMAGE.findall(en_text)
    assert ja_images == en_images, (
        f"{name}: the two languages show different images (link both to "
        f"assets/figures/<name>.svg; alt texts are translated): {ja_images} vs {en_images}"
    )
    ja_skips = [skip.action for skip in pages.skips(ja_text)]
    en_skips = [skip.action for skip in pages.skips(en_text)]
    assert ja_skips == en_skips, f"{name}: skip directives differ: {ja_skips} vs {en_skips}"


# -- the built site ------------------------------------------------------------------------

class _Collector(HTMLParser):
    """Tags and attributes of one HTML document, plus its inline CSS."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.css: list[str] = []
        self._in_style = False
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        self.tags.append((tag, attributes))
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "style":
            self._in_style = True
        if "style" in attributes:
            self.css.append(attributes["style"])

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.css.append(data)


def parse_html(path: Path) -> _Collector:
    collector = _Collector()
    collector.feed(read(path))
    return collector


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def page_url(site: Path, path: Path) -> str:
    """en/tokens/index.html -> en/tokens/ (directory URLs), index.html -> ''."""
    url = path.relative_to(site).as_posix()
    return url[: -len("index.html")] if url.endswith("index.html") else url


def is_remote(url: str) -> bool:
    url = url.strip()
    return bool(re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", url, re.I)) and not url.startswith(
        ("//127.0.0.1", "http://127.0.0.1", "http://localhost")
    )


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")
# Attributes whose URL the browser fetches by itself. A plain <a href> is a hyperlink.
_FETCHED = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
    "feimage": ("href", "xlink:href"),
}
_FETCHED_LINKS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "preload",
                  "modulepreload", "prefetch", "preconnect", "dns-prefetch", "manifest",
                  "mask-icon"}


def fetched_urls(collector: _Collector) -> list[str]:
    urls = []
    for tag, attributes in collector.tags:
        if tag == "link":
            if set(attributes.get("rel", "").lower().split()) & _FETCHED_LINKS:
                urls.append(attributes.get("href", ""))
            continue
        for name in _FETCHED.get(tag, ()):
            value = attributes.get(name, "")
            if name == "srcset":
                urls += [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
            elif value:
                urls.append(value)
    for css in collector.css:
        urls += [a or b for a, b in _CSS_URL.findall(css)]
    return urls


@pytest.mark.slow
def test_build_strict(built_site) -> None:
    assert built_site.returncode == 0, (
        f"mkdocs build --strict exited {built_site.returncode}:\n{built_site.log[-6000:]}"
    )
    warnings = [line for line in built_site.log.splitlines() if line.startswith("WARNING")]
    assert not warnings, "\n".join(warnings)


@pytest.mark.slow
def test_no_asset_from_another_host(built_site) -> None:
    site = built_site.require()
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            urls = fetched_urls(parse_html(path))
        elif path.suffix == ".css":
            urls = [a or b for a, b in _CSS_URL.findall(read(path))]
        elif path.suffix == ".svg":
            text = read(path)
            urls = [a or b for a, b in _CSS_URL.findall(text)]
            urls += re.findall(r"""(?:xlink:)?href\s*=\s*["']([^"']+)["']""", text)
        else:
            continue
        found += [f"{path.relative_to(site)}: {url}" for url in urls if is_remote(url)]
    assert not found, "the built site loads from other hosts:\n" + "\n".join(found)


@pytest.mark.slow
def test_local_assets_exist(built_site) -> None:
    """Every script, stylesheet, image and font the pages load is in the build."""
    site = built_site.require()
    missing = []
    for path in sorted(site.rglob("*.html")):
        page = path.relative_to(site).as_posix()
        for url in fetched_urls(parse_html(path)):
            if not url or is_remote(url) or url.startswith(("data:", "#", "blob:")):
                continue
            if path.name == "404.html":  # absolute links under the path of site_url
                absolute = urlsplit(url).path
                assert absolute.startswith(HOSTED_PREFIX + "/"), f"404.html: {url}"
                target = site / absolute[len(HOSTED_PREFIX):].lstrip("/")
            else:
                target = site / urlsplit(urljoin("http://site/" + page, url)).path.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                missing.append(f"{page}: {url}")
    for path in sorted(site.rglob("*.css")):
        for url in (a or b for a, b in _CSS_URL.findall(read(path))):
            if is_remote(url) or url.startswith(("data:", "#")):
                continue
            if not (path.parent / urlsplit(url).path).resolve().is_file():
                missing.append(f"{path.relative_to(site)}: {url}")
    assert not missing, "missing assets:\n" + "\n".join(missing[:50])


def _local_file(site: Path, page: str, url: str) -> Path | None:
    if not url or is_remote(url) or url.startswith(("data:", "#", "mailto:")):
        return None
    target = urlsplit(urljoin("http://site/" + page, url)).path.lstrip("/")
    path = site / target
    return path if path.is_file() else None


def _size(paths) -> int:
    return sum(p.stat().st_size for p in paths if p.is_file())


@pytest.mark.slow
def test_page_weight(built_site, capsys) -> None:
    site = built_site.require()
    heavy, rows = [], []
    for path in html_pages(site):
        url = page_url(site, path)
        images = set()
        for tag, attributes in parse_html(path).tags:
            if tag in ("img", "source", "object", "image", "video"):
                for name in ("src", "srcset", "data", "href", "xlink:href", "poster"):
                    for value in attributes.get(name, "").split(","):
                        image = _local_file(site, url, value.strip().split(" ")[0])
                        if image is not None:
                            images.add(image)
        total = path.stat().st_size + _size(images)
        rows.append((total, url or "/"))
        if total > PAGE_LIMIT:
            heavy.append(f"{url or '/'}: {total:,} bytes ({len(images)} images)")
    theme = _size(p for d in THEME_DIRS for p in (site / d).rglob("*"))
    search = _size([site / SEARCH_INDEX, *(site / lang / SEARCH_INDEX for lang in LANGUAGES
                                          if lang != DEFAULT_LANGUAGE)])  # each page loads one
    with capsys.disabled():
        biggest = max(rows)
        print(f"\n[site weight] heaviest page {biggest[1]}: {biggest[0]:,} bytes; "
              f"theme bundle (shared): {theme:,} bytes; "
              f"search indexes (one per language): {search:,} bytes")
    assert not heavy, f"pages above {PAGE_LIMIT:,} bytes of HTML and images:\n" + "\n".join(heavy)


def _switcher_links(collector: _Collector) -> dict[str, str]:
    return {
        attributes["hreflang"]: attributes.get("href", "")
        for tag, attributes in collector.tags
        if tag == "a" and "hreflang" in attributes and "md-select__link" in attributes.get(
            "class", "")
    }


def _counterpart(url: str, language: str, target: str) -> str:
    """The same page in `target` (ja at the root, other languages under /<language>/)."""
    bare = url if language == DEFAULT_LANGUAGE else url[len(language) + 1:]
    return bare if target == DEFAULT_LANGUAGE else f"{target}/{bare}"


@pytest.mark.slow
def test_language_switcher_links_to_the_same_page(built_site) -> None:
    site = built_site.require()
    problems = []
    pages = html_pages(site)
    assert len(pages) >= 2 * len(pages_by_name()), [page_url(site, p) for p in pages]
    for path in pages:
        url = page_url(site, path)
        collector = parse_html(path)
        language = collector.lang
        links = _switcher_links(collector)
        if language not in LANGUAGES:
            problems.append(f"/{url}: <html lang={language!r}>")
            continue
        for target in LANGUAGES:
            if target == language:
                continue
            href = links.get(target)
            if href is None:
                problems.append(f"/{url}: no switcher link to {target}")
                continue
            landed = urlsplit(urljoin("http://site/" + url, href)).path
            expected = "/" + _counterpart(url, language, target)
            if landed != expected:
                problems.append(f"/{url}: switcher to {target} goes to {landed}, not {expected}")
            elif not (site / expected.lstrip("/") / "index.html").is_file() and not (
                site / expected.lstrip("/")
            ).is_file():
                problems.append(f"/{url}: switcher target {expected} was not built")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_images_have_alt_text(built_site) -> None:
    site = built_site.require()
    bare = [
        f"/{page_url(site, path)}: {attributes.get('src')}"
        for path in html_pages(site)
        for tag, attributes in parse_html(path).tags
        if tag == "img" and not attributes.get("alt", "").strip()
    ]
    assert not bare, "images without alt text (write ![what it shows](...)):\n" + "\n".join(bare)


@pytest.mark.slow
def test_404_page(built_site) -> None:
    site = built_site.require()
    page = site / "404.html"
    assert page.is_file(), "404.html was not built"
    text = read(page)
    assert "ページが見つかりません" in text and "Page not found" in text, (
        "the 404 page is built for the default language only: it must speak both"
    )
    links = _switcher_links(parse_html(page))
    expected = {f"{HOSTED_PREFIX}/", f"{HOSTED_PREFIX}/en/"}  # absolute: any depth
    assert {links.get("ja"), links.get("en")} == expected, links


@pytest.mark.slow
def test_search_index_holds_both_languages(built_site) -> None:
    """One index per language (site_hooks/search.py): the default language's at
    search/search_index.json, each other's at <lang>/search/search_index.json, with locations
    relative to that language's home; together they hold every page of every language."""
    site = built_site.require()
    japanese = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    for language in LANGUAGES:
        prefix = "" if language == DEFAULT_LANGUAGE else f"{language}/"
        index = json.loads(read(site / prefix / SEARCH_INDEX))
        assert index["config"]["lang"] == [language], index["config"]
        locations = {entry["location"].split("#")[0] for entry in index["docs"]}
        if language == "ja":
            assert any(japanese.search(e["title"] + e["text"]) for e in index["docs"]), (
                "no Japanese text in the Japanese search index")
        for name in pages_by_name():
            url = "" if name == "index" else f"{name}/"
            assert url in locations, f"/{prefix}{url} is not in the {language} search index"
