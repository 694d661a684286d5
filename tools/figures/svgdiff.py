"""Compare two SVG drawings of a figure the way a reader sees them, not byte for byte.

The same figure drawn on two CPUs differs in its last float bits: matplotlib's SVG backend
names each clip path ``p`` + a hash of the clip rectangle's float coordinates, so a layout
number that differs in the 15th digit (an AMD EPYC against an Intel Xeon) renames every clip
path, and coordinates may differ in their last printed digit. Neither changes a pixel.

``normalise`` renames clip paths (and any other hashed ``id``) in order of appearance, and
``equivalent`` then compares the text between numbers exactly and the numbers within
``tolerance`` SVG units (1 unit = 1/72 inch; 0.01 is far below a pixel at any zoom).
A changed model, data set or figure module moves bars by whole units or changes glyphs and
labels, and fails. References: matplotlib ``backend_svg._make_id`` and ``svg.hashsalt``.
"""

from __future__ import annotations

import math
import re

# matplotlib's hashed ids: "p" + 10 hex digits (clip paths), also used in url(#...) and href="#...".
HASHED_ID = re.compile(r"\bp[0-9a-f]{10}\b")
NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TOLERANCE = 0.01  # SVG user units (points)


def normalise(svg: str) -> str:
    """``svg`` with hashed ids renamed ``clip0``, ``clip1``, ... in order of first appearance."""
    names: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        return names.setdefault(match.group(0), f"clip{len(names)}")

    return HASHED_ID.sub(rename, svg)


def _split(svg: str) -> tuple[list[str], list[float]]:
    """The text around the numbers, and the numbers."""
    return NUMBER.split(svg), [float(n) for n in NUMBER.findall(svg)]


def difference(a: str, b: str, tolerance: float = TOLERANCE) -> str | None:
    """None if ``a`` and ``b`` draw the same figure; else a short description of the first difference."""
    if not isinstance(a, str) or not isinstance(b, str):
        raise TypeError(f"a, b: expected SVG text (str), got {type(a).__name__} and {type(b).__name__}")
    if tolerance < 0:
        raise ValueError(f"tolerance: expected a number >= 0, got {tolerance}")
    (text_a, numbers_a), (text_b, numbers_b) = _split(normalise(a)), _split(normalise(b))
    if len(numbers_a) != len(numbers_b) or text_a != text_b:
        index = next((i for i, (x, y) in enumerate(zip(text_a, text_b)) if x != y), min(len(text_a), len(text_b)))
        return f"the markup differs (after {index} numbers)"
    for index, (x, y) in enumerate(zip(numbers_a, numbers_b)):
        if not math.isclose(x, y, rel_tol=0, abs_tol=tolerance):
            return f"number {index} differs: {x} != {y}"
    return None


def equivalent(a: str, b: str, tolerance: float = TOLERANCE) -> bool:
    """True if ``a`` and ``b`` draw the same figure (see the module docstring)."""
    return difference(a, b, tolerance) is None
