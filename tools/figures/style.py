"""Fonts, colours and the deterministic SVG writer shared by every figure.

- Fonts: English figures use DejaVu Sans (bundled with matplotlib); Japanese figures use IPAex Gothic,
  which the PyPI package ``japanize-matplotlib`` bundles. Only its font file is used: the package
  itself is never imported (it imports ``distutils``, gone in Python 3.12).
- Glyphs are written as paths (``svg.fonttype = "path"``), so a browser needs no font.
- Colours: the Okabe-Ito palette (distinguishable with colour-vision deficiencies) on a white
  card with a thin grey border, so a figure reads the same in the site's light and dark themes.
- Determinism: a fixed ``svg.hashsalt`` and no date, so the same data gives the same bytes.
References: matplotlib "Fonts in SVG" and ``rcParams['svg.hashsalt']``; Okabe & Ito (2008),
"Color Universal Design".
"""

from __future__ import annotations

import contextlib
import importlib.util
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from gpt2guide.constants import LANGUAGES

# Okabe-Ito colours, named by use.
BLUE = "#0072B2"  # the main series
ORANGE = "#E69F00"  # a second series
GREEN = "#009E73"  # kept / chosen
VERMILLION = "#D55E00"  # thresholds and cuts
SKY = "#56B4E9"  # a light companion of BLUE
PURPLE = "#CC79A7"  # a fourth series
GREY = "#9A9A9A"  # pruned, removed, context
LIGHT_GREY = "#E3E3E3"  # backgrounds of removed cells
INK = "#222222"  # text and axes
BORDER = "#C8C8C8"  # the card's border

WIDTH = 7.0  # inches; at the site's 96 px/in a figure is 672 px wide, readable in a 700 px column
JA_FONT_FILE = "ipaexg.ttf"  # IPAex Gothic inside japanize_matplotlib/fonts/
JA_FONT = "IPAexGothic"  # its family name as matplotlib sees it
EN_FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"  # token strings, so spaces and punctuation line up


def japanese_font_path() -> Path:
    """Where ``japanize-matplotlib`` keeps IPAex Gothic (found without importing the package)."""
    spec = importlib.util.find_spec("japanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("Japanese figures need the IPAex Gothic font from japanize-matplotlib: "
                                  "pip install japanize-matplotlib==1.1.3 (or pip install -e '.[docs]')",
                                  name="japanize_matplotlib")
    path = Path(spec.submodule_search_locations[0]) / "fonts" / JA_FONT_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: reinstall japanize-matplotlib==1.1.3")
    return path


@cache
def register_japanese_font() -> Path:
    """Add IPAex Gothic to matplotlib's font list (once per process) and return its file."""
    path = japanese_font_path()
    font_manager.fontManager.addfont(str(path))
    return path


def families(lang: str, *, mono: bool = False) -> list[str]:
    """Font families in fallback order: matplotlib takes each glyph from the first font that has it."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang: expected one of {', '.join(LANGUAGES)}, got {lang!r}")
    if lang == "ja":
        register_japanese_font()
        return [MONO_FONT, JA_FONT] if mono else [JA_FONT, EN_FONT]
    return [MONO_FONT, EN_FONT] if mono else [EN_FONT]


def rc(lang: str) -> dict:
    """The rcParams of every figure in ``lang``."""
    return {
        "font.family": families(lang),
        "font.size": 9.5,
        "axes.titlesize": 10.5,
        "axes.titleweight": "normal",  # IPAex Gothic has no bold face
        "axes.labelsize": 9.5,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "axes.linewidth": 0.8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.facecolor": "white",
        "xtick.color": INK,
        "ytick.color": INK,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "text.color": INK,
        "legend.frameon": False,
        "legend.fontsize": 8.5,
        "figure.facecolor": "white",
        "figure.edgecolor": BORDER,
        "axes.unicode_minus": True,
        # Deterministic, self-contained SVG.
        "svg.fonttype": "path",
        "svg.hashsalt": "gpt2guide",
        "svg.image_inline": True,
        "path.simplify": True,
    }


@contextlib.contextmanager
def context(lang: str):
    """Draw and save inside this: the figure style of ``lang``, leaving the caller's rcParams alone."""
    with matplotlib.rc_context(rc(lang)):
        yield


def new_figure(height: float, **kwargs):
    """A white figure ``WIDTH`` inches wide with a thin border (a card on light and dark pages)."""
    from matplotlib.figure import Figure  # no pyplot: no global figure list, no GUI backend

    fig = Figure(figsize=(WIDTH, height), layout="constrained", linewidth=1.0, **kwargs)
    fig.get_layout_engine().set(w_pad=0.08, h_pad=0.08)
    return fig


def save_svg(fig, path: Path) -> Path:
    """Write ``fig`` as SVG with no date and no version stamp, so equal figures are equal bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None, "Creator": None}, facecolor="white", edgecolor=BORDER)
    return path


def show_token(text: str) -> str:
    """A token as readable text: a leading or trailing space as ␣, a newline as ↵, a tab as →."""
    return text.replace(" ", "\u2423").replace("\n", "\u21b5").replace("\t", "\u2192").replace("\r", "\u240d") or "\u2205"


def thousands(n: int) -> str:
    """1234567 -> '1,234,567' (both languages write numbers this way)."""
    return f"{n:,}"


def percent(p: float) -> str:
    """A probability as a percentage with sensible digits: 0.42 -> '42%', 0.998 -> '99.8%',
    0.0123 -> '1.2%', 1.2e-4 -> '0.012%'."""
    if 0.99 < p < 1:
        return f"{p:.1%}"
    if p >= 0.1:
        return f"{p:.0%}"
    if p >= 0.01:
        return f"{p:.1%}"
    return f"{p * 100:.2g}%"
