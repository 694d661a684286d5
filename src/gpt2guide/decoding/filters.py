"""Sampling filters: pure ``logits -> logits`` functions, composed in a list in transformers' order.

Each filter reshapes or cuts the next-token distribution and returns new logits; a removed token
gets the logit ``-inf``, so softmax gives it probability 0. ``generate(do_sample=True)`` applies
them in this order (``GenerationMixin._get_logits_processor``): temperature, top-k, top-p, min-p.
So top-p sees the distribution that temperature and top-k already changed, and min-p's threshold is
relative to the top probability *after* temperature.

Each function gives exactly the output of the matching transformers processor
(``TemperatureLogitsWarper``, ``TopKLogitsWarper``, ``TopPLogitsWarper``, ``MinPLogitsWarper``,
with ``min_tokens_to_keep=1``), ties included:

* top-k keeps every token whose logit equals the k-th largest, so it can keep more than k tokens
  ([3, 2, 2, 2, 1] with k=2 keeps four);
* top-p sorts the tokens from least to most probable and drops the longest tail whose total mass is
  at most ``1 - top_p``: a tail of mass exactly ``1 - top_p`` goes, so the kept mass can be exactly
  ``top_p``. Tokens of equal probability are cut one by one in sorted order: of four equally likely
  tokens, ``top_p=0.5`` keeps two and drops two (unlike top-k, ties are not kept together);
* min-p drops the tokens whose probability is below ``min_p`` times the top probability; a token
  exactly at the threshold stays (``min_p=1`` keeps all tokens tied with the top one, ``min_p=0``
  keeps every token).

The settings take the ranges transformers' processors take: temperature > 0, ``top_k`` 0 (off) or
more, ``top_p`` and ``min_p`` in [0, 1].

References: transformers ``generation/logits_process.py``; Holtzman et al. 2019 (top-p, "nucleus");
Nguyen et al. 2024 (min-p). Filters work on the last dimension of any shape: (vocab,) or (batch, vocab).
"""

from __future__ import annotations

from functools import partial

import torch

from ..validation import check_int, check_number

REMOVED = float("-inf")  # the logit of a filtered-out token: probability exp(-inf) = 0


# -- the settings, as generate takes them -----------------------------------------------------------

def _check_temperature(temperature) -> float:
    """A finite number > 0, as ``TemperatureLogitsWarper`` takes it."""
    hint = " (for the most probable token use greedy decoding)" if temperature == 0 else ""
    return check_number(temperature, "temperature", positive=True, why=hint)


def _check_top_k(top_k) -> int:
    """0 (off, as in ``generate``) or a positive number of tokens."""
    return check_int(top_k, "top_k", minimum=0, why=" (0 turns top-k off; K > 0 keeps K tokens)")


def _check_probability(value, argument: str) -> float:
    """A number in [0, 1], the range of ``TopPLogitsWarper`` and ``MinPLogitsWarper``."""
    what = (" (1 keeps every token, 0 only the most probable)" if argument == "top_p" else
            " (0 keeps every token, 1 only those tied with the most probable)")
    return check_number(value, argument, within=(0, 1), why=what)


# -- the kernels: pure logits -> logits, unchecked (sampling_filters checks the settings once) -------

def _apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    return logits / temperature  # (..., vocab); softmax(logits / T): T -> 0 approaches argmax


def _top_k_filter(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    if top_k == 0:
        return logits  # 0 turns the filter off, as in transformers
    k = min(top_k, logits.size(-1))
    kth_largest = logits.topk(k, dim=-1).values[..., -1:]  # (..., 1): the k-th highest logit
    return logits.masked_fill(logits < kth_largest, REMOVED)  # ties with the k-th stay


def _top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    # 1. sort from least to most probable
    sorted_logits, order = logits.sort(dim=-1)  # (..., vocab), ascending
    # 2. tail mass: the probability of each token plus all less probable ones
    tail_mass = sorted_logits.softmax(dim=-1).cumsum(dim=-1)  # (..., vocab), rises to 1
    # 3. drop the tail whose mass is at most 1 - top_p; the most probable token always stays
    drop_sorted = tail_mass <= 1 - top_p  # (..., vocab), in sorted order
    drop_sorted[..., -1] = False
    # 4. back to vocabulary order: position order[i] gets the decision for sorted token i
    drop = drop_sorted.scatter(-1, order, drop_sorted)  # (..., vocab)
    return logits.masked_fill(drop, REMOVED)


def _min_p_filter(logits: torch.Tensor, min_p: float) -> torch.Tensor:
    probs = logits.softmax(dim=-1)  # (..., vocab)
    threshold = min_p * probs.amax(dim=-1, keepdim=True)  # (..., 1): scales with the model's confidence
    return logits.masked_fill(probs < threshold, REMOVED)  # a token exactly at the threshold stays


# -- the filters as the reader calls them: check the setting, then run the kernel --------------------

def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """Divide the logits by ``temperature``: below 1 sharpens the distribution, above 1 flattens it."""
    return _apply_temperature(logits, _check_temperature(temperature))


def top_k_filter(logits: torch.Tensor, top_k: int) -> torch.Tensor:
    """Keep the ``top_k`` highest logits (and every token tied with the k-th); ``top_k=0`` keeps all."""
    return _top_k_filter(logits, _check_top_k(top_k))


def top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """Keep the most probable tokens whose total probability reaches ``top_p`` (nucleus sampling)."""
    return _top_p_filter(logits, _check_probability(top_p, "top_p"))


def min_p_filter(logits: torch.Tensor, min_p: float) -> torch.Tensor:
    """Keep the tokens whose probability is at least ``min_p`` times the top token's probability (0: all)."""
    return _min_p_filter(logits, _check_probability(min_p, "min_p"))


def sampling_filters(*, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                     min_p: float | None = None) -> list:
    """The filters that these settings turn on, in the order ``generate`` applies them.

    The defaults change nothing (temperature 1, top-k off, top-p 1, no min-p; ``min_p=0`` is off
    too, as in ``MinPLogitsWarper``). Unlike ``generate``, which fills an unset ``top_k`` with 50,
    top-k is off unless asked for. Each setting is checked here, once; the list holds the unchecked
    kernels, so a sampling loop does not check again at every step.
    """
    temperature, top_k, top_p = _check_temperature(temperature), _check_top_k(top_k), _check_probability(top_p, "top_p")
    filters = []
    if temperature != 1.0:
        filters.append(partial(_apply_temperature, temperature=temperature))
    if top_k != 0:
        filters.append(partial(_top_k_filter, top_k=top_k))
    if top_p < 1.0:
        filters.append(partial(_top_p_filter, top_p=top_p))
    min_p = None if min_p is None else _check_probability(min_p, "min_p")
    if min_p:  # None and 0 are off
        filters.append(partial(_min_p_filter, min_p=min_p))
    return filters


def apply_filters(logits: torch.Tensor, filters: list) -> torch.Tensor:
    """Run the logits through each filter in turn: (..., vocab) -> (..., vocab)."""
    for keep_some in filters:
        logits = keep_some(logits)
    return logits
