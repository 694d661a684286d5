"""GPT-2's byte-level BPE by hand: pre-tokenize, map bytes to visible characters, merge by rank.

``encode`` does what the tokenizer does, in three steps:

1. Split the text at ``<|endoftext|>`` (a special token is never merged or split), then split each
   stretch with GPT-2's pre-tokenizer regex into pre-tokens: a word with the space before it, a run
   of digits, a run of punctuation, a run of whitespace, or one of the contractions 's 't 're ...
2. Write each pre-token's UTF-8 bytes as characters, one visible character per byte value
   (``bytes_to_unicode``: printable bytes stand for themselves, the others, space 0x20 among them,
   are moved to U+0100 and up, so a space becomes ``Ġ``).
3. Merge: of all adjacent pairs in the word, take the one ranked lowest in ``merges.txt`` (the
   merge learned first), join it wherever it occurs, and repeat until no pair has a rank. Each
   piece left is a vocabulary entry; its id comes from ``vocab.json``.

Where merges come from: ``train_merges`` learns them by hand (count adjacent pairs, weighted by
how often each pre-token occurs; merge the most frequent pair; repeat), and ``library_merges``
with the ``tokenizers`` library's ``BpeTrainer``. Ties are broken as that trainer breaks them:
the pair whose two symbols came first (the 256 byte characters in code-point order, then the
merged symbols in the order they were made).

References: openai/gpt-2 ``src/encoder.py`` (``bytes_to_unicode``, ``bpe``, the regex);
Sennrich et al. (2016), "Neural Machine Translation of Rare Words with Subword Units";
Radford et al. (2019), "Language Models are Unsupervised Multitask Learners", section 2.2;
huggingface/tokenizers ``models/bpe/trainer.rs``.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections import Counter
from dataclasses import dataclass

import regex

from ._table import _table
from .constants import END_OF_TEXT, POCKET_DIR
from .validation import WrongType, WrongValue, check_int, check_text, check_texts

# GPT-2's pre-tokenizer, exactly as in openai/gpt-2 src/encoder.py. \p{L}: any letter (kana and
# kanji too), \p{N}: any digit; `\s+(?!\S)` leaves the last space of a run for the next word.
PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def _merge_pairs(merges: list) -> list[tuple[str, str]]:
    """A tokenizer.json's merges as pairs: tokenizers writes each as ["left", "right"] (older files: "left right")."""
    return [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in merges]


@functools.cache
def bytes_to_unicode() -> dict[int, str]:
    """Byte value -> one visible character. Printable Latin-1 bytes keep their own character;
    the 68 others (controls, space, 0x7f-0xa0, 0xad) get U+0100, U+0101, ... in byte order."""
    kept = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, moved = {}, 0
    for byte in range(256):
        if byte in kept:
            table[byte] = chr(byte)
        else:
            table[byte] = chr(256 + moved)  # 0x20 (space) is the 33rd moved byte: U+0120 "Ġ"
            moved += 1
    return table


def byte_chars(text: str) -> list[str]:
    """The UTF-8 bytes of ``text``, one visible character each: the symbols BPE starts from."""
    table = bytes_to_unicode()
    return [table[b] for b in text.encode("utf-8")]


@dataclass(frozen=True)
class Tables:
    """What BPE needs from a tokenizer: its vocabulary, its merge ranks and its special tokens."""

    vocab: dict  # token string -> id (vocab.json)
    ranks: dict  # (left, right) -> rank: the line of merges.txt, 0 = learned first
    special: tuple  # special tokens, matched before the regex and never merged (<|endoftext|>)


@functools.cache
def _pocket_tables() -> Tables:
    vocab = json.loads((POCKET_DIR / "vocab.json").read_text(encoding="utf-8"))
    lines = (POCKET_DIR / "merges.txt").read_text(encoding="utf-8").splitlines()
    pairs = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")]
    return Tables(vocab, {pair: rank for rank, pair in enumerate(pairs)}, (END_OF_TEXT,))


_TABLES_OF = weakref.WeakKeyDictionary()  # tokenizer -> its Tables, read once


def tables(tokenizer=None) -> Tables:
    """The pocket checkpoint's files (``tokenizer=None``) or a transformers tokenizer's own tables."""
    if tokenizer is None:
        return _pocket_tables()
    if not hasattr(tokenizer, "backend_tokenizer") or not callable(getattr(tokenizer, "get_vocab", None)):
        raise WrongType("tokenizer", "expected a transformers GPT-2 tokenizer (e.g. from gpt2guide.load) or None "
                        f"for the pocket checkpoint's files, got {type(tokenizer).__name__}")
    if tokenizer not in _TABLES_OF:
        model = json.loads(tokenizer.backend_tokenizer.to_str())["model"]
        if model.get("type") != "BPE":
            raise WrongValue("tokenizer", f"its model is {model.get('type')}, not BPE")
        pairs = _merge_pairs(model["merges"])
        special = tuple(t.content for t in tokenizer.added_tokens_decoder.values() if t.special)
        _TABLES_OF[tokenizer] = Tables(tokenizer.get_vocab(), {p: r for r, p in enumerate(pairs)}, special)
    return _TABLES_OF[tokenizer]


def _split_special(text: str, special: tuple) -> list[tuple[str, bool]]:
    """``(stretch, is_special)`` in order: special tokens cut the text before the regex runs."""
    if not special:
        return [(text, False)]
    cut = regex.compile("(" + "|".join(regex.escape(s) for s in sorted(special, key=len, reverse=True)) + ")")
    return [(part, i % 2 == 1) for i, part in enumerate(cut.split(text)) if part]


def pre_tokenize(text: str, *, tokenizer=None) -> list[str]:
    """The pre-tokens of ``text``; a special token is a pre-token of its own."""
    check_text(text)
    out = []
    for part, is_special in _split_special(text, tables(tokenizer).special):
        out.extend([part] if is_special else PATTERN.findall(part))
    return out


@dataclass(frozen=True)
class MergeStep:
    """One step of BPE on one pre-token."""

    pair: tuple  # the two symbols joined, e.g. ("o", "r")
    rank: int  # their line in merges.txt: the lowest rank among the word's pairs
    symbols: tuple  # the word after the step, e.g. ("Ġ", "f", "or", "g", "e", "t")


def _merge(symbols: list[str], pair: tuple) -> list[str]:
    """Join every occurrence of ``pair`` in ``symbols``, left to right."""
    out, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            out.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def _bpe(piece: str, ranks: dict) -> list[MergeStep]:
    symbols, steps = byte_chars(piece), []
    while len(symbols) > 1:
        ranked = [(ranks[p], p) for p in zip(symbols, symbols[1:]) if p in ranks]
        if not ranked:
            break  # no pair of the word was ever merged: these are its tokens
        rank, pair = min(ranked)  # the merge learned first
        symbols = _merge(symbols, pair)
        steps.append(MergeStep(pair, rank, tuple(symbols)))
    return steps


def merge_steps(word: str, *, tokenizer=None) -> list[MergeStep]:
    """The merges BPE applies to one pre-token (e.g. ``" forget"``), in order."""
    pieces = pre_tokenize(check_text(word, "word"), tokenizer=tokenizer)
    if len(pieces) != 1:
        raise WrongValue("word", f"{word!r} is {len(pieces)} pre-tokens {pieces}; pass one of them")
    return _bpe(word, tables(tokenizer).ranks)


def tokens_of(word: str, *, tokenizer=None) -> list[str]:
    """The vocabulary strings one pre-token ends as (its symbols after the last merge)."""
    steps = merge_steps(word, tokenizer=tokenizer)
    return list(steps[-1].symbols) if steps else byte_chars(word)


def format_merge_steps(word: str, *, tokenizer=None) -> str:
    """The merge steps of ``word`` as a table: rank, the pair joined, the word after it.

    Symbols are separated by spaces: a space in the text is always ``Ġ``, never a space."""
    steps = merge_steps(word, tokenizer=tokenizer)
    rows = [("", "", " ".join(byte_chars(word)))]
    rows += [(str(s.rank), " + ".join(s.pair), " ".join(s.symbols)) for s in steps]
    lines = _table([("rank", "merge", "symbols"), *rows], "><<")
    return "\n".join(line.rstrip() for line in lines)


def encode(text: str, *, tokenizer=None) -> list[int]:
    """The token ids of ``text``, by hand: equal to ``tokenizer.encode(text)`` for GPT-2.

    ``tokenizer=None`` reads the pocket checkpoint's ``vocab.json`` and ``merges.txt``; a
    transformers tokenizer lends its own vocabulary and merges instead.
    """
    table = tables(tokenizer)
    ids = []
    for piece in pre_tokenize(text, tokenizer=tokenizer):
        if piece in table.special:
            ids.append(table.vocab[piece])
            continue
        steps = _bpe(piece, table.ranks)
        symbols = steps[-1].symbols if steps else byte_chars(piece)
        ids.extend(table.vocab[s] for s in symbols)
    return ids


# -- where merges come from -----------------------------------------------------------------------


def word_counts(texts) -> Counter:
    """How often each pre-token occurs, each written as its tuple of byte characters."""
    counts = Counter()
    for text in check_texts(texts):
        counts.update(tuple(byte_chars(piece)) for piece in PATTERN.findall(text))
    return counts


def train_merges(texts, n_merges: int) -> list[tuple[str, str]]:
    """Learn ``n_merges`` merges by hand: merge the most frequent adjacent pair, then count again.

    A tie goes to the pair whose symbols came first (the 256 byte characters in code-point order,
    then merged symbols in order of creation), as in the ``tokenizers`` library's ``BpeTrainer``.
    """
    n_merges = check_int(n_merges, "n_merges", minimum=1)
    words = word_counts(texts)
    order = {char: i for i, char in enumerate(sorted(bytes_to_unicode().values()))}
    merges = []
    while len(merges) < n_merges:
        pairs = Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count  # a pre-token seen 5 times counts its pairs 5 times
        if not pairs:
            break  # every pre-token is one symbol: nothing left to merge
        best = max(pairs, key=lambda p: (pairs[p], -order[p[0]], -order[p[1]]))
        merges.append(best)
        order.setdefault(best[0] + best[1], len(order))
        words = Counter({tuple(_merge(list(w), best)): c for w, c in words.items()})
    return merges


def library_merges(texts, n_merges: int) -> list[tuple[str, str]]:
    """The same with ``tokenizers``: a byte-level ``BpeTrainer`` with a vocabulary of 256 + n_merges."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.BPE())
    # GPT-2's pre-tokenizer: the regex above, bytes as visible characters, no space added in front.
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    trainer = trainers.BpeTrainer(vocab_size=256 + check_int(n_merges, "n_merges", minimum=1), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tokenizer.train_from_iterator(check_texts(texts), trainer)
    return _merge_pairs(json.loads(tokenizer.to_str())["model"]["merges"])
