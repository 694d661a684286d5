"""MkDocs hook: make mkdocs-jupyter and mkdocs-static-i18n work together, offline.

Loaded by `hooks:` in mkdocs.yml (it lives outside docs/ so it never becomes a page).

1. `on_files`, after the i18n plugin (priority -100): the i18n plugin rebuilds every
   file as a plain `File`, which drops mkdocs-jupyter's `NotebookFile` wrapper, so the
   notebooks would be copied out as raw JSON. Re-wrap each notebook that mkdocs-jupyter
   includes, keep the language prefix the i18n plugin gave it (`en/...`), and give it
   the alternates the language switcher needs (`notebooks/x.ja.ipynb` <->
   `notebooks/x.en.ipynb`; an unsuffixed notebook is the default language's and is
   shown in every language).
2. `on_page_content`, notebook pages only: nbconvert's template loads MathJax and (for
   mermaid cells) mermaid from a CDN, and inlines about 600 kB of CSS into every page.
   Drop the CDN loaders (KaTeX from assets/ renders the math, see katex-init.js) and
   move each large inline stylesheet to one shared file under assets/jupyter/.
3. `on_page_content`, notebook pages only (`_reader_notebook`): a download link to the page's
   `.ipynb` at the top (mkdocs-jupyter's `include_source` copies the file next to the page but
   Material shows no button for it); each heading takes the page's anchor, which
   `gpt2guide notebooks` writes as `<a id="anchor"></a>` (nbconvert drops Japanese letters
   from ids, and mkdocs-jupyter's table of contents slugs headings another way, so its links
   led nowhere), and the table of contents is rebuilt from the headings so that both agree;
   prompts ("In [1]:") and the copy button's text stay out of the search index.
4. `on_page_content`, notebook pages only (`_site_links`): a `.ipynb` is written to read well once
   downloaded, so its links are absolute to the published site and its figures are cell
   attachments (tools/notebooks.py). On the site, links into the site become relative again (they
   hold under any path the site is served from, and the build's link checks see them), and each
   attached figure, which nbconvert inlines as a data URI, is served as the site's own copy of the
   same file (no page carries its figures twice).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import posixpath
import re
from copy import deepcopy
from pathlib import Path
from types import SimpleNamespace

from mkdocs.plugins import event_priority
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url
from site_text import page_language

# mkdocs-jupyter's wrapper; imported lazily so the hook still loads if the plugin is off.
_NOTEBOOK_PLUGIN = "mkdocs-jupyter"
_I18N_PLUGIN = "i18n"

_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
_STYLE = re.compile(r'<style type="text/css">(.*?)</style>', re.S)
_INLINE_CSS_LIMIT = 8_000  # bytes; smaller <style> blocks stay inline
CSS_DIR = "assets/jupyter"


def _plugins(config):
    return config.plugins.get(_NOTEBOOK_PLUGIN), config.plugins.get(_I18N_PLUGIN)


def _page_dest(src_uri: str, stem: str, language: str, default: str | None, directory_urls: bool):
    """Where the notebook `src_uri` (page name `stem`) is written in `language`'s build."""
    prefix = "" if default is None or language == default else f"{language}/"
    parent = posixpath.dirname(src_uri)
    if directory_urls and stem != "index":
        return prefix + posixpath.join(parent, stem, "index.html")
    return prefix + posixpath.join(parent, stem + ".html")


def _url_for(dest: str, directory_urls: bool) -> str:
    dirname, filename = posixpath.split(dest)
    if directory_urls and filename == "index.html":
        return f"{dirname}/" if dirname else "./"
    return dest


def _stem(file) -> str:
    """`x` for notebooks/x.ipynb and for notebooks/x.<language>.ipynb."""
    stem = posixpath.basename(file.src_uri)[: -len(".ipynb")]
    localization = getattr(file, "localization", None)
    if localization and stem.endswith(f".{localization}"):
        stem = stem[: -len(localization) - 1]
    return stem


def _alternates(file, stem: str, i18n, config) -> dict:
    """For every built language, where the same notebook lives (only those that exist)."""
    docs = Path(config.docs_dir)
    src = Path(file.src_uri)
    default = i18n.default_language
    result = {}
    for language in i18n.build_languages:
        candidates = [src.with_name(f"{stem}.{language}.ipynb")]
        if i18n.config.fallback_to_default:
            candidates += [src.with_name(f"{stem}.{default}.ipynb"), src.with_name(f"{stem}.ipynb")]
        if not any((docs / candidate).is_file() for candidate in candidates):
            continue
        dest = _page_dest(file.src_uri, stem, language, default, config.use_directory_urls)
        result[language] = SimpleNamespace(
            url=_url_for(dest, config.use_directory_urls), locale=language
        )
    return result


@event_priority(-200)
def on_files(files, config):
    jupyter, i18n = _plugins(config)
    if jupyter is None:
        return files
    from mkdocs_jupyter.plugin import NotebookFile

    for file in list(files):
        if isinstance(file, NotebookFile) or not file.src_uri.endswith(".ipynb"):
            continue
        if not jupyter.should_include(file):
            continue
        notebook = NotebookFile(
            file, use_directory_urls=config.use_directory_urls, site_dir=config.site_dir
        )
        stem = _stem(file)
        language = i18n.current_language if i18n is not None else None
        default = i18n.default_language if i18n is not None else None
        dest = _page_dest(file.src_uri, stem, language, default, config.use_directory_urls)
        notebook.dest_path = dest
        notebook.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, dest))
        notebook.url = _url_for(dest, config.use_directory_urls)
        if i18n is not None:
            notebook.alternates = _alternates(file, stem, i18n, config)
        # Mutate the i18n plugin's own Files object: its path lookup resolves `x.ipynb`
        # in the nav to `x.<language>.ipynb`.
        files.remove(file)
        files.append(notebook)
    return files


def _is_notebook_page(page, config) -> bool:
    jupyter, _ = _plugins(config)
    return jupyter is not None and page.file.src_uri.endswith(".ipynb") and jupyter.should_include(
        page.file
    )


def _offload_css(match: re.Match, page, config) -> str:
    css = match.group(1)
    data = css.encode("utf-8")
    if len(data) < _INLINE_CSS_LIMIT:
        return match.group(0)
    name = f"{CSS_DIR}/{hashlib.sha256(data).hexdigest()[:16]}.css"
    target = Path(config.site_dir) / name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    href = get_relative_url(name, page.url)
    return f'<link rel="stylesheet" href="{href}">'


# nbconvert's heading: <hN id="...">text <a id="anchor"></a><a class="anchor-link" href="#...">¶</a></hN>
_HEADING = re.compile(r'<h([1-6]) id="[^"]*">(.*?)</h\1>', re.S)
_PAGE_ANCHOR = re.compile(r'\s*<a id="([^"]+)"></a>')
_ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="[^"]*">(.*?)</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
# Notebook chrome that is not the notebook's text: prompts, the copy button, its hidden copy.
_NOT_TEXT = re.compile(r'<div class="(jp-InputPrompt[^"]*|jp-OutputPrompt[^"]*|zeroclipboard-container'
                       r'|clipboard-copy-txt)"')
_WRAPPER = '<div class="jupyter-wrapper">'
DOWNLOAD = {"ja": "ノートブックをダウンロード（{file}）", "en": "Download the notebook ({file})"}


def _headings_with_page_anchors(html: str, page, config) -> tuple[str, list[dict]]:
    """Give each heading the page's anchor (else a slug of its text); return the TOC tokens."""
    from pymdownx.slugs import slugify

    slug = slugify(case="lower")
    headings, seen = [], set()

    def fix(match: re.Match) -> str:
        level, inner = int(match.group(1)), match.group(2)
        anchor = _PAGE_ANCHOR.search(inner)
        inner = _ANCHOR_LINK.sub("", _PAGE_ANCHOR.sub("", inner)).rstrip()
        name = _TAG.sub("", inner).strip()
        base = anchor.group(1) if anchor else (slug(name, "-") or f"section-{len(headings) + 1}")
        ident, n = base, 1
        while ident in seen:  # unique ids, as Python-Markdown's toc extension makes them
            ident, n = f"{base}_{n}", n + 1
        seen.add(ident)
        headings.append({"level": level, "id": ident, "name": name, "children": []})
        permalink = f'<a class="headerlink" href="#{ident}" title="Permanent link">¶</a>'
        return f'<h{level} id="{ident}">{inner}{permalink}</h{level}>'

    html = _HEADING.sub(fix, html)
    tokens, stack = [], []
    for heading in headings:
        while stack and stack[-1]["level"] >= heading["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else tokens).append(heading)
        stack.append(heading)
    return html, tokens


def _reader_notebook(html: str, page, config) -> str:
    """The download link, the page's anchors in headings and TOC, prompts kept out of search."""
    html, tokens = _headings_with_page_anchors(html, page, config)
    page.toc = get_toc(tokens)
    html = _NOT_TEXT.sub(lambda m: m.group(0) + " data-search-exclude", html)
    name = posixpath.basename(page.file.abs_src_path)
    link = (f'<p class="notebook-download" data-search-exclude><a class="md-button" href="{name}" download>'
            f"{DOWNLOAD[page_language(page, config)].format(file=f'<code>{name}</code>')}</a></p>\n")
    return html.replace(_WRAPPER, link + _WRAPPER, 1) if _WRAPPER in html else link + html


_HREF = re.compile(r'(<a\b[^>]*\bhref=")([^"]+)(")')
_DATA_IMAGE = re.compile(r'(<img\b[^>]*\bsrc=")data:(image/[\w+.-]+);base64,([A-Za-z0-9+/=]+)(")')


def _written_site_url(page) -> str | None:
    """The site address the notebook's links were written with (its metadata), if any."""
    try:
        metadata = json.loads(Path(page.file.abs_src_path).read_text(encoding="utf-8"))["metadata"]
    except (OSError, ValueError, KeyError):
        return None
    return metadata.get("gpt2guide", {}).get("site_url")


def _site_links(html: str, page, config, files) -> str:
    """Absolute links into the site made relative; inlined figures served from the site's files."""
    base = _written_site_url(page)
    if base:
        def relink(match: re.Match) -> str:
            href = match.group(2)
            if not href.startswith(base):
                return match.group(0)
            path, hash_, anchor = href[len(base):].partition("#")
            return f"{match.group(1)}{get_relative_url(path or './', page.url)}{hash_}{anchor}{match.group(3)}"

        html = _HREF.sub(relink, html)
    by_content = {}
    for file in files:
        if file.src_uri.startswith("assets/") and file.src_uri.endswith((".svg", ".png", ".jpg")):
            by_content.setdefault(hashlib.sha256(Path(file.abs_src_path).read_bytes()).hexdigest(), file)

    def serve(match: re.Match) -> str:
        digest = hashlib.sha256(base64.b64decode(match.group(3))).hexdigest()
        file = by_content.get(digest)
        if file is None:
            return match.group(0)  # a figure the site does not have: keep it inline
        return f"{match.group(1)}{get_relative_url(file.url, page.url)}{match.group(4)}"

    return _DATA_IMAGE.sub(serve, html)


def on_page_content(html, page, config, files):
    if not _is_notebook_page(page, config):
        return html
    html = _site_links(html, page, config, files)
    html = _reader_notebook(html, page, config)
    html = _MATHJAX.sub("", html)
    html = _SCRIPT.sub(
        lambda m: "" if "mermaid" in m.group(0) or "mathjax" in m.group(0).lower() else m.group(0),
        html,
    )
    return _STYLE.sub(lambda m: _offload_css(m, page, config), html)


def on_template_context(context, template_name, config):
    """The 404 page: its language switcher points at each language's home page.

    The i18n plugin leaves `extra.alternate` as the last page built set it."""
    _, i18n = _plugins(config)
    if template_name == "404.html" and i18n is not None and i18n.extra_alternate:
        config.extra["alternate"] = deepcopy(i18n.extra_alternate)
    return context


def on_post_template(output, template_name, config):
    """Every language's build writes <site>/404.html; keep the default language's.

    (An empty output is not written.) overrides/404.html carries both languages."""
    _, i18n = _plugins(config)
    if template_name == "404.html" and i18n is not None and not i18n.is_default_language_build:
        return ""
    return output
