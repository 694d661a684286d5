"""The next-token distribution: what GPT-2 predicts after a prompt, before any decoding choice.

The model returns one row of logits per position, ``(batch, seq, vocab)``; the row of the last
position scores every candidate for the next token, and softmax turns it into probabilities.
References: nanoGPT ``model.py`` (``generate``: ``logits[:, -1, :]``), the Hugging Face blog
"How to generate text". All functions take one prompt (batch 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .._table import _table
from ..validation import check_ids, check_int, check_text


def encode(tokenizer, text: str) -> torch.Tensor:
    """The token ids of ``text`` as a (1, seq) tensor, the shape every decoding function takes."""
    check_text(text, "prompt")
    return tokenizer(text, return_tensors="pt").input_ids  # (1, seq)


@torch.inference_mode()
def next_token_logits(model, input_ids: torch.Tensor) -> torch.Tensor:
    """The logits of the last position: one score per vocabulary token, shape (vocab,)."""
    check_ids(input_ids, model=model, batch_one=True, length_name="prompt")
    logits = model(input_ids.to(model.device)).logits  # (1, seq, vocab): a prediction after every position
    return logits[0, -1, :].float()  # (vocab,): the prediction after the whole prompt


def next_token_probabilities(model, input_ids: torch.Tensor) -> torch.Tensor:
    """The probability of each vocabulary token coming next, shape (vocab,), summing to 1."""
    logits = next_token_logits(model, input_ids)  # (vocab,)
    return torch.softmax(logits, dim=-1)  # (vocab,): exp(logit) / sum of exp(logits)


@dataclass(frozen=True)
class TokenProbability:
    """One row of the top-k table."""

    token: str  # the token as text (a leading space is part of the token)
    id: int  # its id in the vocabulary
    probability: float  # its probability of coming next


def top_tokens(probabilities: torch.Tensor, tokenizer, k: int = 10) -> list[TokenProbability]:
    """The ``k`` most probable next tokens, most probable first, from a (vocab,) probability vector."""
    check_int(k, "k", minimum=1)
    values, ids = probabilities.topk(min(k, probabilities.numel()))  # (k,), (k,): sorted, largest first
    return [TokenProbability(tokenizer.decode([i]), i, p) for p, i in zip(values.tolist(), ids.tolist())]


def format_top_tokens(rows: list[TokenProbability]) -> str:
    """The top-k table as aligned text: rank, token (quoted, so spaces show), id, probability.

    Probabilities below 0.001 are written in scientific notation, so that they never show as 0.0000.
    """
    cells = [("rank", "token", "id", "probability")]
    for rank, row in enumerate(rows, start=1):
        shown = f"{row.probability:.4f}" if row.probability >= 1e-3 else f"{row.probability:.1e}"
        cells.append((str(rank), repr(row.token), str(row.id), shown))
    return "\n".join(_table(cells, "><><", widths=(4, 16, 6, 0), gaps=("  ", " ", "  ")))
