"""The guide's figures: each drawn from the library, in Japanese and English, as deterministic SVG.

One module per figure; each has ``SPEC`` (name, titles and alt texts in both languages),
``data()`` (the numbers, computed once for both languages) and ``draw(data, lang)`` (a matplotlib
``Figure``). ``FIGURES`` maps names to specs; ``draw_all(out_dir)`` writes
``<name>.<lang>.svg`` for every figure and language. Pages read links and alt texts from here
(``FIGURES["temperature"].alt["ja"]``, ``.src``, ``.markdown("ja")``); ``gpt2guide figures`` is the
one command that redraws them. Never edit an SVG by hand: change the module and run the command.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

from ..threads import one_thread

LANGUAGES = ("ja", "en")
# Where the site keeps the figures, relative to the repository root.
DOCS_DIR = Path("docs") / "assets" / "figures"
SITE_DIR = "assets/figures"  # the same folder as pages link to it (relative to docs/)


@dataclass(frozen=True)
class FigureSpec:
    name: str  # the file stem: <name>.ja.svg and <name>.en.svg
    module: str  # the module under gpt2guide.figures that computes and draws it
    title: dict = field(default_factory=dict)  # {"ja": ..., "en": ...}: a short caption
    alt: dict = field(default_factory=dict)  # {"ja": ..., "en": ...}: what the figure shows, for screen readers
    pocket: bool = False  # True if drawn from the pocket model's weights (redraw after retraining)

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
    from . import (
        attention,
        beam_tree,
        parameters,
        temperature,
        token_losses,
        top_k_top_p,
        training_curve,
    )

    modules = (
        temperature, top_k_top_p, beam_tree, parameters, attention, token_losses, training_curve
    )
    return {m.SPEC.name: m.SPEC for m in modules}


FIGURES: dict[str, FigureSpec] = _specs()


def check_names(names) -> list[str]:
    """``names`` (None: every figure) as a list, each checked against ``FIGURES``."""
    if names is None:
        return list(FIGURES)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"figure: unknown name(s) {', '.join(map(repr, unknown))}; choose from {', '.join(FIGURES)}")
    return list(names)


def draw_all(out_dir, names=None) -> list[Path]:
    """Draw every figure (or ``names``) in both languages into ``out_dir``; return the files written."""
    from . import style

    out_dir = Path(out_dir)
    written = []
    for name in check_names(names):
        spec = FIGURES[name]
        with one_thread():
            data = spec.data()
        for lang in LANGUAGES:
            with style.context(lang):
                fig = spec.draw(data, lang)
                written.append(style.save_svg(fig, out_dir / spec.file(lang)))
    return written
