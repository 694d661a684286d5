"""Plain-text tables: the library's printed tables (tokens, top tokens, merges, parameter counts,
the bench) are aligned by this one helper.

References: Python's format specification mini-language (``<`` and ``>`` alignment);
``unicodedata.east_asian_width`` for the columns a kana or kanji takes in a terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide (W) and full-width (F) characters such as kana and kanji take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(rows: Sequence[Sequence[str]], align: str, *, widths: Sequence[int] | None = None,
           gaps: str | Sequence[str] = "  ", width: Callable[[str], int] = len) -> list[str]:
    """Rows of cells as aligned lines: column ``i`` is aligned by ``align[i]`` (``<`` left, ``>``
    right) and padded to ``widths[i]`` (default: its widest cell, measured by ``width``); a
    left-aligned last column is not padded. ``gaps``: the text between columns, one for all or
    one per gap. A cell wider than its column pushes the rest of its own line only, as an
    f-string's ``{cell:>6}`` does."""
    if widths is None:
        widths = [max(width(row[i]) for row in rows) for i in range(len(align))]
    gaps = [gaps] * (len(align) - 1) if isinstance(gaps, str) else list(gaps)
    lines = []
    for row in rows:
        cells = []
        for i, (cell, side) in enumerate(zip(row, align)):
            fill = " " * max(0, widths[i] - width(cell))
            last = i == len(align) - 1
            cells.append(fill + cell if side == ">" else cell if last else cell + fill)
        lines.append(cells[0] + "".join(gap + cell for gap, cell in zip(gaps, cells[1:])))
    return lines
