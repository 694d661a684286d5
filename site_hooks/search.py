"""MkDocs hook: search that finds, in the reader's language, with readable results.

mkdocs-static-i18n builds one language after the other and merges every language's entries into
one search/search_index.json, which Material's search (configured with ``lang: [en, ja]``) loads
on every page: English results on Japanese pages and the other way round, English words stemmed
in the index but not in the query (Material searches every word as a prefix, and lunr skips the
stemmer for those), and Japanese pages segmented by TinySegmenter while the query is not.

This hook, after the last language is built (``on_post_build``, after the i18n plugin):

1. splits the index by language: search/search_index.json holds the default language's pages,
   <lang>/search/search_index.json each other language's, with locations relative to that
   language's home, and a config for that language alone (lunr ``lang``, no stemmer, separator);
2. ranks a chapter page above its notebook (which repeats it), and makes the entries readable:
   math (``\\(T\\)``, ``\\[ ... \\]``) as plain text, no "¶";
3. writes site_hooks/search-worker.js next to Material's worker: it loads Material's worker and
   rewrites each query to fit the index (English words as their stem, Japanese words segmented).

and on each page (``on_post_page``): the page's ``__config`` names that worker, and on a page of
a non-default language its ``base`` is that language's home, where Material fetches the index
(search/search_index.json relative to ``base``) and resolves the results' locations.
References: Material for MkDocs search plugin (material/plugins/search/plugin.py) and its
worker sources; mkdocs-static-i18n reconfigure.py (``reconfigure_search_index``).
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url
from site_text import CJK, page_language

INDEX = "search/search_index.json"
WORKER = "gpt2guide-search.js"  # written next to Material's worker
WORKER_SOURCE = Path(__file__).with_name("search-worker.js")
_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)
# Each language's tokenizer: Material's defaults (and the full-width punctuation for Japanese).
NOTEBOOK_BOOST = 0.5  # a notebook repeats its chapter page: rank the page above it
SEPARATORS = {"en": r"[\s\-]+", "ja": r"[\s\-\u3000、。，．・「」『』（）()]+"}


def _i18n(config):
    return config.plugins.get("i18n")


# --- Readable entries -------------------------------------------------------------------------

_SYMBOLS = {
    "sum": "∑", "prod": "∏", "times": "×", "cdot": "·", "mid": "|", "dots": "…", "ldots": "…",
    "cdots": "⋯", "in": "∈", "ll": "≪", "gg": "≫", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "infty": "∞", "to": "→", "rightarrow": "→",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "tau": "τ", "quad": " ", "qquad": " ",
}
_SIZING = {"left", "right", "big", "Big", "bigg", "Bigg", "displaystyle", "textstyle", "nonumber"}
_WRAPPED = re.compile(r"\\(?:text|mathrm|mathbf|mathit|mathcal|mathbb|operatorname|boldsymbol)\s*\{([^{}]*)\}")
_GROUP = re.compile(r"([_^])\s*\{([^{}]*)\}")  # a subscript or superscript of more than one letter
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{[^{}]*\}")
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_SIMPLE = re.compile(r"\\?[\w.]+")  # a name, a number, or one command such as \alpha
_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)
# Notebook cells write math as $...$ (and $$...$$); only spans that look like TeX are taken.
_DOLLARS = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]{1,300}?)\$", re.S)
_LOOKS_LIKE_TEX = re.compile(rf"^(?=[^{CJK}]{{1,60}}$)(?:.*[\\_^=+<>&]|\s*\w{{1,3}}\s*$)", re.S)


def _operand(tex: str) -> str:
    """``tex`` as it reads next to an operator: bracketed unless it is one name or number."""
    tex = tex.strip()
    return tex if _SIMPLE.fullmatch(tex) else f"({tex})"


def tex_to_text(tex: str) -> str:
    """A formula as plain text a search result can show: ``\\frac{a}{b}`` -> ``a/b``, ``\\sum`` -> ``∑``."""
    text = _ENVIRONMENT.sub(" ", tex)
    previous = None
    while previous != text:  # innermost first
        previous = text
        text = _WRAPPED.sub(r"\1", text)
        text = _GROUP.sub(lambda m: m.group(1) + _operand(m.group(2)), text)
        text = _FRAC.sub(lambda m: "/".join(_operand(part) for part in m.groups()), text)
    text = _COMMAND.sub(lambda m: "" if m.group(1) in _SIZING else _SYMBOLS.get(m.group(1), m.group(1)), text)
    text = re.sub(r"\\[,;:! ]|\\\\|&amp;|&", " ", text).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


def _math_as_text(text: str, dollars: bool) -> str:
    def as_text(tex: str) -> str:  # the index holds HTML: unescape the TeX, escape the text
        return html.escape(tex_to_text(html.unescape(tex)), quote=False)

    text = _MATH.sub(lambda m: as_text(m.group(1) or m.group(2)), text)
    if not dollars:
        return text

    def replace(match: re.Match) -> str:
        tex = match.group(1) or match.group(2)
        if match.group(1) is None and not _LOOKS_LIKE_TEX.search(tex):  # $$...$$ is always math
            return match.group(0)
        return as_text(tex)

    return _DOLLARS.sub(replace, text)


def readable(entry: dict) -> dict:
    """The entry with its math as text and no permalink sign in its title."""
    notebook = "notebooks/" in entry.get("location", "")
    title = _math_as_text(entry.get("title", "").replace("¶", "").strip(), notebook)
    return {**entry, "title": title, "text": _math_as_text(entry.get("text", ""), notebook)}


# --- One index per language -------------------------------------------------------------------

def split_index(index: dict, languages: list[str], default: str) -> dict[str, dict]:
    """``{language: index}``; other languages' locations lose their ``<lang>/`` prefix."""
    docs: dict[str, list] = {language: [] for language in languages}
    for entry in index["docs"]:
        path = entry["location"].split("#", 1)[0]
        language = next((lang for lang in languages if lang != default and
                         (path == f"{lang}/" or path.startswith(f"{lang}/"))), default)
        if language != default:
            entry = {**entry, "location": entry["location"][len(language) + 1:]}
        if entry["location"].startswith("notebooks/"):  # the chapter page first, its notebook after
            entry = {**entry, "boost": NOTEBOOK_BOOST}
        docs[language].append(readable(entry))
    result = {}
    for language, entries in docs.items():
        config = {**index["config"], "lang": [language], "pipeline": [],
                  "separator": SEPARATORS.get(language, index["config"].get("separator", r"[\s\-]+"))}
        result[language] = {"config": config, "docs": entries}
    return result


def _material_worker(site: Path) -> str | None:
    workers = sorted(p.name for p in (site / "assets/javascripts/workers").glob("search.*.min.js"))
    return workers[0] if workers else None


@event_priority(-300)  # after the i18n plugin (-100) has built every language and merged the index
def on_post_build(config):
    i18n = _i18n(config)
    if i18n is not None and i18n.building:
        return  # one language's build inside the i18n plugin's loop: the index is not whole yet
    site = Path(config.site_dir)
    path = site / INDEX
    if not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    languages = list(i18n.build_languages) if i18n is not None else [index["config"]["lang"][0]]
    default = i18n.default_language if i18n is not None else languages[0]
    for language, part in split_index(index, languages, default).items():
        target = site / (INDEX if language == default else f"{language}/{INDEX}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(part, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    material = _material_worker(site)
    if material is not None:
        source = WORKER_SOURCE.read_text(encoding="utf-8").replace("MATERIAL_WORKER", material)
        (site / "assets/javascripts/workers" / WORKER).write_text(source, encoding="utf-8")


# --- Each page loads its language's index, through our worker ---------------------------------

def _rewrite_config(output: str, change) -> str:
    def replace(match: re.Match) -> str:
        data = json.loads(match.group(2))
        change(data)
        return match.group(1) + json.dumps(data, ensure_ascii=False) + match.group(3)

    return _CONFIG.sub(replace, output, count=1)


def _use_our_worker(data: dict) -> None:
    if data.get("search"):
        data["search"] = posixpath.join(posixpath.dirname(data["search"]), WORKER)


def on_post_page(output, page, config):
    language = page_language(page, config)
    i18n = _i18n(config)

    def change(data: dict) -> None:
        _use_our_worker(data)
        if i18n is not None and language not in (None, i18n.default_language):
            data["base"] = get_relative_url(f"{language}/", page.url).rstrip("/") or "."

    return _rewrite_config(output, change)


def on_post_template(output, template_name, config):
    """The 404 page (a template, not a page): the default language's index, through our worker."""
    if template_name != "404.html" or not output:
        return output
    return _rewrite_config(output, _use_our_worker)
