"""How probable is a continuation? The joint log-probability of its tokens given the prompt.

log p(x_1 .. x_n | prompt) = sum over t of log p(x_t | prompt, x_1 .. x_{t-1}): one forward pass
over prompt + continuation gives every factor, because position i's logits predict token i + 1.
These per-token values are what ``model.compute_transition_scores(..., normalize_logits=True)``
gives for a generated sequence; their sum lets a page compare texts, e.g. show that beam search
found a more probable continuation than greedy decoding.
References: transformers ``GenerationMixin.compute_transition_scores``. Batch 1.
"""

from __future__ import annotations

import torch

from ..validation import check_ids, check_prompt


@torch.inference_mode()
def token_log_probabilities(model, input_ids: torch.Tensor, continuation_ids: torch.Tensor) -> torch.Tensor:
    """log p of each continuation token given everything before it, shape (n,) for a (1, n) continuation."""
    check_ids(continuation_ids, "continuation_ids", model=model, batch_one=True)
    check_prompt(model, input_ids, continuation_ids.shape[1])  # the continuation counts as the new tokens
    n_prompt, n_new = input_ids.shape[1], continuation_ids.shape[1]
    # 1. one pass over prompt + continuation
    ids = torch.cat([input_ids, continuation_ids], dim=1).to(model.device)  # (1, seq + n)
    logits = model(ids).logits.float()  # (1, seq + n, vocab)
    # 2. the positions that predict the continuation: the last prompt token up to the next-to-last token
    predicting = logits[0, n_prompt - 1 : n_prompt - 1 + n_new, :]  # (n, vocab)
    log_probs = torch.log_softmax(predicting, dim=-1)  # (n, vocab)
    # 3. pick the log-probability of the token that actually came
    return log_probs.gather(-1, continuation_ids.to(model.device).reshape(n_new, 1)).squeeze(-1)  # (n,)


def sequence_log_probability(model, input_ids: torch.Tensor, continuation_ids: torch.Tensor) -> float:
    """log p(continuation | prompt): the sum of its tokens' log-probabilities (0 is certain, more negative is rarer)."""
    return token_log_probabilities(model, input_ids, continuation_ids).sum().item()
