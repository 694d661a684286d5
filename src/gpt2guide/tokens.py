"""Looking at tokens: ids, the strings the vocabulary stores, and the bytes behind them.

GPT-2's tokenizer works on UTF-8 bytes, not characters. To keep its vocabulary printable, each of
the 256 byte values is stored as one visible character (a space becomes ``Ġ``, a newline ``Ċ``);
``bytes_to_unicode`` is that map. Inverting it gives each token's true bytes, also for tokens that
hold part of a character (a Japanese character is 3 UTF-8 bytes and may be split between tokens).
References: openai/gpt-2 src/encoder.py (``bytes_to_unicode``); transformers' GPT2Tokenizer;
tiktoken's ``decode_single_token_bytes``.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from .validation import check_text


@dataclass(frozen=True)
class TokenRow:
    id: int  # the token's index in the vocabulary (0 .. 50256)
    token: str  # the token as the vocabulary stores it, e.g. "Ġcan" for " can"
    text: str  # its bytes decoded as UTF-8; a partial character shows as "\ufffd" (what decode gives)
    bytes: bytes  # the token's true UTF-8 bytes


@functools.cache
def _byte_decoder() -> dict[str, int]:
    """Visible character -> byte value: the inverse of GPT-2's ``bytes_to_unicode``."""
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    return {char: byte for byte, char in bytes_to_unicode().items()}


def token_bytes(token: str) -> bytes:
    """The UTF-8 bytes of one vocabulary string (special tokens such as ``<|endoftext|>`` are plain text)."""
    decoder = _byte_decoder()
    if all(char in decoder for char in token):
        return bytes(decoder[char] for char in token)
    return token.encode("utf-8")


def _check_tokenizer(tokenizer):
    if not callable(getattr(tokenizer, "convert_ids_to_tokens", None)) or not callable(getattr(tokenizer, "encode", None)):
        raise TypeError(f"tokenizer: expected a transformers tokenizer (e.g. from gpt2guide.load), "
                        f"got {type(tokenizer).__name__}")
    return tokenizer


def token_ids(tokenizer, text: str) -> list[int]:
    """The ids of ``text``, without any token added around it (GPT-2 adds none anyway)."""
    return _check_tokenizer(tokenizer).encode(check_text(text), add_special_tokens=False)


def token_table(tokenizer, text: str) -> list[TokenRow]:
    """One row per token of ``text``: id, stored string, readable text and raw bytes."""
    ids = token_ids(tokenizer, text)
    rows = []
    for token_id, token in zip(ids, tokenizer.convert_ids_to_tokens(ids)):
        raw = token_bytes(token)
        rows.append(TokenRow(token_id, token, raw.decode("utf-8", errors="replace"), raw))
    return rows


def tokens_per_character(tokenizer, text: str) -> float:
    """Tokens divided by characters (Unicode code points) of ``text``."""
    return len(token_ids(tokenizer, text)) / len(text)


def _width(text: str) -> int:
    # Wide (W) and full-width (F) characters such as kana and kanji take two terminal columns.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def format_token_table(rows: list[TokenRow]) -> str:
    """The rows as an aligned plain-text table (text shown as a Python literal, bytes in hex)."""
    header = ("id", "token", "text", "bytes")
    cells = [(str(r.id), r.token, repr(r.text), r.bytes.hex(" ")) for r in rows]
    widths = [max(_width(line[i]) for line in [header, *cells]) for i in range(len(header))]
    lines = []
    for line in [header, *cells]:
        # The id column is right-aligned; the last column needs no padding.
        parts = [_pad(line[0], widths[0], right=True), _pad(line[1], widths[1]), _pad(line[2], widths[2]), line[3]]
        lines.append("  ".join(parts))
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
