"""The pocket model's held-out text, shipped with the package so that pages can score it offline.

``build_corpus`` holds out the last 2% of each Austen novel's paragraphs (Debian's
``r-cran-janeaustenr``, which may be absent where the tests run). That text, 121,488 characters
and public domain, is ``held_out.txt`` next to this module, written by ``write_held_out`` and
checked on every read against the SHA-256 that the data card (``pocket_card.json``) recorded
when the model was trained.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..constants import POCKET_DIR
from . import corpus

HELD_OUT_FILE = Path(__file__).with_name("held_out.txt")
CARD_NAME = "pocket_card.json"  # the data card, next to the weights it describes
CARD_FILE = POCKET_DIR / CARD_NAME


def card() -> dict:
    """The pocket model's data card: corpus, config, loss history, samples."""
    return json.loads(CARD_FILE.read_text(encoding="utf-8"))


def held_out_text() -> str:
    """The held-out text the pocket model never trained on (novels separated by ``<|endoftext|>``)."""
    text = HELD_OUT_FILE.read_text(encoding="utf-8")
    expected = card()["corpus"]["sha256_held_out_text"]
    if corpus.sha256(text) != expected:
        raise ValueError(f"{HELD_OUT_FILE} is not the held-out text the data card records (SHA-256 {expected}); "
                         "rewrite it with gpt2guide.pocket.held_out.write_held_out()")
    return text


def write_held_out(data_dir: Path | None = None) -> Path:
    """Rebuild ``held_out.txt`` from the Debian package (downloaded when ``data_dir`` is None)."""
    _, text = corpus.build_corpus(data_dir)
    HELD_OUT_FILE.write_text(text, encoding="utf-8", newline="\n")
    held_out_text()  # fails if it is not the text the model was evaluated on
    return HELD_OUT_FILE
