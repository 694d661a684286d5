"""The playground's JavaScript (docs/assets/playground/*.js) passes ESLint and is formatted as
Prettier formats it.

Both come from the npm registry at the exact versions of tools/js_lint/package-lock.json,
installed once with `npm ci` into a cache folder named after the lock file's hash
($XDG_CACHE_HOME or ~/.cache, under gpt2guide/js-lint/), so a changed lock installs afresh and
nothing is installed into the clone. The configuration is tools/js_lint/eslint.config.mjs
(copied beside the packages, where its imports resolve) and tools/js_lint/prettier.json.
Without npm the tests fail under CI (CI is set; .ci/run installs Node and npm from Debian) and
are skipped elsewhere. To format after an edit: the command `prettier_command(...)` builds with
"--write" instead of "--check".
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Node runs ESLint and Prettier (seconds): the full run only.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "js_lint"
PLAYGROUND = ROOT / "docs" / "assets" / "playground"
# A sample with what each tool must catch: an unused and an undefined name, a loose comparison
# (ESLint), and a layout Prettier would change (four-space indent, no semicolon).
BAD_SAMPLE = "const unused = 1;\nexport function f(x) {\n    return x == undefinedName\n}\n"


def _cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256((TOOLS / "package-lock.json").read_bytes()).hexdigest()[:16]
    return base / "gpt2guide" / "js-lint" / digest


@pytest.fixture(scope="module")
def tools() -> Path:
    """The folder with node_modules/ (installed by `npm ci` if missing) and eslint.config.mjs."""
    npm = shutil.which("npm")
    if npm is None:
        reason = "npm not found (Debian/Ubuntu: apt-get install nodejs npm)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the JavaScript lint must run (.ci/run installs it)", pytrace=False)
        pytest.skip(reason)
    folder = _cache()
    if not (folder / "node_modules" / ".package-lock.json").is_file():
        folder.parent.mkdir(parents=True, exist_ok=True)
        # Install beside the cache and rename: a run cut short, or two at once, leave no half cache.
        tmp = Path(tempfile.mkdtemp(dir=folder.parent))
        try:
            for name in ("package.json", "package-lock.json"):
                shutil.copy(TOOLS / name, tmp)
            subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=tmp, check=True, capture_output=True, text=True, timeout=600)
            try:
                tmp.rename(folder)
            except OSError:  # another run made it first
                if not (folder / "node_modules").is_dir():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    shutil.copy(TOOLS / "eslint.config.mjs", folder)
    return folder


def eslint_command(tools: Path, files: list[str]) -> list[str]:
    return ["node", str(tools / "node_modules" / "eslint" / "bin" / "eslint.js"),
            "--config", str(tools / "eslint.config.mjs"), "--max-warnings", "0", "--no-warn-ignored", *files]


def prettier_command(tools: Path, files: list[str], mode: str = "--check") -> list[str]:
    return ["node", str(tools / "node_modules" / "prettier" / "bin" / "prettier.cjs"),
            "--config", str(TOOLS / "prettier.json"), mode, *files]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def _playground_files() -> list[str]:
    files = sorted(str(p.relative_to(ROOT)) for p in PLAYGROUND.glob("*.js"))
    assert len(files) >= 15, files  # the playground's modules are found
    return files


def test_eslint_passes(tools: Path) -> None:
    result = _run(eslint_command(tools, _playground_files()), ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prettier_formatted(tools: Path) -> None:
    result = _run(prettier_command(tools, _playground_files()), ROOT)
    assert result.returncode == 0, (
        f"{result.stdout}{result.stderr}\nformat with: node {tools}/node_modules/prettier/bin/prettier.cjs "
        f"--config tools/js_lint/prettier.json --write docs/assets/playground/*.js"
    )


def test_both_can_fail(tools: Path, tmp_path: Path) -> None:
    """On a bad sample ESLint names each problem and Prettier reports the file."""
    (tmp_path / "sample.js").write_text(BAD_SAMPLE, encoding="utf-8")
    linted = _run(eslint_command(tools, ["sample.js"]), tmp_path)
    assert linted.returncode == 1, linted.stdout + linted.stderr
    for rule in ("no-unused-vars", "no-undef", "eqeqeq"):
        assert rule in linted.stdout, linted.stdout
    formatted = _run(prettier_command(tools, ["sample.js"]), tmp_path)
    assert formatted.returncode == 1 and "sample.js" in formatted.stdout + formatted.stderr
