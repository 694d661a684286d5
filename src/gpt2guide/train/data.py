"""What a run learns from: texts or files read as UTF-8, GPT-2's tokens, a held-out part, batches.

Texts are tokenized one by one with GPT-2's byte-level BPE (the pocket checkpoint's files) and
joined with ``<|endoftext|>``. The held-out part is the end of the data (a fraction of its
characters, cut before tokenizing, so training never reads a character of it) unless one is given.
Token-id sequences (synthetic tasks) skip the tokenizer: equal-length sequences that fit the context
are whole examples, one per row; anything else is one stream. A loss mask of the same shape (ids
only) says which tokens the loss counts as targets, for tasks where only some tokens can be
predicted (the second copy of a repeated sequence). A batch is a set of random windows of the stream
(or random rows), drawn from a ``torch.Generator``, never from torch's global state.
References: nanoGPT's ``get_batch`` (random windows, x and y one token apart) and prepare.py
(the 90/10 split at the end of the text).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import torch

from ..constants import END_OF_TEXT, END_OF_TEXT_ID, POCKET_DIR, VOCAB_SIZE
from ..validation import WrongType, WrongValue, is_int

HELD_OUT_FRACTION = 0.1  # the end of the data held out when no held-out part is given (nanoGPT: 10%)


# -- reading --------------------------------------------------------------------------------------

def read_texts(data, argument: str = "data") -> list[str]:
    """``data`` as a list of texts: a str is a text, a ``Path`` a UTF-8 file; a list may mix both."""
    items = [data] if isinstance(data, (str, Path)) else data
    if not isinstance(items, (list, tuple)) or not items:
        raise WrongType(argument, f"expected a text (str), a file (Path) or a non-empty list of them, got "
                        f"{type(data).__name__}")
    texts = []
    for item in items:
        if isinstance(item, Path):
            texts.append(read_file(item, argument))
        elif isinstance(item, str):
            texts.append(item)
        else:
            raise WrongType(argument, f"expected texts (str) or files (Path), got {type(item).__name__}")
    if not any(texts):
        raise WrongValue(argument, "the text is empty; pass at least some characters of text")
    return texts


def read_file(path: Path, argument: str = "data") -> str:
    """The whole of ``path`` as UTF-8 text (a byte-order mark is dropped); one-line errors otherwise."""
    if not path.exists():
        raise WrongValue(argument, f"no file {path}; check the path")
    if not path.is_file():
        raise WrongValue(argument, f"{path} is not a file (a folder?); pass text files")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise WrongValue(argument, f"cannot read {path} ({error.strerror}); check its permissions") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise WrongValue(argument, f"{path} is not UTF-8 text (byte {error.start}: {error.reason}); "
                         "convert it, e.g. iconv -f SHIFT_JIS -t UTF-8") from None


def split_end(texts: list[str], fraction: float) -> tuple[list[str], list[str]]:
    """``(training texts, held-out texts)``: the last ``fraction`` of the characters is held out."""
    need = max(1, round(sum(map(len, texts)) * fraction))
    train, held = list(texts), []
    while need > 0 and train:
        last = train.pop()
        take = min(need, len(last))
        held.insert(0, last[len(last) - take:])
        if take < len(last):
            train.append(last[:len(last) - take])
        need -= take
    return train, held


# -- tokens ---------------------------------------------------------------------------------------

def gpt2_tokenizer():
    """GPT-2's tokenizer from the pocket checkpoint's files (transformers' ``GPT2Tokenizer``)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(POCKET_DIR)


def tokenize(tokenizer, texts: list[str]) -> torch.Tensor:
    """One stream of ids: each text's tokens, ``<|endoftext|>`` between texts. (n,) int64."""
    backend = tokenizer.backend_tokenizer  # the tokenizers library: no length warning, no special tokens
    ids: list[int] = []
    for index, text in enumerate(texts):
        if index:
            ids.append(END_OF_TEXT_ID)
        ids += backend.encode(text, add_special_tokens=False).ids
    return torch.tensor(ids, dtype=torch.int64)


def sha256_of(texts: list[str]) -> str:
    """SHA-256 of the texts as UTF-8, joined as the stream joins them."""
    return hashlib.sha256(f"\n{END_OF_TEXT}\n".join(texts).encode("utf-8")).hexdigest()


def check_ids(ids, argument: str, vocab_size: int) -> list[torch.Tensor]:
    """Token-id sequences (lists of ints or 1-d integer tensors), each id below ``vocab_size``."""
    if isinstance(ids, torch.Tensor) and ids.dim() == 2:
        ids = list(ids)
    if not isinstance(ids, (list, tuple)) or not ids:
        raise WrongType(argument, "expected a non-empty list of token-id sequences (lists of ints), "
                        f"got {type(ids).__name__}")
    sequences = []
    for sequence in ids:
        if isinstance(sequence, torch.Tensor):
            if sequence.dim() != 1 or sequence.is_floating_point() or sequence.dtype == torch.bool:
                raise WrongType(argument, "each sequence must be a 1-d integer tensor or a list of ints")
            sequence = sequence.to(torch.int64)
        elif isinstance(sequence, (list, tuple)) and all(is_int(i) for i in sequence):
            sequence = torch.tensor(sequence, dtype=torch.int64)
        else:
            raise WrongType(argument, "each sequence must be a list of ints (token ids)")
        if sequence.numel() and (sequence.min() < 0 or sequence.max() >= vocab_size):
            raise WrongValue(argument, f"ids must lie in 0 to {vocab_size - 1} (vocab_size={vocab_size}); "
                             "pass a larger vocab_size")
        sequences.append(sequence)
    if sum(s.numel() for s in sequences) == 0:
        raise WrongValue(argument, "every sequence is empty; pass some token ids")
    return sequences


def ids_sha256(tensor: torch.Tensor, scored: torch.Tensor | None = None) -> str:
    """SHA-256 of the ids as little-endian int64 (then of the loss mask as bytes, if any)."""
    digest = hashlib.sha256(tensor.numpy().astype("<i8").tobytes())
    if scored is not None:
        digest.update(scored.numpy().astype("u1").tobytes())
    return digest.hexdigest()


def check_loss_mask(loss_mask, sequences: list[torch.Tensor]) -> list[torch.Tensor]:
    """Loss masks shaped as the id sequences: lists of bools or 0/1 (or bool tensors), True at the
    tokens the loss counts as targets."""
    if isinstance(loss_mask, torch.Tensor) and loss_mask.dim() == 2:
        loss_mask = list(loss_mask)
    if not isinstance(loss_mask, (list, tuple)) or len(loss_mask) != len(sequences):
        raise WrongType("loss_mask", f"expected one mask per id sequence ({len(sequences)}), lists of True/False "
                        f"or 0/1 shaped as ids, got {type(loss_mask).__name__}")
    masks = []
    for mask, sequence in zip(loss_mask, sequences):
        mask = torch.as_tensor(mask) if isinstance(mask, (list, tuple, torch.Tensor)) else None
        if mask is None or mask.dim() != 1 or mask.is_floating_point() or not ((mask == 0) | (mask == 1)).all():
            raise WrongType("loss_mask", "each mask must be a list of True/False (or 0/1), one per token")
        if mask.numel() != sequence.numel():
            raise WrongValue("loss_mask", f"a mask of {mask.numel()} values for a sequence of {sequence.numel()} "
                             "ids; give one value per token")
        masks.append(mask.to(torch.bool))
    return masks


# -- the prepared data ----------------------------------------------------------------------------

@dataclass
class Data:
    """Training and held-out ids, and how a batch is cut from them."""

    train: torch.Tensor  # (n,) one stream, or (rows, length) whole examples
    held_out: torch.Tensor  # the same layout
    rows: bool  # True: whole examples, one per row
    window: int  # tokens per example: the model reads window - 1 of them and predicts the next of each
    sha256: str  # of the training text (or ids)
    characters: int | None  # training characters (None for ids)
    held_out_characters: int | None
    scored: torch.Tensor | None = None  # with a loss mask: True at the tokens the loss counts, train's shape
    held_out_scored: torch.Tensor | None = None  # the same for held_out

    @property
    def tokens(self) -> int:
        return self.train.numel()

    @property
    def held_out_tokens(self) -> int:
        return self.held_out.numel()

    def batch(self, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``batch_size`` random examples, windows of the stream or rows, and their loss mask (None
        without one). Each (batch, window)."""
        if self.rows:
            index = torch.randint(0, self.train.shape[0], (batch_size,), generator=generator)
        else:
            starts = torch.randint(0, self.train.numel() - self.window + 1, (batch_size,), generator=generator)
            index = starts[:, None] + torch.arange(self.window)
        return self.train[index], None if self.scored is None else self.scored[index]

    def held_out_examples(self, max_tokens: int | None = None) -> list[tuple[torch.Tensor, torch.Tensor | None]]:
        """The held-out part as ``(ids, loss mask or None)`` examples that score each token once (see
        ``scoring_windows``)."""
        def cut(stream):
            return list(stream[:, None]) if self.rows else scoring_windows(stream, self.window)

        ids = cut(self.held_out)
        masks = [None] * len(ids) if self.held_out_scored is None else cut(self.held_out_scored)
        return evenly_spaced(list(zip(ids, masks)), self.window, max_tokens)


def scoring_windows(stream: torch.Tensor, window: int) -> list[torch.Tensor]:
    """Non-overlapping windows of ``stream``, each starting on the last token of the one before, so
    that every token but the first is predicted exactly once. Each (1, length <= window)."""
    examples = [stream[start:start + window][None] for start in range(0, stream.numel() - 1, window - 1)]
    return [e for e in examples if e.shape[1] >= 2]


def evenly_spaced(examples: list, window: int, max_tokens: int | None) -> list:
    """All the examples, or with ``max_tokens`` evenly spaced ones covering about that many tokens."""
    if max_tokens is None or len(examples) * window <= max_tokens:
        return examples
    keep = max(1, max_tokens // window)
    return [examples[round(i * (len(examples) - 1) / max(1, keep - 1))] for i in range(keep)]


def prepare(data, *, ids, held_out, vocab_size: int | None, context: int, tokenizer, loss_mask=None) -> Data:
    """Read, tokenize and split the run's data (see the module docstring); one-line errors."""
    if (data is None) == (ids is None):
        raise WrongValue("data", "pass either text (data=...) or token ids (ids=...), one of them")
    if loss_mask is not None and ids is None:
        raise WrongValue("loss_mask", "a loss mask is for ids= runs; text runs count every token")
    if loss_mask is not None and held_out is not None:
        raise WrongValue("loss_mask", "a loss mask with held_out= is not supported; leave held_out out (the end "
                         "of ids is held out with its mask)")
    if ids is None:
        if vocab_size is not None and vocab_size != VOCAB_SIZE:
            raise WrongValue("vocab_size", f"text always uses GPT-2's {VOCAB_SIZE:,} tokens; vocab_size is for ids= only")
        texts = read_texts(data, "data")
        if held_out is None:
            texts, held_texts = split_end(texts, HELD_OUT_FRACTION)
        else:
            held_texts = read_texts(held_out, "held_out")
        train, held = tokenize(tokenizer, texts), tokenize(tokenizer, held_texts)
        result = Data(train, held, False, context + 1, sha256_of(texts), sum(map(len, texts)),
                      sum(map(len, held_texts)))
        _check_enough(result, "data", context)
        return result
    vocab = VOCAB_SIZE if vocab_size is None else vocab_size
    sequences = check_ids(ids, "ids", vocab)
    masks = None if loss_mask is None else check_loss_mask(loss_mask, sequences)
    held_sequences = None if held_out is None else check_ids(held_out, "held_out", vocab)
    lengths = {s.numel() for s in sequences + (held_sequences or [])}
    rows = len(lengths) == 1 and 2 <= lengths.pop() <= context
    if rows:
        train, scored = torch.stack(sequences), None if masks is None else torch.stack(masks)
        if held_sequences is None:
            n_held = max(1, round(len(sequences) * HELD_OUT_FRACTION))
            if n_held >= len(sequences):
                raise WrongValue("ids", f"{len(sequences)} sequence(s) leave none for training after holding "
                                 "one out; pass more sequences or held_out=")
            cut = train.shape[0] - n_held
        else:
            train, cut = torch.cat([train, torch.stack(held_sequences)]), train.shape[0]
        result = Data(train[:cut], train[cut:], True, train.shape[1], None, None, None)
    else:
        stream, scored = torch.cat(sequences), None if masks is None else torch.cat(masks)
        if held_sequences is None:
            cut = stream.numel() - max(2, round(stream.numel() * HELD_OUT_FRACTION))
        else:
            stream, cut = torch.cat([stream, *held_sequences]), stream.numel()
        result = Data(stream[:cut], stream[cut:], False, context + 1, None, None, None)
        _check_enough(result, "ids", context)
    if scored is not None:
        result.scored, result.held_out_scored = scored[:cut], scored[cut:]
        for part in (result.scored, result.held_out_scored):
            if not part[..., 1:].any():  # a sequence's first token is read, never predicted
                raise WrongValue("loss_mask", "the mask counts no token of the training or the held-out part; "
                                 "mark some tokens True")
    result.sha256 = ids_sha256(result.train, result.scored)
    return result


def _check_enough(data: Data, argument: str, context: int) -> None:
    if data.tokens < data.window:
        raise WrongValue(argument, f"too short: {data.tokens:,} training tokens (after holding out the end) are "
                         f"fewer than one window of {data.window} (context {context} + 1); pass more text or a "
                         "smaller context")
    if data.held_out_tokens < 2:
        raise WrongValue("held_out", f"the held-out part has {data.held_out_tokens} token(s); it needs at least 2 "
                         "(one to read, one to predict); pass more text or a longer held-out part")
