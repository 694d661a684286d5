"""The wheel holds the library only: no tooling inside, no module of it imports a tooling package,
and its requirements are exactly what its modules import, as ranges."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
TOOLING_PACKAGES = ("matplotlib", "rdata", "tiktoken", "nbformat", "jupytext", "mkdocs")

# Runs in a fresh interpreter: a finder that refuses the tooling packages, then every module of gpt2guide.
IMPORT_EVERY_MODULE = f"""
import importlib, importlib.abc, pkgutil, sys
BLOCKED = {TOOLING_PACKAGES!r}

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is tooling; the library must not import it")

sys.meta_path.insert(0, Refuse())
import gpt2guide
names = [info.name for info in pkgutil.walk_packages(gpt2guide.__path__, "gpt2guide.")]
for name in names:
    importlib.import_module(name)
print(len(names), "modules;", sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED))
"""


def _name(requirement: str) -> str:
    """``"torch>=2.6,<3"`` -> ``"torch"`` (a distribution name, normalized as PEP 503 does)."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group()).lower()


def imported_top_level_names(package: Path) -> set[str]:
    """Every module name a file under ``package`` imports absolutely (``import x.y`` -> ``x``), read from the AST."""
    names = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def imported_distributions(package: Path) -> set[str]:
    """The installed distributions that provide what ``package`` imports, leaving out the standard library."""
    provided_by = importlib.metadata.packages_distributions()  # "yaml" -> ["PyYAML"], ...
    third_party = imported_top_level_names(package) - set(sys.stdlib_module_names) - {"__future__", package.name}
    missing = sorted(name for name in third_party if name not in provided_by)
    assert not missing, f"imported but not installed: {missing}"
    return {_name(dist) for name in third_party for dist in provided_by[name]}


@pytest.mark.slow  # reads every installed package's requirements (not in the quick loop)
def test_the_requirements_are_what_the_library_imports():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert {_name(r) for r in declared} == imported_distributions(ROOT / "src" / "gpt2guide")


def test_the_requirements_are_ranges_the_pins_satisfy():
    """No exact pin in the library (that would replace the reader's torch); constraints.txt's pins fall inside."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    pins = {_name(name): version for name, version in pins.items()}
    for requirement in declared:
        assert "==" not in requirement, requirement
        for bound in re.findall(r"(>=|<)([0-9.]+)", requirement):
            operator, version = bound
            pinned = tuple(int(part) for part in pins[_name(requirement)].split("."))
            limit = tuple(int(part) for part in version.split("."))
            assert pinned >= limit if operator == ">=" else pinned < limit, (requirement, pins[_name(requirement)])


@pytest.mark.slow  # a fresh Python process (not in the quick loop)
def test_the_import_walk_sees_imports():
    """The walk above can fail: it finds a third-party import, and not a relative or standard one."""
    names = imported_top_level_names(ROOT / "src" / "gpt2guide")
    assert {"torch", "transformers", "tokenizers", "regex", "json"} <= names and "validation" not in names
    assert {"torch", "regex"} <= imported_distributions(ROOT / "src" / "gpt2guide")


@pytest.mark.slow  # imports every library module in fresh processes (not in the quick loop)
def test_no_library_module_imports_tooling():
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", IMPORT_EVERY_MODULE], capture_output=True, text=True, timeout=300,
                          cwd=ROOT / "tests", env=env)  # not the repository root: tools/ must not be found there
    assert done.returncode == 0, done.stderr[-3000:]
    count, imported = done.stdout.strip().split(" modules; ")
    assert int(count) > 20 and imported == "[]"


def test_the_refusing_finder_can_fail():
    """The check above really refuses: a module that imports matplotlib fails under it."""
    code = IMPORT_EVERY_MODULE.replace("import gpt2guide\n", "import matplotlib\nimport gpt2guide\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "matplotlib is tooling" in done.stderr


@pytest.mark.slow
def test_the_wheel_holds_the_library_only(built_wheel):
    wheel = built_wheel  # one build per session (tests/conftest.py), also installed by test_reader_copy
    files = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in files if not name.split("/")[0].endswith(".dist-info")}
    assert packages == {"gpt2guide"}, packages  # no tools/, no site_hooks/, no tests/
    assert "gpt2guide/pocket/checkpoint/model.safetensors" in files and "gpt2guide/pocket/held_out.txt" in files
    for gone in ("gpt2guide/figures/", "gpt2guide/notebooks.py", "gpt2guide/pocket/build.py",
                 "gpt2guide/pocket/corpus.py", "gpt2guide/pocket/tokenizer.py", "gpt2guide/commands/figures.py"):
        assert not any(name.startswith(gone) for name in files), gone
    assert {"gpt2guide/cli.py", "gpt2guide/validation.py", "gpt2guide/decoding/beam.py"} <= set(files)
    # the wheel's requirements are pyproject's ranges (what the library imports, checked above)
    (metadata,) = [name for name in files if name.endswith(".dist-info/METADATA")]
    required = [line.split(": ", 1)[1] for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist: ") and "extra ==" not in line]
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert {str(Requirement(r)) for r in required} == {str(Requirement(r)) for r in declared}
    # the version is written once, as gpt2guide.__version__ (pyproject reads it: dynamic = ["version"])
    import gpt2guide

    assert f"Version: {gpt2guide.__version__}" in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
