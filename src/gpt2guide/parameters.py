"""Counting a model's parameters, and saying which count is meant.

Two honest answers exist for "how many parameters does GPT-2 have?":
- unique parameters: every tensor once, so the LM head tied to the token embedding counts once
  (nanoGPT's ``get_num_params``; the "124M" of gpt2);
- summed over ``state_dict()``: every listed tensor, so a tied tensor listed under two names counts
  twice (163,037,184 for gpt2 with its head).
All functions work on meta-device skeletons (``gpt2guide.skeleton``): they read shapes, never values.
References: nanoGPT model.py ``get_num_params``; torch ``Module.parameters`` (which skips duplicates).
"""

from __future__ import annotations

from dataclasses import dataclass

from .validation import WrongType


def _check_module(model):
    """A ``torch.nn.Module`` (a model from ``gpt2guide.load`` or ``gpt2guide.skeleton``)."""
    import torch

    if not isinstance(model, torch.nn.Module):
        raise WrongType("model", "expected a torch.nn.Module (e.g. from gpt2guide.load or gpt2guide.skeleton), "
                        f"got {type(model).__name__}")
    return model


@dataclass(frozen=True)
class ParameterRow:
    name: str  # the state_dict key, e.g. "transformer.h.0.attn.c_attn.weight"
    shape: tuple[int, ...]  # the tensor's shape
    numel: int  # number of values in the tensor (the product of ``shape``)


def count_parameters(model) -> int:
    """Unique parameters: each tensor once, tied tensors (LM head = token embedding) counted once."""
    # Module.parameters() yields a shared Parameter only once (remove_duplicate=True).
    return sum(p.numel() for p in _check_module(model).parameters())


def state_dict_numel(model) -> int:
    """Values summed over ``model.state_dict()``: a tied tensor listed under two names counts twice."""
    return sum(t.numel() for t in _check_module(model).state_dict().values())


def parameter_table(model) -> list[ParameterRow]:
    """One row (name, shape, numel) per ``state_dict`` entry, in ``state_dict`` order."""
    return [ParameterRow(name, tuple(t.shape), t.numel()) for name, t in _check_module(model).state_dict().items()]


def tied_parameters(model) -> list[list[str]]:
    """Groups of ``state_dict`` names that hold one and the same tensor (``[]`` when nothing is tied).

    Identity, not storage address, decides: on the meta device every tensor's ``data_ptr()`` is 0.
    """
    groups: dict[int, list[str]] = {}
    for name, tensor in _check_module(model).state_dict(keep_vars=True).items():
        groups.setdefault(id(tensor), []).append(name)
    return [names for names in groups.values() if len(names) > 1]
