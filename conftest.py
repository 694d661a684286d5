"""Every ```python block on every page is a test (Sybil); this file sets that up.

It lives at the repository root, not in docs/, so it never becomes a page.

- Each page file (docs/**/*.md, both languages) is one Sybil document with its own
  namespace: blocks on a page share variables, pages never do.
- A block that starts with `>>>` is a doctest: its output is checked, with ELLIPSIS and
  NORMALIZE_WHITESPACE on. Any other ```python block is run, and must not raise.
- Hidden setup goes in `<!-- invisible-code-block: python ... -->`.
- The namespace holds `checkpoint` (the value of `--checkpoint`, default "pocket") and
  `pocket_outputs` (True when it is "pocket"), so that a page can show the pocket
  model's real outputs and skip those checks against another checkpoint:

      <!-- skip: next if(not pocket_outputs, reason="output of the pocket model") -->

  and `hub` (True when it names a hub checkpoint such as "gpt2"), for blocks that download:

      <!-- skip: next if(not hub, reason="downloads gpt2 from the hub") -->

- The hub is offline (HF_HUB_OFFLINE=1) unless the environment says otherwise
  (`HF_HUB_OFFLINE=0 pytest docs --checkpoint gpt2` where the hub is reachable).

Page snippets carry the `slow` marker (`pytest -m "not slow"` runs the unit tests alone).
It also holds `built_site`, the one `mkdocs build --strict` of a test session that the
site gates (tests/test_site.py, tests/test_browser.py) share.
"""

from __future__ import annotations

import doctest
import gc
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sybil import Sybil
from sybil.parsers.markdown import PythonCodeBlockParser, SkipParser
from sybil.parsers.rest import DocTestParser

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
DEFAULT_CHECKPOINT = "pocket"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--checkpoint",
        action="store",
        default=DEFAULT_CHECKPOINT,
        metavar="NAME",
        help='model the page snippets run on (default "pocket", the model shipped in the '
        'package; e.g. "gpt2" where the hub is reachable). Outputs shown on the pages are '
        "the pocket model's and are checked only with the default.",
    )


@pytest.fixture(scope="session")
def checkpoint(request: pytest.FixtureRequest) -> str:
    """The checkpoint the page snippets run on (`--checkpoint`)."""
    return request.config.getoption("--checkpoint")


@pytest.fixture(scope="session")
def pocket_outputs(checkpoint: str) -> bool:
    """True when the outputs printed on the pages (the pocket model's) can be checked."""
    return checkpoint == DEFAULT_CHECKPOINT


@pytest.fixture(scope="session")
def hub(checkpoint: str) -> bool:
    """True when `--checkpoint` names a hub checkpoint (gpt2, ...): blocks that download run then."""
    from gpt2guide.checkpoints import HUB_IDS

    return checkpoint in HUB_IDS


# Fenced blocks (``` or ~~~, any info string, any indent) and HTML comments: a bare
# doctest is looked for only outside them (inside ```python fences and invisible code
# blocks, PythonCodeBlockParser already handles `>>>`).
_FENCED_OR_COMMENT = re.compile(
    r"^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?P=fence)[ \t]*$|<!--.*?-->",
    re.M | re.S,
)


class BareDocTestParser:
    """Doctests (`>>>`) outside fenced code blocks, e.g. in an indented code block."""

    def __init__(self, optionflags: int) -> None:
        self.doctest = DocTestParser(optionflags=optionflags)

    def __call__(self, document):
        blocked = [(m.start(), m.end()) for m in _FENCED_OR_COMMENT.finditer(document.text)]
        for region in self.doctest(document):
            if not any(start < region.end and region.start < end for start, end in blocked):
                yield region


def parsers() -> list:
    """The parsers every page is read with (tests/test_site.py reuses them)."""
    return [
        PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS),
        BareDocTestParser(optionflags=DOCTEST_FLAGS),
        SkipParser(),
    ]


@pytest.fixture(scope="session")
def sybil_parsers() -> list:
    """The page parsers, for the gates that check what Sybil collects."""
    return parsers()


def free_namespace(namespace: dict) -> None:
    """After each page: drop its variables (models, optimizers, caches), so that memory does not
    grow page after page (a gpt2-sized `--checkpoint` would otherwise hold a copy per page)."""
    namespace.clear()
    gc.collect()


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Every page snippet (a whole chapter runs the model) and every browser test (a site build and
    Chromium) is `slow`, so that `pytest -m "not slow"` is the quick loop of unit tests alone."""
    docs = ROOT / "docs"
    for item in items:
        if docs in Path(str(item.path)).parents or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


pytest_collect_file = Sybil(
    parsers=parsers(),
    path="docs",
    patterns=["*.md"],
    fixtures=["checkpoint", "pocket_outputs", "hub"],
    teardown=free_namespace,
).pytest()


@dataclass(frozen=True)
class BuiltSite:
    """The output of one `mkdocs build --strict` (judged by its exit status)."""

    path: Path
    returncode: int
    log: str

    def require(self) -> Path:
        if self.returncode != 0:
            pytest.fail(
                f"mkdocs build --strict failed (exit {self.returncode}); "
                f"see test_build_strict:\n{self.log[-3000:]}"
            )
        return self.path


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the site once per test session into a temporary folder."""
    site = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        # Material's end-of-life banner is noise here; the exit status is the verdict.
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return BuiltSite(site, result.returncode, result.stdout + result.stderr)
