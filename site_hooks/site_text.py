"""What several hooks and tools read the same way: a page's language, a Japanese character, math.

Not a hook (mkdocs.yml does not list it). The hooks import it as a sibling module (MkDocs puts a
hook's folder on ``sys.path`` while it loads the hook; pytest's ``pythonpath`` setting in
pyproject.toml does the same for the tests); the tools import it as ``site_hooks.site_text``.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from gpt2guide.constants import LANGUAGES  # ("ja", "en"): the first is the default, at the site root

DEFAULT_LANGUAGE = LANGUAGES[0]

# Characters that Japanese text is set in without spaces between them.
CJK = (
    "\u3000-\u303f"  # CJK symbols and punctuation: 、。「」『』〜
    "\u3040-\u309f"  # hiragana
    "\u30a0-\u30ff"  # katakana (ー・ included)
    "\u31f0-\u31ff"  # katakana phonetic extensions
    "\u3400-\u4dbf"  # CJK unified ideographs extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\uff01-\uff60"  # full-width forms: （）！？：
    "\uff61-\uff9f"  # half-width katakana and punctuation
)
_CJK_CHAR = re.compile(f"[{CJK}]")

# An HTML tag whose class holds pymdownx.arithmatex's marker: math, left to KaTeX.
MATH_CLASS = re.compile(r"""class\s*=\s*["'][^"']*\barithmatex\b""")


def is_cjk(char: str) -> bool:
    """True for one character that Japanese text sets without spaces around it."""
    return bool(char) and _CJK_CHAR.fullmatch(char) is not None


def name_language(name) -> str | None:
    """``"en"`` for ``tokens.en.md`` or ``notebooks/x.en.ipynb``; None for a name without a language."""
    parts = PurePosixPath(str(name)).name.split(".")
    return parts[-2] if len(parts) >= 3 and parts[-2] in LANGUAGES else None


def page_language(page, config=None) -> str:
    """A page's language: mkdocs-static-i18n's ``locale`` on its file, else the language the i18n
    plugin is building, else the file name's suffix, else the default language."""
    locale = getattr(page.file, "locale", None)
    if locale in LANGUAGES:
        return locale
    i18n = config.plugins.get("i18n") if config is not None else None
    current = getattr(i18n, "current_language", None)
    if current in LANGUAGES:
        return current
    return name_language(page.file.src_uri) or DEFAULT_LANGUAGE
