"""Sampling: draw each next token at random from the filtered next-token distribution.

One step: logits of the last position -> filters (temperature, top-k, top-p, min-p, in that order)
-> softmax -> one random draw. With the same seed (or a ``torch.Generator`` in the same state) the
draws repeat exactly. ``sample`` gives the ids of ``generate(do_sample=True, ...)`` with the same
settings after ``torch.manual_seed(seed)``, provided ``generate`` gets ``top_k=0`` when top-k is off
(left unset, ``generate`` applies top-k 50).
References: transformers ``GenerationMixin._sample``; the Hugging Face blog "How to generate text".
Batch 1: one prompt of shape (1, seq).
"""

from __future__ import annotations

import torch

from ..validation import WrongType, WrongValue, check_eos_token_id, check_int, check_prompt
from .filters import apply_filters, sampling_filters


def make_generator(seed: int | None, generator: torch.Generator | None, device) -> torch.Generator | None:
    """The random source: a new generator from ``seed``, the given one, or None (torch's global one)."""
    if seed is not None and generator is not None:
        raise WrongValue("seed", "pass either seed or generator, not both")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise WrongType("generator", f"expected a torch.Generator, got {type(generator).__name__}")
    if seed is not None:
        check_int(seed, "seed", minimum=0, what="an int >= 0")
    if generator is not None or seed is None:
        return generator
    return torch.Generator(device=device).manual_seed(int(seed))


def sample_next_token(logits: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Draw one token per row with probability softmax(logits): (batch, vocab) -> (batch, 1)."""
    probs = torch.softmax(logits, dim=-1)  # (batch, vocab); filtered-out tokens have probability 0
    return torch.multinomial(probs, num_samples=1, generator=generator)  # (batch, 1)


@torch.inference_mode()  # the filters it runs on every step were checked once, by sampling_filters
def sample(model, input_ids: torch.Tensor, max_new_tokens: int, *, temperature: float = 1.0, top_k: int = 0,
           top_p: float = 1.0, min_p: float | None = None, seed: int | None = None,
           generator: torch.Generator | None = None, eos_token_id=None) -> torch.Tensor:
    """Sample up to ``max_new_tokens`` tokens after the prompt. Returns (1, seq + new) ids.

    ``seed`` makes a fresh generator, ``generator`` continues one; with neither, torch's global
    random state is used (as ``generate`` does). Top-k is off by default (``top_k=0``).
    """
    ids = check_prompt(model, input_ids, max_new_tokens)  # (1, seq)
    filters = sampling_filters(temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
    generator = make_generator(seed, generator, model.device)
    eos = check_eos_token_id(model, eos_token_id)
    new_tokens, cache = ids, None
    for _ in range(max_new_tokens):
        # 1. logits of the last position, reusing the cache as in greedy_cached
        out = model(new_tokens, cache=cache, use_cache=True, logits_to_keep=1)
        cache = out.cache
        logits = out.logits[:, -1, :].float()  # (1, vocab)
        # 2. reshape and cut the distribution: temperature, top-k, top-p, min-p
        logits = apply_filters(logits, filters)  # (1, vocab)
        # 3. draw the next token from what is left
        next_id = sample_next_token(logits, generator)  # (1, 1)
        ids = torch.cat([ids, next_id], dim=1)  # (1, seq + 1)
        new_tokens = next_id
        if next_id.item() in eos:  # end of sequence: stop, as generate does
            break
    return ids
