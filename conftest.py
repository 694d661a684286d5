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

The run is spread over the machine's cores by pytest-xdist (`-n auto --dist loadfile` in
pyproject.toml: each file, so each page, runs whole on one worker, in order); each worker gives
torch its share of the cores, and a test that times the machine (marked `alone`) runs while the
other workers wait between two tests (tools/workers.py). `-n 0` runs everything in this process.

Page snippets carry the `slow` marker (`pytest -m "not slow"` runs the unit tests alone).

Run once, not twice: where both pages of a language pair are collected and run the same code with
the same expected outputs (comments aside; `tools.pages.same_code`, proved for every pair by
tests/test_pages.py), only the Japanese page runs; `--both-languages` runs the English one too.
Every page starts from the process state the previous one found (`tools.isolation`). The
terminal summary gives each chapter's time against its budget (CONTRIBUTING.md, "Budgets"), and
in a quick-loop run (`-m "not slow"`) the tests that took over a second.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from sybil import Sybil

from tools import pages, workers
from tools.isolation import GlobalState
from tools.pages import FloatTolerantChecker, parsers  # noqa: F401  (the pages' checker and parsers)

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
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
    parser.addoption(
        "--both-languages",
        action="store_true",
        help="run the English page too where it runs the same code as its Japanese page "
        "(by default such a pair runs once; tests/test_pages.py proves each pair identical)",
    )
    parser.addoption(
        "--heavy",
        action="store_true",
        help="also run the `heavy` tests: re-runs of work the default run already proves "
        "(every chapter notebook executed, every page run as a reader's script in the wheel's "
        "venv); the weekly real-checkpoints workflow runs them",
    )


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (pyproject's addopts): no workers where they cannot pay back their start (each
    worker imports and collects everything again, about 15 s of CPU): the quick loop
    (`-m "not slow"`) and a run of one file; else pytest-xdist's own count (None)."""
    return 0 if workers.too_short_for_workers(config.getoption("markexpr") or "", config.args) else None


def pytest_configure(config: pytest.Config) -> None:
    """On a pytest-xdist worker, torch's threads are the worker's share of what torch would take
    alone (tools/workers.py)."""
    count = workers.worker_count(config)
    if count:
        import torch

        torch.set_num_threads(workers.worker_threads(torch.get_num_threads(), count))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem):
    """On a pytest-xdist worker, a test marked `alone` (it times the machine) runs while the other
    workers wait between two tests; every other test shares the machine (tools/workers.py)."""
    with workers.machine_lock(workers.lock_path(item.config), exclusive=item.get_closest_marker("alone") is not None):
        return (yield)


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


@pytest.fixture(scope="session")
def sybil_parsers() -> list:
    """The page parsers, for the gates that check what Sybil collects."""
    return parsers()


_SAVED: dict[int, GlobalState] = {}  # id(page namespace) -> the process state before the page


def save_state(namespace: dict) -> None:
    """Before each page: save the process-wide state a page may change (tools/isolation.py)."""
    _SAVED[id(namespace)] = GlobalState.save()


def end_page(namespace: dict) -> None:
    """After each page: put back the state saved before it, so that no page changes the next one
    (threads, grad mode, dtype, random state, deterministic flags, log levels); then drop its
    variables (models, optimizers, caches), so that memory does not grow page after page (a
    gpt2-sized `--checkpoint` would otherwise hold a copy per page)."""
    saved = _SAVED.pop(id(namespace), None)
    if saved is not None:
        saved.restore()
    namespace.clear()
    gc.collect()


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    """Every page snippet (a whole chapter runs the model) and every browser test (a site build and
    Chromium) is `slow`, so that `pytest -m "not slow"` is the quick loop of unit tests alone;
    `heavy` tests skip without `--heavy`; a language pair with the same code runs once."""
    for item in items:
        if DOCS in Path(str(item.path)).parents or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        if item.get_closest_marker("heavy") and not config.getoption("--heavy"):
            item.add_marker(pytest.mark.skip(reason="heavy: runs weekly in real-checkpoints.yml (pytest --heavy)"))
    if not config.getoption("--both-languages"):
        _run_pairs_once(config, items)


def _run_pairs_once(config: pytest.Config, items: list) -> None:
    """Deselect the English page's snippets where its Japanese page (the first language) is
    collected too and runs the same code with the same expected outputs, comments set aside
    (`tools.pages.same_code`): the run would repeat the same work. A pair that differs in
    anything but comments runs both pages."""
    by_page: dict[Path, list] = {}
    for item in items:
        if isinstance(item.parent, pytest.File) and item.parent.path.suffix == ".md":
            by_page.setdefault(Path(item.parent.path), []).append(item)
    first, second = pages.LANGUAGES
    drop, once = set(), []
    for page, page_items in by_page.items():
        if pages.language_of(page) != second:
            continue
        original = pages.twin(page, first)
        if original in by_page and pages.same_code(original, page):
            drop.update(map(id, page_items))
            once.append(page)
    if drop:
        config.hook.pytest_deselected(items=[item for item in items if id(item) in drop])
        items[:] = [item for item in items if id(item) not in drop]
    config.stash[_RUN_ONCE] = once


_RUN_ONCE = pytest.StashKey[list]()
_PAGE_SECONDS: dict[str, float] = {}  # page (relative to the root) -> seconds of its snippets
# Each chapter's pages (both languages, as run) within this many seconds on 2 CPU cores
# (CONTRIBUTING.md, "Budgets"): the terminal summary reports each chapter's share.
CHAPTER_BUDGET_S = 60.0


# A test of the quick loop (`pytest -m "not slow"`, within 45 s with ruff) over this many seconds
# on 2 CPU cores is named at the end of a quick-loop run: mark it `slow` or give it a cheaper fixture.
QUICK_TEST_S = 1.0
_TEST_SECONDS: dict[str, float] = {}  # test node id -> seconds (setup, call and teardown)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the time of each page's snippets and of each test (setup, call and teardown), for
    the summary."""
    path = report.nodeid.partition("::")[0]
    if path.startswith("docs/") and path.endswith(".md"):
        _PAGE_SECONDS[path] = _PAGE_SECONDS.get(path, 0.0) + report.duration
    _TEST_SECONDS[report.nodeid] = _TEST_SECONDS.get(report.nodeid, 0.0) + report.duration


def _quick_loop_report(terminalreporter, config: pytest.Config) -> None:
    """In a quick-loop run, the tests that took longer than QUICK_TEST_S (CONTRIBUTING.md, "Budgets")."""
    if "not slow" not in (config.getoption("markexpr", "") or ""):
        return
    long = sorted(((seconds, nodeid) for nodeid, seconds in _TEST_SECONDS.items() if seconds > QUICK_TEST_S),
                  reverse=True)
    if long:
        terminalreporter.section(f"quick-loop tests over {QUICK_TEST_S:.0f} s (mark them slow or make them cheaper)")
        for seconds, nodeid in long:
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid}")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Each chapter's share of the run, against its budget, and the pages that ran once for two; in a
    quick-loop run, its tests over QUICK_TEST_S."""
    _quick_loop_report(terminalreporter, config)
    if not _PAGE_SECONDS:
        return
    chapters: dict[str, float] = {}
    for page, seconds in _PAGE_SECONDS.items():
        name = pages.chapter(ROOT / page)
        chapters[name] = chapters.get(name, 0.0) + seconds
    total = sum(chapters.values())
    write = terminalreporter.write_line
    terminalreporter.section("time per chapter (page snippets)")
    write(f"{'chapter':<28} {'seconds':>8} {'share':>6}  budget {CHAPTER_BUDGET_S:.0f} s")
    for name, seconds in sorted(chapters.items(), key=lambda kv: -kv[1]):
        flag = "  OVER BUDGET" if seconds > CHAPTER_BUDGET_S else ""
        write(f"{name:<28} {seconds:>8.1f} {seconds / total:>6.1%}{flag}")
    write(f"{'all pages':<28} {total:>8.1f}")
    once = _ran_once(config)
    if once:
        write(f"{len(once)} English pages ran as their Japanese page (the same code and outputs; "
              "--both-languages runs them too)")


def _ran_once(config: pytest.Config) -> list[Path]:
    """The English pages that ran as their Japanese page: collected here, or (on pytest-xdist's
    controller, which collects nothing) the Japanese pages that ran without their English twin."""
    if _RUN_ONCE in config.stash:
        return config.stash[_RUN_ONCE]
    first, second = pages.LANGUAGES
    ran = {ROOT / page for page in _PAGE_SECONDS}
    twins = (pages.twin(page, second) for page in ran if pages.language_of(page) == first)
    return [twin for twin in twins if twin not in ran and twin.exists() and not config.getoption("--both-languages")]


pytest_collect_file = Sybil(
    parsers=parsers(),
    path="docs",
    patterns=["*.md"],
    fixtures=["checkpoint", "pocket_outputs", "hub"],
    setup=save_state,
    teardown=end_page,
).pytest()
