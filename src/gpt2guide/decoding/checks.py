"""Argument checks for decoding: each bad value is one ``ValueError`` (or ``TypeError``) that names
the argument and says how to fix the call, checked on entry as transformers' logits processors do.
"""

from __future__ import annotations

import math
import numbers

import torch

from ..validation import check_context_length


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_input_ids(input_ids, argument: str = "input_ids") -> torch.Tensor:
    """A (1, seq) tensor of token ids with seq >= 1 (the functions here decode one prompt at a time)."""
    if not isinstance(input_ids, torch.Tensor):
        raise TypeError(f"{argument}: expected a tensor of token ids of shape (1, seq), got {type(input_ids).__name__}; "
                        "encode the text first, e.g. encode(tokenizer, text)")
    if input_ids.dim() != 2 or input_ids.shape[0] != 1:
        raise ValueError(f"{argument}: expected shape (1, seq) (one prompt, batch 1), got {tuple(input_ids.shape)}")
    if input_ids.shape[1] == 0:
        raise ValueError(f"{argument}: the prompt is empty; pass at least one token")
    if input_ids.is_floating_point() or input_ids.dtype == torch.bool:
        raise TypeError(f"{argument}: token ids must be integers, got dtype {input_ids.dtype}")
    return input_ids


def check_max_new_tokens(max_new_tokens) -> int:
    if not _is_int(max_new_tokens):
        raise TypeError(f"max_new_tokens: expected an int, got {max_new_tokens!r}")
    if max_new_tokens < 0:
        raise ValueError(f"max_new_tokens: must be 0 or more, got {max_new_tokens}")
    return int(max_new_tokens)


def check_fits_context(model, n_prompt: int, max_new_tokens: int) -> None:
    """The prompt plus the new tokens must fit the model's context (``n_positions``)."""
    check_context_length(model, n_prompt, "prompt")  # the prompt alone first: no new token can help
    context = model.config.n_positions
    if n_prompt + max_new_tokens > context:
        raise ValueError(
            f"max_new_tokens: {n_prompt} prompt tokens + {max_new_tokens} new tokens = {n_prompt + max_new_tokens}, "
            f"beyond the model's context of {context} tokens; ask for at most {max(context - n_prompt, 0)} new tokens "
            "or shorten the prompt")


def check_temperature(temperature) -> float:
    if not _is_real(temperature):
        raise TypeError(f"temperature: expected a number, got {temperature!r}")
    if not math.isfinite(temperature) or temperature <= 0:
        hint = " (for the most probable token use greedy decoding)" if temperature == 0 else ""
        raise ValueError(f"temperature: must be a finite number > 0, got {temperature}{hint}")
    return float(temperature)


def check_top_k(top_k) -> int:
    if not _is_int(top_k):
        raise TypeError(f"top_k: expected an int, got {top_k!r}")
    if top_k < 0:
        raise ValueError(f"top_k: must be 0 (off) or a positive number of tokens, got {top_k}")
    return int(top_k)


def check_probability(value, argument: str) -> float:
    """A number in (0, 1], for ``top_p`` and ``min_p``."""
    if not _is_real(value):
        raise TypeError(f"{argument}: expected a number in (0, 1], got {value!r}")
    if not (0 < value <= 1):  # also rejects nan
        raise ValueError(f"{argument}: must be in (0, 1] (1 keeps every token), got {value}")
    return float(value)


def check_num_beams(num_beams) -> int:
    if not _is_int(num_beams):
        raise TypeError(f"num_beams: expected an int, got {num_beams!r}")
    if num_beams < 1:
        raise ValueError(f"num_beams: must be at least 1 (1 is greedy decoding), got {num_beams}")
    return int(num_beams)


def check_length_penalty(length_penalty) -> float:
    if not _is_real(length_penalty) or not math.isfinite(length_penalty):
        raise ValueError(f"length_penalty: must be a finite number (1.0 is the default), got {length_penalty!r}")
    return float(length_penalty)


def check_early_stopping(early_stopping):
    if early_stopping not in (True, False, "never") or not isinstance(early_stopping, (bool, str)):
        raise ValueError(f"early_stopping: must be True, False or 'never', got {early_stopping!r}")
    return early_stopping


def make_generator(seed, generator, device) -> torch.Generator | None:
    """The random source of sampling: a new generator from ``seed``, the given one, or None (torch's global one)."""
    if seed is not None and generator is not None:
        raise ValueError("seed: pass either seed or generator, not both")
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise TypeError(f"generator: expected a torch.Generator, got {type(generator).__name__}")
        return generator
    if seed is None:
        return None
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed: must be an int >= 0, got {seed!r}")
    return torch.Generator(device=device).manual_seed(int(seed))
