"""GPT-2's byte-level BPE tokenizer, rebuilt offline from its ranks.

The openai-whisper source distribution (MIT) ships GPT-2's 50256 BPE ranks as
``whisper/assets/gpt2.tiktoken``. A rank table is all a byte-level BPE needs: transformers'
``TikTokenConverter`` derives the vocabulary and the merges from it. We write them in GPT-2's own
file format (``vocab.json`` + ``merges.txt``) and add ``<|endoftext|>`` as id 50256, so that
``GPT2Tokenizer`` pre-tokenizes with GPT-2's own regex (the converter's default pattern is
a newer one that splits digits into groups of three).
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from gpt2guide.constants import END_OF_TEXT, END_OF_TEXT_ID
WHISPER_SDIST = "openai-whisper==20250625"
RANKS_MEMBER = "whisper/assets/gpt2.tiktoken"


def extract_ranks(sdist: Path, dest: Path) -> Path:
    """Copy ``gpt2.tiktoken`` out of an openai-whisper source archive."""
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith(RANKS_MEMBER))
        dest.write_bytes(archive.extractfile(member).read())
    return dest


def write_tokenizer_files(ranks_file: Path, out_dir: Path) -> None:
    """Write ``vocab.json`` and ``merges.txt`` for GPT-2 from a tiktoken rank file."""
    from transformers.convert_slow_tokenizer import TikTokenConverter

    vocab, merges = TikTokenConverter(vocab_file=str(ranks_file)).extract_vocab_merges_from_model(str(ranks_file))
    vocab[END_OF_TEXT] = len(vocab)  # the last id, as in GPT-2
    if vocab[END_OF_TEXT] != END_OF_TEXT_ID:
        raise ValueError(f"{ranks_file}: {vocab[END_OF_TEXT]} ranks, but GPT-2 has {END_OF_TEXT_ID}; is this gpt2.tiktoken?")
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    lines = ["#version: 0.2"] + [f"{left} {right}" for left, right in merges]
    (out_dir / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
