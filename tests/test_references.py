"""Every chapter reference follows the nav: "第 N 章", "chapter N" and "N. Title", linked or
not, in the pages (both languages) and in the notebooks' Markdown cells, name the page that
mkdocs.yml's nav numbers N; and each chapter's closing "next" link leads to the next chapter
(the last chapter's to the first page of the section after it).

Read from mkdocs.yml: chapters are the nav entries labelled "N. Title" (English titles through
nav_translations). Unit-level: no site build.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest

from tools import pages

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LANGUAGES = pages.LANGUAGES

CONFIG = pages.mkdocs_config()
SITE_URL = CONFIG["site_url"].rstrip("/") + "/"
ENGLISH_LABELS = pages.nav_translations("en")
NAV = pages.nav(CONFIG)
CHAPTER_LABEL = re.compile(r"^(\d+)\. (.+)$")
# number -> (page, {language: title})
CHAPTERS: dict[int, tuple[str, dict[str, str]]] = {}
for _label, _file in NAV:
    if (_m := CHAPTER_LABEL.match(_label)):
        _english = CHAPTER_LABEL.match(ENGLISH_LABELS.get(_label, _label)).group(2)
        CHAPTERS[int(_m.group(1))] = (_file, {"ja": _m.group(2), "en": _english})
PAGE_OF = {number: page for number, (page, _) in CHAPTERS.items()}
LAST = max(CHAPTERS)


def _after_last() -> str:
    """The first page in the nav after the last chapter (the first page of "Beyond")."""
    files = [file for _, file in NAV]
    return files[files.index(PAGE_OF[LAST]) + 1]


def _next_of(number: int) -> str:
    return PAGE_OF[number + 1] if number < LAST else _after_last()


# References inside code are the code's business, and notebooks' HTML anchors hold no text.
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")
# "第 5 章", "Chapter 5", "chapters 1 to 6" (the first number)
MENTION = re.compile(r"第\s*(\d+)\s*章|\b[Cc]hapters?\s+(\d+)\b")
NUMBERED_TITLE = re.compile(r"^(\d+)\.\s+(.+)$")
HEADING = re.compile(r"^#{2,6}\s+(\d+)\.\s+(.+?)\s*(?:\{[^}]*\})?\s*$", re.M)

# Mentions of chapters of other works, not of this guide: (page stem, words right before).
OTHER_WORKS = {
    # next-steps: the book "Natural Language Processing with Transformers" has its own chapters
    ("next-steps", "ja"): ("本の第", "ホーム](https://", "要約を扱う"),
    ("next-steps", "en"): ("book's", "Book", "on summarization"),
}


def _prose(text: str) -> str:
    """`text` without code blocks, HTML comments (tools.pages.prose) and inline code."""
    return INLINE_CODE.sub("``", pages.prose(text).replace(pages.MASK, ""))


def _page_of_target(target: str, source: str) -> str | None:
    """The docs-relative page (".md" or ".ipynb") a link target names, None for others.

    `source` is the docs-relative path of the file holding the link; absolute links into the
    published site (the notebooks') are read back to pages."""
    path = target.partition("#")[0]
    if path.startswith(SITE_URL):
        path = path[len(SITE_URL):]
        path = path[len("en/"):] if path.startswith("en/") else path
        path = path.rstrip("/")
        return "index.md" if path == "" else (f"{path}.ipynb" if path.startswith("notebooks/") else f"{path}.md")
    if re.match(r"^[a-z][a-z0-9+.-]*:", path) or not path:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), path))


def _chapter_of(page: str) -> int | None:
    for number, chapter_page in PAGE_OF.items():
        if page == chapter_page or page == f"notebooks/{Path(chapter_page).stem}.ipynb":
            return number
    return None


def _sources() -> list[tuple[str, str, str, str]]:
    """(label, docs-relative path, language, prose) of every page and notebook Markdown cell."""
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        stem, language = path.stem.rsplit(".", 1)
        rel = path.relative_to(DOCS).with_name(f"{stem}.md").as_posix()
        found.append((path.relative_to(DOCS).as_posix(), rel, language, path.read_text(encoding="utf-8")))
    for path in sorted((DOCS / "notebooks").glob("*.ipynb")):
        stem, language = path.stem.rsplit(".", 1)
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        # The notebook's text comes from the chapter page at the top of docs/.
        found.append((path.relative_to(DOCS).as_posix(), f"{stem}.md", language, text))
    return found


SOURCES = _sources()


def _problems(label: str, rel: str, language: str, text: str) -> list[str]:
    prose = _prose(text)
    problems = []
    paragraphs = re.split(r"\n[ \t]*\n", prose)
    for paragraph in paragraphs:
        linked_pages = {_page_of_target(t, rel) for _, t in LINK.findall(paragraph)}
        linked = {_chapter_of(p) for p in linked_pages if p}
        # 1. links whose text names a chapter: the target is that chapter's page
        for link_text, target in LINK.findall(paragraph):
            page = _page_of_target(target, rel)
            numbered = NUMBERED_TITLE.match(link_text)
            mention = MENTION.search(link_text)
            if numbered:
                number, title = int(numbered.group(1)), numbered.group(2)
                if number not in CHAPTERS:
                    problems.append(f"[{link_text}]({target}): no chapter {number} in the nav")
                    continue
                want_title = CHAPTERS[number][1][language]
                if title != want_title:
                    problems.append(f"[{link_text}]({target}): chapter {number} is {want_title!r}")
            elif mention and mention.start() == 0:
                number = int(mention.group(1) or mention.group(2))
            else:
                continue
            if number in PAGE_OF and _chapter_of(page or "") != number:
                problems.append(f"[{link_text}]({target}): chapter {number} is {PAGE_OF[number]}")
        # 2. mentions in running text: of a chapter that exists, with a link to it nearby
        unlinked = LINK.sub(lambda m: "", paragraph)
        for mention in MENTION.finditer(unlinked):
            number = int(mention.group(1) or mention.group(2))
            before = unlinked[max(0, mention.start() - 40): mention.start() + 2]
            if any(words in before for words in OTHER_WORKS.get((Path(rel).stem, language), ())):
                continue
            if number not in CHAPTERS:
                problems.append(f"{mention.group(0)!r}: no chapter {number} in the nav")
            elif number not in linked and PAGE_OF[number] != rel:
                problems.append(f"{mention.group(0)!r} in {paragraph.strip()[:70]!r}...: link it to "
                                f"{PAGE_OF[number]} (or name the other work)")
    # 3. headings "N. Title" (the summary's checklist) use the nav's numbers and titles
    for match in HEADING.finditer(prose):
        number, title = int(match.group(1)), match.group(2)
        if number not in CHAPTERS or CHAPTERS[number][1][language] != title:
            problems.append(f"heading {match.group(0).strip()!r}: the nav's chapter {number} is "
                            f"{CHAPTERS.get(number, ('', {language: None}))[1][language]!r}")
    return [f"{label}: {p}" for p in problems]


@pytest.mark.parametrize("label, rel, language, text", SOURCES, ids=[s[0] for s in SOURCES])
def test_chapter_references_follow_the_nav(label, rel, language, text) -> None:
    problems = _problems(label, rel, language, text)
    assert not problems, "\n".join(problems)


def _closing_paragraph(text: str) -> str:
    """The last paragraph of the prose (code and HTML comments removed)."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", _prose(text)) if p.strip()]
    return paragraphs[-1] if paragraphs else ""


CLOSINGS = [(label, rel, text) for label, rel, _, text in SOURCES if _chapter_of(rel) is not None]


@pytest.mark.parametrize("label, rel, text", CLOSINGS, ids=[c[0] for c in CLOSINGS])
def test_closing_link_leads_to_the_next_chapter(label, rel, text) -> None:
    number = _chapter_of(rel)
    closing = _closing_paragraph(text)
    targets = [_page_of_target(target, rel) for _, target in LINK.findall(closing)]
    assert _next_of(number) in targets, (
        f"{label}: the last paragraph should link to {_next_of(number)} (the nav's next chapter), "
        f"it links to {targets}: {closing.strip()[:200]!r}")


def test_the_nav_numbers_chapters_one_by_one() -> None:
    """The checks above read the numbers from the nav: they must run 1, 2, 3, ... in order."""
    assert list(CHAPTERS) == list(range(1, len(CHAPTERS) + 1)), CHAPTERS
    assert _after_last().startswith("beyond/"), _after_last()


def test_a_wrong_reference_is_caught() -> None:
    """The checker itself: a stale link, a stale title and an unlinked mention all fail."""
    text = ("Next: [5. Summary](summary.md).\n\nSee [chapter 3](generation.md).\n\n"
            "As chapter 4 showed, it works.\n\n### 2. Tokens\n\n### 3. Tokens\n")
    problems = _problems("x", "x.md", "en", text)
    assert len(problems) == 5, problems
    assert _problems("x", "x.md", "en", "See [4. Inside the body](anatomy.md#kv) and chapter 4.") == []
