"""The pocket model's held-out text, shipped with the package so that pages can score it offline.

The pocket build (``tools/pocket_build/corpus.py``) holds out the last 2% of each Austen novel's
paragraphs (Debian's ``r-cran-janeaustenr``, which may be absent where the tests run). That text,
121,488 characters and public domain, is ``held_out.txt`` next to this module, written by
``tools.pocket_build.corpus.write_held_out`` and checked on the first read against the SHA-256
that the data card (``pocket_card.json``) recorded when the model was trained.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

from ..constants import POCKET_DIR
from ..validation import WrongValue

HELD_OUT_FILE = Path(__file__).with_name("held_out.txt")
CARD_NAME = "pocket_card.json"  # the data card, next to the weights it describes
CARD_FILE = POCKET_DIR / CARD_NAME


def sha256(text: str) -> str:
    """The SHA-256 of a text's UTF-8 bytes, as the data card records it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def card() -> dict:
    """The pocket model's data card: corpus, config, loss history, samples."""
    return json.loads(CARD_FILE.read_text(encoding="utf-8"))


@functools.cache  # read and hashed once per process (121 kB); a str cannot be changed by the caller
def held_out_text() -> str:
    """The held-out text the pocket model never trained on (novels separated by ``<|endoftext|>``)."""
    text = HELD_OUT_FILE.read_text(encoding="utf-8")
    expected = card()["corpus"]["sha256_held_out_text"]
    if sha256(text) != expected:
        raise WrongValue(HELD_OUT_FILE.name, f"{HELD_OUT_FILE} is not the held-out text the data card records "
                         f"(SHA-256 {expected}); rewrite it with tools.pocket_build.corpus.write_held_out()")
    return text
