"""Every ```python block on every page is a test (Sybil); this file sets that up.

It lives at the repository root, not in docs/, so it never becomes a page.

- Each page file (docs/**/*.md, both languages) is one Sybil document with its own
  namespace: blocks on a page share variables, pages never do.
- A block that starts with `>>>` is a doctest: its output is checked, with ELLIPSIS and
  NORMALIZE_WHITESPACE on. Any other ```python block is run, and must not raise.
- Floats hold on any CPU (`FloatTolerantChecker`): when the output differs from the page, the
  numbers in both are paired in order; each number written with a point or an exponent on the
  page may differ by rel 1e-4 + abs 1e-6 + half a unit of the last digit shown on each side (so a
  rounding that flips the last digit passes), while everything else must match exactly: integers
  (ids, shapes, counts), words, `nan`, and how many numbers there are.
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
from sybil.evaluators.doctest import DocTestEvaluator, DocTestRunner, OutputChecker
from sybil.parsers.abstract import DocTestStringParser

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


class FloatTolerantChecker(OutputChecker):
    """Sybil's doctest checker, with a tolerance for the numbers that are float results.

    A float sum depends on the order of its terms, and CPUs (AMD EPYC, Intel Xeon, the CI
    runners) order them differently, so the last digits of a model's output vary by machine.
    When exact comparison fails, each number of the page's output (``want``) that is written
    as a float is compared with the number in the same place of ``got``; if close enough, ``got``
    takes the page's spelling and the exact comparison runs again, so every other character
    still has to match.
    """

    REL, ABS = 1e-4, 1e-6  # the stated tolerance, on top of the rounding of the shown digits
    NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])")

    @staticmethod
    def is_float(text: str) -> bool:
        return "." in text or "e" in text.lower()

    @staticmethod
    def last_digit(text: str) -> float:
        """The value of one unit in the last digit shown: 0.01 for "1.25", 1e-5 for "1.5e-04"."""
        mantissa, _, exponent = text.lower().partition("e")
        decimals = len(mantissa.partition(".")[2])
        return 10.0 ** (int(exponent or 0) - decimals)

    def close(self, want: str, got: str) -> bool:
        if not (self.is_float(want) and self.is_float(got)):
            return want == got  # an integer (an id, a shape, a count) is exact
        allowed = self.ABS + self.REL * abs(float(want)) + (self.last_digit(want) + self.last_digit(got)) / 2
        return abs(float(want) - float(got)) <= allowed

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        wanted, found = list(self.NUMBER.finditer(want)), list(self.NUMBER.finditer(got))
        if not wanted or len(wanted) != len(found):
            return False
        pieces, end = [], 0
        for w, g in zip(wanted, found):
            if not self.close(w.group(), g.group()):
                return False
            pieces += [got[end:g.start()], w.group()]  # got, spelled with the page's number
            end = g.end()
        return super().check_output(want, "".join(pieces) + got[end:], optionflags)


class FloatTolerantRunner(DocTestRunner):
    """Sybil's doctest runner with ``FloatTolerantChecker``."""

    def __init__(self, optionflags: int) -> None:
        super().__init__(optionflags)
        self._checker = FloatTolerantChecker()  # where doctest.DocTestRunner keeps its checker


def doctest_evaluator(optionflags: int) -> DocTestEvaluator:
    """Sybil's doctest evaluator running examples with ``FloatTolerantRunner``."""
    evaluator = DocTestEvaluator(optionflags)
    evaluator.runner = FloatTolerantRunner(optionflags)
    return evaluator


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
        self.doctest = DocTestStringParser(doctest_evaluator(optionflags))

    def __call__(self, document):
        blocked = [(m.start(), m.end()) for m in _FENCED_OR_COMMENT.finditer(document.text)]
        for region in self.doctest(document.text, document.path):
            if not any(start < region.end and region.start < end for start, end in blocked):
                yield region


def parsers() -> list:
    """The parsers every page is read with (tests/test_site.py reuses them)."""
    code_blocks = PythonCodeBlockParser(doctest_optionflags=DOCTEST_FLAGS)
    code_blocks.doctest_parser = DocTestStringParser(doctest_evaluator(DOCTEST_FLAGS))  # floats with a tolerance
    return [
        code_blocks,
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
