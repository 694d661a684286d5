"""The wheel holds the library only: no tooling inside, and no module of it imports a tooling package."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

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
def test_the_wheel_holds_the_library_only(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = tmp_path.glob("gpt2guide-*.whl")
    files = zipfile.ZipFile(wheel).namelist()
    packages = {name.split("/")[0] for name in files if not name.split("/")[0].endswith(".dist-info")}
    assert packages == {"gpt2guide"}, packages  # no tools/, no site_hooks/, no tests/
    assert "gpt2guide/pocket/checkpoint/model.safetensors" in files and "gpt2guide/pocket/held_out.txt" in files
    for gone in ("gpt2guide/figures/", "gpt2guide/notebooks.py", "gpt2guide/pocket/build.py",
                 "gpt2guide/pocket/corpus.py", "gpt2guide/pocket/tokenizer.py", "gpt2guide/commands/figures.py"):
        assert not any(name.startswith(gone) for name in files), gone
    assert {"gpt2guide/cli.py", "gpt2guide/validation.py", "gpt2guide/decoding/beam.py"} <= set(files)
