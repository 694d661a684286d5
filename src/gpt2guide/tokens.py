"""Looking at tokens: ids, the strings the vocabulary stores, and the bytes behind them.

GPT-2's tokenizer works on UTF-8 bytes, not characters. To keep its vocabulary printable, each of
the 256 byte values is stored as one visible character (a space becomes ``Ġ``, a newline ``Ċ``);
``bytes_to_unicode`` is that map. Inverting it gives each token's true bytes, also for tokens that
hold part of a character (a Japanese character is 3 UTF-8 bytes and may be split between tokens).
``gpt2_tokenizer`` builds the same tokenizer on the ``tokenizers`` library alone, from a
checkpoint's ``vocab.json`` and ``merges.txt``: the same ids, without importing torch or
transformers (the CLI's ``gpt2guide tokens`` uses it to answer at once). Every function here takes
either kind of tokenizer.
References: openai/gpt-2 src/encoder.py (``bytes_to_unicode``); transformers' GPT2Tokenizer;
tiktoken's ``decode_single_token_bytes``; huggingface/tokenizers ``ByteLevel``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from ._table import _table, display_width
from .bpe import bytes_to_unicode
from .constants import END_OF_TEXT, POCKET_DIR
from .validation import WrongType, WrongValue, check_text


@dataclass(frozen=True)
class TokenRow:
    id: int  # the token's index in the vocabulary (0 .. 50256)
    token: str  # the token as the vocabulary stores it, e.g. "Ġcan" for " can"
    text: str  # its bytes decoded as UTF-8; a partial character shows as "\ufffd" (what decode gives)
    bytes: bytes  # the token's true UTF-8 bytes


@functools.cache
def _byte_decoder() -> dict[str, int]:
    """Visible character -> byte value: the inverse of GPT-2's ``bytes_to_unicode``."""
    return {char: byte for byte, char in bytes_to_unicode().items()}


def token_bytes(token: str) -> bytes:
    """The UTF-8 bytes of one vocabulary string (special tokens such as ``<|endoftext|>`` are plain text)."""
    decoder = _byte_decoder()
    if all(char in decoder for char in token):
        return bytes(decoder[char] for char in token)
    return token.encode("utf-8")


def gpt2_tokenizer(folder: str | Path = POCKET_DIR):
    """GPT-2's tokenizer as a ``tokenizers.Tokenizer``, read from ``folder``'s vocab.json and merges.txt.

    GPT-2's pipeline: byte-level pre-tokenizer with GPT-2's regex and no space added in front
    (``add_prefix_space=False``), the BPE merges, and ``<|endoftext|>`` as a special token
    matched before anything else; the same ids as transformers' ``GPT2Tokenizer``.
    """
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    folder = Path(folder)
    vocab, merges = folder / "vocab.json", folder / "merges.txt"
    if not (vocab.is_file() and merges.is_file()):
        raise WrongValue("folder", f"{folder} holds no vocab.json and merges.txt; pass a GPT-2 checkpoint folder")
    tokenizer = Tokenizer(models.BPE.from_file(str(vocab), str(merges)))
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.add_special_tokens([AddedToken(END_OF_TEXT, special=True, normalized=False)])
    return tokenizer


def _check_tokenizer(tokenizer):
    """A transformers tokenizer, or a ``tokenizers.Tokenizer`` (see ``gpt2_tokenizer``)."""
    from tokenizers import Tokenizer

    if isinstance(tokenizer, Tokenizer):
        return tokenizer
    if not callable(getattr(tokenizer, "convert_ids_to_tokens", None)) or not callable(getattr(tokenizer, "encode", None)):
        raise WrongType("tokenizer", "expected a transformers tokenizer (e.g. from gpt2guide.load) or a "
                        f"tokenizers.Tokenizer, got {type(tokenizer).__name__}")
    return tokenizer


def _ids_and_tokens(tokenizer, text: str) -> tuple[list[int], list[str]]:
    """The ids of ``text`` and the vocabulary strings behind them, from either kind of tokenizer."""
    from tokenizers import Tokenizer

    tokenizer, text = _check_tokenizer(tokenizer), check_text(text)
    if isinstance(tokenizer, Tokenizer):
        encoding = tokenizer.encode(text, add_special_tokens=False)
        return encoding.ids, encoding.tokens
    ids = tokenizer.encode(text, add_special_tokens=False)  # GPT-2 adds no token around a text anyway
    return ids, tokenizer.convert_ids_to_tokens(ids)


def token_ids(tokenizer, text: str) -> list[int]:
    """The ids of ``text``, without any token added around it (GPT-2 adds none anyway)."""
    return _ids_and_tokens(tokenizer, text)[0]


def token_table(tokenizer, text: str) -> list[TokenRow]:
    """One row per token of ``text``: id, stored string, readable text and raw bytes."""
    ids, tokens = _ids_and_tokens(tokenizer, text)
    rows = []
    for token_id, token in zip(ids, tokens):
        raw = token_bytes(token)
        rows.append(TokenRow(token_id, token, raw.decode("utf-8", errors="replace"), raw))
    return rows


def tokens_per_character(tokenizer, text: str) -> float:
    """Tokens divided by characters (Unicode code points) of ``text``."""
    return len(token_ids(tokenizer, text)) / len(text)


def format_token_table(rows: list[TokenRow]) -> str:
    """The rows as an aligned plain-text table (text shown as a Python literal, bytes in hex)."""
    header = ("id", "token", "text", "bytes")
    cells = [header, *((str(r.id), r.token, repr(r.text), r.bytes.hex(" ")) for r in rows)]
    widths = [max(display_width(line[i]) for line in cells) for i in range(len(header))]
    # The id column is right-aligned; kana and kanji take two columns.
    lines = _table(cells, "><<<", widths=widths, width=display_width)
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
