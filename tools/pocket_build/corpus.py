"""The pocket model's training corpus: Jane Austen's six novels, read offline.

Debian's ``r-cran-janeaustenr`` package (MIT; the novels themselves are in the public domain)
stores each novel as an R character vector, one printed line per element, in a lazy-load
database (``Rdata.rdx`` index + ``Rdata.rdb`` blobs). No R is needed: the PyPI package ``rdata``
parses R's serialisation format. We join wrapped lines into paragraphs, one paragraph per line,
and put ``<|endoftext|>`` between novels.
"""

from __future__ import annotations

import gzip
import re
import struct
import subprocess
import tempfile
import warnings
import zlib
from pathlib import Path

from gpt2guide.constants import END_OF_TEXT
from gpt2guide.pocket.held_out import HELD_OUT_FILE, held_out_text, sha256  # noqa: F401 (sha256: used by build)
from gpt2guide.validation import WrongValue

DEBIAN_PACKAGE = "r-cran-janeaustenr"
RDATA_DIR = "usr/lib/R/site-library/janeaustenr/data"
NOVELS = ("sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion")


def _parse_r(blob: bytes):
    import rdata

    with warnings.catch_warnings():
        # The blobs carry no RDS/RDA magic header; rdata says so, then parses them fine.
        warnings.simplefilter("ignore", UserWarning)
        return rdata.conversion.convert(rdata.parser.parse_data(blob))


def read_novels(data_dir: Path) -> dict[str, list[str]]:
    """Each novel as its list of printed lines, from an unpacked ``janeaustenr/data`` folder."""
    index = _parse_r(gzip.decompress((data_dir / "Rdata.rdx").read_bytes()))
    database = (data_dir / "Rdata.rdb").read_bytes()
    novels = {}
    for name, (offset, length) in index["variables"].items():
        blob = database[int(offset) : int(offset) + int(length)]
        # Each object: a 4-byte big-endian length, then the zlib-compressed serialisation.
        (size,) = struct.unpack(">I", blob[:4])
        novels[str(name)] = [str(line) for line in _parse_r(zlib.decompress(blob[4:]))]
        if size == 0 or not novels[str(name)]:
            raise WrongValue("data_dir", f"object {name} of {data_dir / 'Rdata.rdb'} is empty; pass janeaustenr's "
                             f"data folder ({RDATA_DIR} of the unpacked package)")
    return novels


def paragraphs(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines into paragraphs (blank lines separate them); drop headings."""
    out, current = [], []
    for line in [*lines, ""]:
        if line.strip():
            current.append(line.strip())
            continue
        if current:
            text = re.sub(r"\s+", " ", " ".join(current)).strip()
            text = text.replace("_", "")  # italics markers of the source
            # Chapter headings and title lines teach the model little but capitals.
            if len(text) > 40 or not re.fullmatch(r"[A-Z0-9 .,:;'\-()]+", text):
                out.append(text)
            current = []
    return out


def download_package(dest: Path) -> Path:
    """``apt-get download`` the Debian package and unpack it; returns the R data folder."""
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(["apt-get", "download", DEBIAN_PACKAGE], cwd=dest, check=True, capture_output=True)
    deb = next(dest.glob(f"{DEBIAN_PACKAGE}_*.deb"))
    subprocess.run(["dpkg", "-x", str(deb), str(dest / "root")], check=True)
    return dest / "root" / RDATA_DIR


def build_corpus(data_dir: Path | None = None, held_out_fraction: float = 0.02) -> tuple[str, str]:
    """The training and held-out text: the last paragraphs of each novel are held out."""
    if data_dir is None:
        data_dir = download_package(Path(tempfile.mkdtemp(prefix="austen-")))
    novels = read_novels(data_dir)
    train, held_out = [], []
    for name in NOVELS:
        paras = paragraphs(novels[name])
        cut = int(len(paras) * (1 - held_out_fraction))
        train.append("\n".join(paras[:cut]))
        held_out.append("\n".join(paras[cut:]))
    separator = f"\n{END_OF_TEXT}"
    return separator.join(train), separator.join(held_out)


def write_held_out(data_dir: Path | None = None) -> Path:
    """Rebuild the package's ``held_out.txt`` from the Debian package (downloaded when ``data_dir`` is None)."""
    _, text = build_corpus(data_dir)
    HELD_OUT_FILE.write_text(text, encoding="utf-8", newline="\n")
    held_out_text()  # fails if it is not the text the model was evaluated on
    return HELD_OUT_FILE
