"""Packages from the npm registry, fetched with ``npm pack`` (the only client this project uses
for them): KaTeX for the site, axe-core for the accessibility test, GPT-2's encoder files for the
pocket tokenizer."""

from __future__ import annotations

import json
import subprocess
import tarfile
from pathlib import Path


def pack(spec: str, folder: Path) -> tuple[Path, str]:
    """``npm pack SPEC`` (e.g. "katex@0.19.1") into ``folder``: the tarball and its integrity
    (the registry's sha512, as package-lock files record it)."""
    packed = subprocess.run(
        ["npm", "pack", "--json", "--loglevel=error", "--pack-destination", str(folder), spec],
        check=True, capture_output=True, text=True,
    )
    (entry,) = json.loads(packed.stdout)
    return Path(folder) / entry["filename"], entry["integrity"]


def unpack(spec: str, folder: Path) -> tuple[Path, str]:
    """``pack``, then extract: the package's folder (``folder/package``) and its integrity."""
    tarball, integrity = pack(spec, folder)
    with tarfile.open(tarball) as tar:
        tar.extractall(folder, filter="data")
    return Path(folder) / "package", integrity
