"""Greedy decoding written out twice: the loop a beginner writes, then the loop that reuses the cache.

Greedy decoding appends the most probable next token (argmax of the last position's logits) until
``max_new_tokens`` tokens are added or the end-of-sequence token appears. Both loops return exactly
the ids of ``model.generate(input_ids, do_sample=False, max_new_tokens=...)``.

* ``greedy_naive`` feeds the whole sequence at every step, so step t recomputes the keys and values
  of all earlier positions, which GPT-2 never changes (a causal model: later tokens do not alter
  earlier positions).
* ``greedy_cached`` feeds the prompt once, keeps each layer's keys and values (the cache), and then
  feeds only the newest token; it also asks the head for the last position's logits alone.

References: nanoGPT ``model.py`` (``generate``), minGPT's test against Hugging Face, transformers'
``GenerationMixin._sample``. Batch 1: one prompt of shape (1, seq).
"""

from __future__ import annotations

import torch

from ..validation import check_eos_token_id, check_prompt


@torch.inference_mode()
def greedy_naive(model, input_ids: torch.Tensor, max_new_tokens: int, *, eos_token_id=None) -> torch.Tensor:
    """Greedy decoding that re-runs the whole sequence at every step. Returns (1, seq + new) ids."""
    ids = check_prompt(model, input_ids, max_new_tokens)  # (1, seq)
    eos = check_eos_token_id(model, eos_token_id)
    for _ in range(max_new_tokens):
        # 1. run the model on everything so far, prompt and generated tokens alike
        logits = model(ids).logits  # (1, seq, vocab)
        # 2. the most probable token after the last position
        next_id = logits[:, -1, :].argmax(dim=-1, keepdim=True)  # (1, 1)
        # 3. append it; the next step starts again from the first token
        ids = torch.cat([ids, next_id], dim=1)  # (1, seq + 1)
        if next_id.item() in eos:  # end of sequence: stop, as generate does
            break
    return ids


@torch.inference_mode()
def greedy_cached(model, input_ids: torch.Tensor, max_new_tokens: int, *, eos_token_id=None) -> torch.Tensor:
    """Greedy decoding that feeds each new token once and reuses the key/value cache. Returns (1, seq + new) ids."""
    ids = check_prompt(model, input_ids, max_new_tokens)  # (1, seq)
    eos = check_eos_token_id(model, eos_token_id)
    new_tokens = ids  # what the model has not seen yet: the whole prompt at first
    cache = None  # keys and values of every position seen so far, per layer
    for _ in range(max_new_tokens):
        # 1. run the model on the unseen tokens only; logits_to_keep=1: the head scores the last position alone
        out = model(new_tokens, cache=cache, use_cache=True, logits_to_keep=1)
        cache = out.cache  # now holds keys and values for ids.shape[1] positions
        # 2. the most probable token after the last position
        next_id = out.logits[:, -1, :].argmax(dim=-1, keepdim=True)  # (1, 1)
        # 3. append it; it is the only token the next step feeds
        ids = torch.cat([ids, next_id], dim=1)  # (1, seq + 1)
        new_tokens = next_id  # (1, 1)
        if next_id.item() in eos:  # end of sequence: stop, as generate does
            break
    return ids
