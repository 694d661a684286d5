"""What a reader who copies the code gets: the pages run where they are copied.

- A page that imports a package of an optional extra (pyproject's `[project.optional-dependencies]`,
  followed through each package's own requirements in this environment) names that extra near its
  top (before its first `##` heading): `pip install "gpt2guide[beyond] @ git+..."`.
- A page that shows `pytest docs` says near its top that it needs a clone; every such command is
  the one real-checkpoint command `HF_HUB_OFFLINE=0 pytest docs --checkpoint gpt2`.
- `test_copied_page_runs_as_a_script` (slow) does what a reader does: builds the wheel, installs it
  with its `beyond` extra in a fresh venv (`python3.11 -m venv`, `pip install -c constraints.txt`),
  then, for each page, joins the text of its copy buttons in page order into one script and runs
  it with that venv's Python from an empty folder, offline (`HF_HUB_OFFLINE=1`). The copy text is
  what the site's copy button copies (`site_hooks/doctest_blocks.py`: the code of a `>>>` block,
  a plain block as it is); invisible setup blocks are not copied (a reader never sees them).
  Blocks are left out exactly where a reader's run on the pocket model skips them: each page's
  skip lines are evaluated with `checkpoint="pocket"`, `pocket_outputs=True`, `hub=False` (so the
  hub-only blocks, `skip: ... if(not hub, ...)`, are left out, as the offline page tests leave
  them out); a condition on a name only the page's hidden setup defines (`spawnable`) counts as
  false, since the reader's machine can start processes. The code is the same in both languages
  (tests/test_site.py), so the English pages are run.
- What a copied script could lack that the page test had is checked for every page without running
  it (`test_a_copied_page_needs_no_hidden_name`): every name the script reads is bound by the
  script itself or is a builtin, so it needs neither the test run's namespace (`checkpoint`,
  `pocket_outputs`, `hub`) nor the hidden setup. The code itself ran in the page test, so one
  reader run in a wheel venv (`SMOKE_PAGES`: the page with hidden setup and a condition on it)
  runs in every run, and every page runs so with `--heavy`, weekly
  (.github/workflows/real-checkpoints.yml).
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib.metadata
import os
import re
import subprocess
import symtable
import sys
import time
import tomllib
from pathlib import Path

import pytest
from doctest_blocks import runnable_code  # the copy button's text (site_hooks/, on pytest's pythonpath)
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tools import pages

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

PAGES = sorted(p for p in DOCS.rglob("*.md"))
# The condition of a skip's arguments: if(not hub, reason="downloads") -> "not hub"
CONDITION = re.compile(r"^if\((?P<condition>.*?)(?:,\s*reason=.*)?\)$", re.S)
# What the reader's run of a page is: the pocket model, no hub.
READER = {"checkpoint": "pocket", "pocket_outputs": True, "hub": False}


def copied_blocks(text: str) -> list[str]:
    """The text of each copy button of a page, in order, without the blocks the reader's run
    skips (see the module docstring). Blocks and skips are read as Sybil reads them
    (tools.pages): a skip applies to the next block, invisible ones included."""
    events = sorted([(skip.start, skip) for skip in pages.skips(text)]
                    + [(block.start, block) for block in pages.code_blocks(text)], key=lambda e: e[0])
    copied, skip_next, in_range = [], False, False
    for _, event in events:
        if isinstance(event, pages.Skip):
            condition = CONDITION.match(event.arguments)
            skipped = _holds(condition.group("condition") if condition else None)
            if event.action == "next":
                skip_next = skipped
            elif event.action == "start":
                in_range = skipped
            elif event.action == "end":
                in_range = False
            continue
        if not (skip_next or in_range or event.invisible):  # a reader never sees a hidden block
            copied.append(runnable_code(event.source) if event.is_doctest else event.source)
        skip_next = False
    return copied


def _holds(condition: str | None) -> bool:
    if condition is None:
        return True  # an unconditional skip
    try:
        return bool(eval(condition, {}, dict(READER)))
    except NameError:
        return False  # a name of the page's hidden setup (spawnable): true for the reader


# -- the extras a page's imports need ---------------------------------------------------------

def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _closure(requirements: list[str]) -> set[str]:
    """Distribution names these requirements install, through the installed packages' own
    requirements (markers on extras are not followed)."""
    seen, todo = set(), [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen or name == "gpt2guide":
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in importlib.metadata.requires(name) or []]
        except importlib.metadata.PackageNotFoundError:
            pass
    return seen


@functools.cache
def _extra_of() -> tuple[set[str], dict[str, str]]:
    """(distributions of the base install, {distribution: the extra that brings it})."""
    project = _project()
    base = _closure(project["dependencies"])
    extras = {name: _closure(reqs) - base for name, reqs in project["optional-dependencies"].items()
              if not any(r.startswith("gpt2guide[") for r in reqs)}  # test = every other extra
    owner = {}
    for name, dists in sorted(extras.items(), key=lambda item: len(item[1])):
        for dist in dists:
            owner.setdefault(dist, name)  # the smallest extra that brings it
    return base, owner


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return importlib.metadata.packages_distributions()


def _imports(text: str) -> set[str]:
    """Top-level names of the modules a page's code imports (visible and hidden blocks)."""
    names = set()
    for block in pages.code_blocks(text):
        code = runnable_code(block.source) if block.is_doctest else block.source
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _top(text: str) -> str:
    """A page's text before its first `##` heading."""
    return re.split(r"^## ", text, maxsplit=1, flags=re.M)[0]


@pytest.mark.parametrize("path", PAGES, ids=[p.relative_to(DOCS).as_posix() for p in PAGES])
def test_a_page_names_the_extra_it_imports(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    base, owner = _extra_of()
    modules = _distributions()
    problems = []
    for module in sorted(_imports(text)):
        if module in sys.stdlib_module_names or module in ("gpt2guide", "__future__"):
            continue
        dists = {canonicalize_name(d) for d in modules.get(module, [])}
        if not dists:
            problems.append(f"imports {module}, which nothing installed here provides")
        elif not dists & base:
            extra = next((owner[d] for d in dists if d in owner), None)
            if extra is None:
                problems.append(f"imports {module}, which no extra of pyproject.toml installs")
            elif f"gpt2guide[{extra}]" not in _top(text):
                problems.append(f"imports {module} (extra {extra!r}): say near the top "
                                f'`pip install "gpt2guide[{extra}] @ git+..."`')
    assert not problems, "\n".join(problems)


def test_the_extra_check_finds_peft() -> None:
    """The check above can fail: peft comes from the `beyond` extra, not from the base install."""
    base, owner = _extra_of()
    assert "peft" not in base and owner.get("peft") == "beyond"
    assert "torch" in base and "transformers" in base


CHECKPOINT_COMMAND = re.compile(r"[^\n`]*pytest[^\n`]*--checkpoint[^\n`]*")
THE_COMMAND = "HF_HUB_OFFLINE=0 pytest docs --checkpoint gpt2"


def _names_a_hub_checkpoint(command: str) -> bool:
    from gpt2guide.checkpoints import HUB_IDS

    named = re.search(r"--checkpoint[ =](\S+)", command)
    return named is None or named.group(1) in HUB_IDS


@pytest.mark.parametrize("path", [*PAGES, ROOT / "README.md", ROOT / "CONTRIBUTING.md"],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_one_real_checkpoint_command(path: Path) -> None:
    """Every command that runs the pages on a hub checkpoint is the same one, and a page that
    shows it says near its top (or in the same note) that it runs in a clone."""
    text = path.read_text(encoding="utf-8")
    # a command naming a hub checkpoint must lift the conftest's offline switch; one naming the
    # reader's own folder (a `gpt2guide train` run, chapter 6) runs offline as it is
    problems = [command.strip() for command in CHECKPOINT_COMMAND.findall(text)
                if not re.search(r"pytest docs --checkpoint \w", command)
                or (_names_a_hub_checkpoint(command) and "HF_HUB_OFFLINE=0" not in command)]
    assert not problems, f"write {THE_COMMAND!r} (the conftest keeps the hub offline): {problems}"
    if path.parent.is_relative_to(DOCS) and THE_COMMAND in text:
        paragraph = next(p for p in re.split(r"\n[ \t]*\n", text) if THE_COMMAND in p)
        assert "clone" in _top(text) or "clone" in paragraph, f"{path.name}: say that it needs a clone"


def test_copied_blocks_follow_the_copy_button_and_the_skips() -> None:
    text = ('<!-- skip: next if(not hub, reason="downloads") -->\n```python\nload("gpt2")\n```\n\n'
            "```python\n>>> x = 1\n>>> x\n1\n```\n\n"
            '<!-- skip: start if(not spawnable, reason="no processes") -->\n```python\nrun()\n```\n'
            "<!-- skip: end -->\n"
            '<!-- skip: next if(not pocket_outputs, reason="pocket") -->\n```python\nshown()\n```\n'
            "<!-- invisible-code-block: python\nhidden = 1\n-->\n")
    assert copied_blocks(text) == ["x = 1\nx\n", "run()\n", "shown()\n"]


# -- the reader's run ---------------------------------------------------------------------------

RUN_PAGES = [p for p in PAGES if p.name.endswith(".en.md")
             and any(not b.invisible for b in pages.code_blocks(p.read_text(encoding="utf-8")))]
# Run as a reader runs them in every run; the others with --heavy (weekly).
SMOKE_PAGES = ("beyond/parallelism.en.md",)


def unbound_names(script: str) -> set[str]:
    """Names the script reads at module level (or as globals inside its functions) that it never
    binds and that are not builtins: what it would need from somewhere else."""
    module = symtable.symtable(script, "<copied>", "exec")
    bound = {s.get_name() for s in module.get_symbols() if s.is_assigned() or s.is_imported()}
    bound |= {t.get_name() for t in module.get_children() if t.get_type() in ("function", "class")}
    needed, tables = set(), [module]
    while tables:
        table = tables.pop()
        tables += table.get_children()
        for symbol in table.get_symbols():
            top = table is module and symbol.is_referenced()
            if top or (table is not module and symbol.is_global() and symbol.is_referenced()):
                needed.add(symbol.get_name())
    return needed - bound - set(dir(builtins))


@pytest.mark.parametrize("path", RUN_PAGES, ids=[p.relative_to(DOCS).as_posix() for p in RUN_PAGES])
def test_a_copied_page_needs_no_hidden_name(path: Path) -> None:
    script = "\n".join(copied_blocks(path.read_text(encoding="utf-8")))
    missing = unbound_names(script)
    assert not missing, (f"{path.name}: the copied code uses {sorted(missing)}, which only the page "
                         "test's namespace or its hidden setup defines: define them in a visible block")


def test_the_hidden_name_check_can_fail() -> None:
    assert unbound_names("x = checkpoint\ndef f():\n    return pocket_outputs + len([y for y in x])\n") == {
        "checkpoint", "pocket_outputs"}
    assert unbound_names("import torch\nclass A: pass\nfor i in range(2): print(torch, A, i)\n") == set()


def _clean_env() -> dict[str, str]:
    """This process's environment without its Python settings (PYTHONPATH, the test venv)."""
    return {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}


@pytest.fixture(scope="session")
def reader_python(tmp_path_factory, built_wheel) -> Path:
    """The Python of a fresh venv with the session's wheel installed with its `beyond` extra."""
    folder = tmp_path_factory.mktemp("reader")
    env = _clean_env()  # no PYTHONPATH: pip would take the checkout's gpt2guide as installed
    started = time.monotonic()
    venv = folder / "venv"
    made = subprocess.run(["python3.11", "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300,
                          env=env)
    assert made.returncode == 0, made.stderr[-3000:]
    python = venv / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "-c", str(ROOT / "constraints.txt"),
                                f"{built_wheel}[beyond]"], capture_output=True, text=True, timeout=1800, env=env)
    assert installed.returncode == 0, installed.stderr[-3000:]
    print(f"\nreader venv: wheel installed with [beyond] in {time.monotonic() - started:.0f} s")
    return python


@pytest.mark.slow
@pytest.mark.parametrize("path", [
    path if path.relative_to(DOCS).as_posix() in SMOKE_PAGES else pytest.param(path, marks=pytest.mark.heavy)
    for path in RUN_PAGES
], ids=[p.relative_to(DOCS).as_posix() for p in RUN_PAGES])
def test_copied_page_runs_as_a_script(path: Path, reader_python: Path, tmp_path: Path) -> None:
    script = tmp_path / f"{path.stem.replace('.', '_').replace('-', '_')}.py"
    script.write_text("\n".join(copied_blocks(path.read_text(encoding="utf-8"))), encoding="utf-8")
    env = {**_clean_env(), "HF_HUB_OFFLINE": "1"}
    started = time.monotonic()
    done = subprocess.run([str(reader_python), script.name], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=900)
    print(f"\n{path.name}: {time.monotonic() - started:.0f} s")
    assert done.returncode == 0, f"{path.name} copied into {script.name} exits {done.returncode}:\n" \
                                 f"{done.stderr[-4000:]}"
