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

from .head_loss import IGNORE, head_loss_sum


def lm_loss(model, batch: torch.Tensor, scored: torch.Tensor | None = None) -> torch.Tensor:
    """Mean loss of predicting ``batch[:, 1:]`` from the tokens before; with ``scored`` (a loss
    mask, batch's shape), of the targets it marks only. batch (batch, window)."""
    total, count = loss_sum(model, batch, scored)
    return total / max(count, 1)  # a batch with no marked target: 0, no gradient


def loss_sum(model, batch: torch.Tensor, scored: torch.Tensor | None = None) -> tuple[torch.Tensor, int]:
    """``(summed loss, number of targets)`` of the batch's counted targets (see ``lm_loss``).

    The head and its cross-entropy go through ``head_loss_sum``, a slice of tokens at a time: the
    same loss and gradients as ``F.cross_entropy`` of the model's logits, without writing the whole
    batch's logits (tests/test_head_loss.py)."""
    inputs, targets = batch[:, :-1], batch[:, 1:]  # (batch, window - 1) each
    if scored is not None:
        targets = targets.masked_fill(~scored[:, 1:], IGNORE)
    # Through the model's own forward (so DDP sees the call): the hidden states after ln_f, the last
    # of hidden_states; logits for the last position only, which the loss does not use.
    out = model(input_ids=inputs, output_hidden_states=True, logits_to_keep=1, use_cache=False)
    hidden = out.hidden_states[-1]  # (batch, window - 1, width)
    head = _unwrapped(model).lm_head.weight  # (vocab, width), tied to wte
    total = head_loss_sum(hidden.flatten(0, 1), head, targets.flatten())
    return total, int((targets != IGNORE).sum())


def _unwrapped(model):
    """The GPT2LMHeadModel inside a DistributedDataParallel wrapper, or the model itself."""
    return getattr(model, "module", model)


@torch.no_grad()
def held_out_loss(model, examples: list, device, batch_size: int = 16) -> float:
    """Mean loss per predicted token over the examples (``(ids, loss mask or None)``, each (1,
    length)), in batches of equal length."""
    total, count = 0.0, 0
    by_length: dict[int, list] = {}
    for example in examples:
        by_length.setdefault(example[0].shape[1], []).append(example)
    for group in by_length.values():
        for start in range(0, len(group), batch_size):
            ids, masks = zip(*group[start:start + batch_size])
            scored = None if masks[0] is None else torch.cat(masks).to(device)
            part, n = loss_sum(model, torch.cat(ids).to(device), scored)  # (batch, length) in
            total, count = total + part.item(), count + n
    return total / max(count, 1)


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
