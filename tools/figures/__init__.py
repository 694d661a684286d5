"""The guide's figures: each drawn from the library, in Japanese and English, as deterministic SVG.

One module per figure, found by ``pkgutil``: a new figure is one new file with ``SPEC`` (name,
titles and alt texts in both languages), ``data()`` (the numbers, computed once for both
languages) and ``draw(data, lang)`` (a matplotlib ``Figure``); ``sources``, ``style`` and
``svgdiff`` are helpers, with no ``SPEC``. ``FIGURES`` maps names to specs (built on first use);
``draw_all(out_dir)`` writes ``<name>.<lang>.svg`` for every figure and language. Pages read links
and alt texts from here (``FIGURES["temperature"].markdown("ja")``; tests/test_figures.py checks
every page's image against it); ``python -m tools figures`` is the one command that redraws them.
Never edit an SVG by hand: change the module and run the command.
References: matplotlib's SVG backend; nanoGPT's configs as data (``SPEC``).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from pathlib import Path

from gpt2guide.constants import LANGUAGES
from gpt2guide.threads import one_thread
from tools import pages

# Where the site keeps the figures, relative to the repository root.
DOCS_DIR = Path("docs") / "assets" / "figures"
SITE_DIR = "assets/figures"  # the same folder as pages link to it (relative to docs/)


@dataclass(frozen=True)
class FigureSpec:
    name: str  # the file stem: <name>.ja.svg and <name>.en.svg
    module: str = ""  # the module under tools.figures that computes and draws it: the one SPEC is found in
    title: dict = field(default_factory=dict)  # {"ja": ..., "en": ...}: a short caption
    alt: dict = field(default_factory=dict)  # {"ja": ..., "en": ...}: what the figure shows, for screen readers
    pocket: bool = False  # True if drawn from the pocket model's weights (redraw after retraining)
    order: int = 0  # where it comes in FIGURES (``--list`` and the drawing): the order figures were added

    def file(self, lang: str) -> str:
        """The SVG's file name in ``lang``, e.g. ``temperature.ja.svg``."""
        if lang not in LANGUAGES:
            raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
        return f"{self.name}.{lang}.svg"

    def files(self) -> dict:
        return {lang: self.file(lang) for lang in LANGUAGES}

    @property
    def src(self) -> str:
        """The link a page uses, relative to docs/, in both languages: ``assets/figures/<name>.svg``.

        mkdocs-static-i18n (suffix structure) serves ``<name>.ja.svg`` under that name on Japanese
        pages and ``<name>.en.svg`` on English pages, so both pages link to the same path.
        """
        return f"{SITE_DIR}/{self.name}.svg"

    def markdown(self, lang: str, up: int = 0) -> str:
        """The Markdown image of this figure for a page in ``lang``, ``up`` folders below docs/."""
        return f"![{self.alt[lang]}]({'../' * up}{self.src})"

    def _module(self):
        return importlib.import_module(f".{self.module}", __name__)

    def data(self):
        """The numbers behind the figure (the same for both languages)."""
        return self._module().data()

    def draw(self, data, lang: str):
        """The matplotlib ``Figure`` in ``lang``, styled by ``style.context(lang)`` (enter it to save)."""
        return self._module().draw(data, lang)

    def as_dict(self) -> dict:
        return {"name": self.name, "src": self.src, "files": self.files(), "title": dict(self.title),
                "alt": dict(self.alt), "markdown": {lang: self.markdown(lang) for lang in LANGUAGES},
                "pocket": self.pocket}


def _specs() -> dict:
    """Every module of this package that has a ``SPEC``, by ``SPEC.order``; each spec names the
    module it was found in."""
    specs = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f".{info.name}", __name__)
        spec = getattr(module, "SPEC", None)
        if isinstance(spec, FigureSpec):
            if spec.module not in ("", info.name):
                raise ValueError(f"tools/figures/{info.name}.py: its SPEC names the module {spec.module!r}")
            specs.append(dataclasses.replace(spec, module=info.name))
    return {spec.name: spec for spec in sorted(specs, key=lambda spec: (spec.order, spec.name))}


@functools.cache
def _figures() -> dict[str, FigureSpec]:
    return _specs()


def __getattr__(name: str):
    """``FIGURES``, built on first use: importing the package imports no figure module."""
    if name == "FIGURES":
        return _figures()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_names(names) -> list[str]:
    """``names`` (None: every figure) as a list, each checked against ``FIGURES``."""
    if names is None:
        return list(_figures())
    unknown = [n for n in names if n not in _figures()]
    if unknown:
        raise ValueError(f"figure: unknown name(s) {', '.join(map(repr, unknown))}; choose from {', '.join(_figures())}")
    return list(names)


def draw_all(out_dir, names=None) -> list[Path]:
    """Draw every figure (or ``names``) in both languages into ``out_dir``; return the files written."""
    from . import style

    out_dir = Path(out_dir)
    written = []
    for name in check_names(names):
        spec = _figures()[name]
        with one_thread():
            data = spec.data()
        for lang in LANGUAGES:
            with style.context(lang):
                fig = spec.draw(data, lang)
                written.append(style.save_svg(fig, out_dir / spec.file(lang)))
    return written


# -- the figures on the pages --------------------------------------------------------------------
# A page shows a figure as ![alt](assets/figures/<name>.svg) (with ../ per folder below docs/);
# the alt text and the link are the spec's, written into the pages by ``write_page_images``.
PAGE_IMAGE = re.compile(r"!\[[^\]]*\]\(((?:\.\./)*)" + re.escape(SITE_DIR) + r"/([a-z0-9-]+)\.svg\)")


def page_language(page: Path) -> str:
    """``ja`` or ``en`` from a page's name, ``<name>.<lang>.md``."""
    lang = pages.hook("site_text").name_language(page)
    if lang is None:
        raise ValueError(f"page: {page} is not named <name>.<lang>.md with a language in {LANGUAGES}")
    return lang


def page_images(text: str, lang: str) -> list[tuple[str, str]]:
    """``(as written, as the spec writes it)`` for every figure image in a page's text."""
    found = []
    for match in PAGE_IMAGE.finditer(text):
        if match.group(2) not in _figures():
            raise ValueError(f"the page shows {match.group(0)[-60:]!r}, which is no figure in tools/figures")
        found.append((match.group(0), _figures()[match.group(2)].markdown(lang, up=match.group(1).count("../"))))
    return found


def write_page_images(docs: Path) -> list[Path]:
    """Rewrite every page's figure images from the specs; return the pages that changed."""
    changed = []
    for page in sorted(Path(docs).rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        lang = page_language(page)
        fresh = PAGE_IMAGE.sub(lambda m, lang=lang: _figures()[m.group(2)].markdown(lang, up=m.group(1).count("../")), text)
        if fresh != text:
            page.write_text(fresh, encoding="utf-8")
            changed.append(page)
    return changed
