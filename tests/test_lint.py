"""ruff (configured in pyproject.toml) finds nothing in the code: the library, the tests, the tools and the hooks."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["src", "tests", "tools", "site_hooks", "conftest.py", "benchmarks"]


def ruff() -> str:
    """The ruff next to this Python (the test extra installs it), else the one on PATH."""
    here = Path(sys.executable).with_name("ruff")
    return str(here) if here.is_file() else shutil.which("ruff") or "ruff"


def test_ruff_finds_nothing():
    done = subprocess.run([ruff(), "check", "--no-cache", *CHECKED], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def test_ruff_can_fail(tmp_path):
    """The same command fails on an unused import: the configuration really checks something."""
    (tmp_path / "bad.py").write_text("import os\n")
    done = subprocess.run([ruff(), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), "bad.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "F401" in done.stdout
