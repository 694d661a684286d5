"""The versions page shows the versions the site was built with, read from the installed packages."""

from __future__ import annotations

import html
import platform
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from tools import pages

ROOT = Path(__file__).resolve().parents[1]


def _hook():
    """site_hooks/versions.py under its one name, as MkDocs and the other tests import it."""
    return pages.hook("versions")


def _rows(page: str) -> dict[str, str]:
    """``{package: version}`` from the page's first table."""
    table = page[page.index("<table"):page.index("</table>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", table, re.S)]
    return {html.unescape(k): html.unescape(v) for k, v in zip(cells[::2], cells[1::2])}


@pytest.mark.slow  # builds the site
@pytest.mark.parametrize("path", ["versions/index.html", "en/versions/index.html"])
def test_built_page_holds_the_installed_versions(built_site, path):
    rows = _rows((built_site.require() / path).read_text(encoding="utf-8"))
    assert rows["torch"] == version("torch")
    assert rows["transformers"] == version("transformers")
    assert rows["mkdocs-material"] == version("mkdocs-material")
    assert rows["python"] == platform.python_version()
    assert set(rows) == {"python", *_hook().PACKAGES}
    assert "versions-table" not in (built_site.path / path).read_text(encoding="utf-8")


def test_table_says_what_is_missing_and_checks_its_language(monkeypatch):
    hook = _hook()
    monkeypatch.setattr(hook, "PACKAGES", ("torch", "no-such-package-gpt2guide"))
    assert hook.versions_table("en").splitlines()[-1] == "| `no-such-package-gpt2guide` | not installed |"
    assert f"| `torch` | {version('torch')} |" in hook.versions_table("ja")
    with pytest.raises(ValueError, match="language"):
        hook.versions_table("fr")
