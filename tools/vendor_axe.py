"""Vendor axe-core into tests/vendor/axe-core/ for the accessibility test.

Run from the repository root (needs `npm`, which reaches the npm registry):

    python -m tools.vendor_axe            # the version pinned below
    python -m tools.vendor_axe 4.14.1     # another version

axe-core (Deque Systems, MPL-2.0) is the accessibility engine that most CI suites run. Only
the test injects it, into pages served from 127.0.0.1: the site never loads it. The copy
is committed, as KaTeX's is, so that the tests need neither npm nor the registry.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from tools import npm

AXE_VERSION = "4.14.1"
DEST = Path(__file__).resolve().parent.parent / "tests" / "vendor" / "axe-core"


def vendor(version: str = AXE_VERSION, dest: Path = DEST) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        package, integrity = npm.unpack(f"axe-core@{version}", Path(tmp))
        dest.mkdir(parents=True, exist_ok=True)
        for name in ("axe.min.js", "LICENSE"):
            shutil.copy(package / name, dest / name)
        (dest / "VERSION").write_text(f"axe-core {version} (npm, {integrity})\n", encoding="utf-8")


if __name__ == "__main__":
    vendor(*sys.argv[1:2])
