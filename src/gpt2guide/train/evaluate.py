"""What a run measures: the language-model loss, the held-out loss, bits per character, samples.

The loss of a window is the mean cross-entropy of predicting each of its tokens from those before
(the window's first token is read, never predicted). The held-out loss scores every held-out token
once, in non-overlapping windows; ``bits_per_character`` turns it into a measure that compares
models with different tokenizers: loss per token x tokens / characters / ln 2. The samples are the
model's continuation of a fixed prompt, greedy and one seeded draw, so the reader sees the text
improve from one evaluation to the next.
References: nanoGPT's ``estimate_loss``; Graves (2013) and the enwik8/text8 literature (bits per
character); ``gpt2guide.decoding`` (greedy_cached, sample).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def lm_loss(model, batch: torch.Tensor) -> torch.Tensor:
    """Mean loss of predicting ``batch[:, 1:]`` from the tokens before. batch (batch, window)."""
    inputs, targets = batch[:, :-1], batch[:, 1:]  # (batch, window - 1) each
    logits = model(input_ids=inputs).logits  # (batch, window - 1, vocab)
    return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())


@torch.no_grad()
def held_out_loss(model, examples: list[torch.Tensor], device, batch_size: int = 16) -> float:
    """Mean loss per predicted token over the examples (each (1, length)), in batches of equal length."""
    total, count = 0.0, 0
    by_length: dict[int, list[torch.Tensor]] = {}
    for example in examples:
        by_length.setdefault(example.shape[1], []).append(example)
    for group in by_length.values():
        for start in range(0, len(group), batch_size):
            batch = torch.cat(group[start:start + batch_size]).to(device)  # (batch, length)
            n = batch.shape[0] * (batch.shape[1] - 1)
            total += lm_loss(model, batch).item() * n
            count += n
    return total / count


def bits_per_character(loss_per_token: float, tokens: int, characters: int | None) -> float | None:
    """Held-out bits per character (None without characters, e.g. for token-id data)."""
    if not characters:
        return None
    return loss_per_token * tokens / characters / math.log(2)


@torch.no_grad()
def samples(model, prompt_ids: torch.Tensor, max_new_tokens: int, seed: int) -> tuple[list[int], list[int]]:
    """``(greedy ids, sampled ids)`` after the prompt: greedy decoding and one draw at temperature 1
    from a generator seeded with ``seed`` (torch's global random state is never touched)."""
    from ..decoding import greedy_cached, sample

    prompt_ids = prompt_ids.to(model.device)  # (1, prompt)
    n = prompt_ids.shape[1]
    greedy = greedy_cached(model, prompt_ids, max_new_tokens, eos_token_id=[])
    drawn = sample(model, prompt_ids, max_new_tokens, seed=seed, eos_token_id=[])
    return greedy[0, n:].tolist(), drawn[0, n:].tolist()
