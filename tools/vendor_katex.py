"""Vendor KaTeX into docs/assets/katex/ so the site renders math offline.

Run from the repository root (needs `npm`, which reaches the npm registry):

    python -m tools.vendor_katex            # the version pinned below
    python -m tools.vendor_katex 0.19.1     # another version

Only what the site loads is copied: katex.min.js, katex.min.css, the auto-render
extension and the woff2 fonts (every browser the theme supports reads woff2, so the
stylesheet is rewritten to name woff2 only and no font URL points at a missing file).
A maintainer command, not an mkdocs hook (those are the files of site_hooks/ that mkdocs.yml lists).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from tools import npm

KATEX_VERSION = "0.19.1"
DEST = Path(__file__).resolve().parent.parent / "docs" / "assets" / "katex"
# url(fonts/X.woff2) format("woff2"),url(fonts/X.woff) format("woff"),url(fonts/X.ttf) format("truetype")
_FALLBACK_FONTS = re.compile(r',url\(fonts/[^)]+\.(?:woff|ttf)\) format\("(?:woff|truetype)"\)')


def vendor(version: str = KATEX_VERSION, dest: Path = DEST) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        package, integrity = npm.unpack(f"katex@{version}", Path(tmp))
        dist = package / "dist"
        if dest.exists():
            shutil.rmtree(dest)
        (dest / "fonts").mkdir(parents=True)
        (dest / "contrib").mkdir()
        shutil.copy(dist / "katex.min.js", dest / "katex.min.js")
        shutil.copy(dist / "contrib" / "auto-render.min.js", dest / "contrib" / "auto-render.min.js")
        css = (dist / "katex.min.css").read_text(encoding="utf-8")
        css, count = _FALLBACK_FONTS.subn("", css)
        if count == 0 or re.search(r"\.(?:woff|ttf)\)", css):
            raise SystemExit("katex.min.css no longer has the expected @font-face layout; check it")
        (dest / "katex.min.css").write_text(css, encoding="utf-8")
        for font in sorted((dist / "fonts").glob("*.woff2")):
            shutil.copy(font, dest / "fonts" / font.name)
        shutil.copy(package / "LICENSE", dest / "LICENSE")
        (dest / "VERSION").write_text(f"katex {version} (npm, {integrity})\n", encoding="utf-8")


if __name__ == "__main__":
    vendor(*sys.argv[1:2])
