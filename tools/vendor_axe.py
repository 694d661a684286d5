"""Vendor axe-core into tests/vendor/axe-core/ for the accessibility test.

Run from the repository root (needs `npm`, which reaches the npm registry):

    python tools/vendor_axe.py            # the version pinned below
    python tools/vendor_axe.py 4.14.1     # another version

axe-core (Deque Systems, MPL-2.0) is the accessibility engine that most CI suites run. Only
the test injects it, into pages served from 127.0.0.1: the site never loads it. The copy
is committed, as KaTeX's is, so that the tests need neither npm nor the registry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

AXE_VERSION = "4.14.1"
DEST = Path(__file__).resolve().parent.parent / "tests" / "vendor" / "axe-core"


def vendor(version: str = AXE_VERSION, dest: Path = DEST) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        packed = subprocess.run(
            ["npm", "pack", "--json", "--loglevel=error", f"axe-core@{version}"],
            cwd=tmp, check=True, capture_output=True, text=True,
        )
        integrity = json.loads(packed.stdout)[0]["integrity"]
        (tarball,) = Path(tmp).glob("axe-core-*.tgz")
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("axe.min.js", "LICENSE"):
            shutil.copy(package / name, dest / name)
        (dest / "VERSION").write_text(f"axe-core {version} (npm, {integrity})\n", encoding="utf-8")


if __name__ == "__main__":
    vendor(*sys.argv[1:2])
