"""MkDocs hook: the versions page shows the versions the site was built with, read at build time.

A page that holds the line ``<!-- versions-table -->`` gets it replaced (``on_page_markdown``)
by a Markdown table of Python and the installed distributions in ``PACKAGES``, read with
``importlib.metadata`` from the environment that runs ``mkdocs build`` (the one the test
command also runs the pages' code in). Nothing is typed by hand: reinstall, rebuild, and the
table follows. A distribution that is not installed is shown as such, never guessed.
References: Python's ``importlib.metadata``; MkDocs "Hooks" and the ``on_page_markdown`` event.
"""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from site_text import page_language

PLACEHOLDER = "<!-- versions-table -->"
# What the pages run on, then what builds and tests the site (PyPI names).
PACKAGES = (
    "gpt2guide", "torch", "transformers", "tokenizers", "safetensors", "numpy",
    "mkdocs", "mkdocs-material", "mkdocs-static-i18n", "mkdocs-jupyter", "pymdown-extensions",
    "matplotlib", "sybil", "pytest", "nbclient", "playwright",
)
HEADERS = {"ja": ("パッケージ", "バージョン", "インストールされていません"),
           "en": ("Package", "Version", "not installed")}


def installed_versions() -> dict[str, str | None]:
    """Python's version and each package's installed version (None when it is not installed)."""
    result: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            result[name] = version(name)
        except PackageNotFoundError:
            result[name] = None
    return result


def versions_table(language: str) -> str:
    """The Markdown table, headed in ``language`` ("ja" or "en")."""
    if language not in HEADERS:
        raise ValueError(f"language: expected one of {', '.join(HEADERS)}, got {language!r}")
    package, version_, missing = HEADERS[language]
    rows = [f"| {package} | {version_} |", "| --- | --- |"]
    rows += [f"| `{name}` | {value if value is not None else missing} |"
             for name, value in installed_versions().items()]
    return "\n".join(rows)


def on_page_markdown(markdown, page, config, files):
    if PLACEHOLDER not in markdown:
        return markdown
    return markdown.replace(PLACEHOLDER, versions_table(page_language(page, config)))
