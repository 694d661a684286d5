"""LoRA factors between PEFT's layout and the row-vector convention of the pages.

The LoRA page writes the update as ``x A B`` with ``A`` (d_in, r) and ``B`` (r, d_out), the
way GPT-2's ``Conv1D`` multiplies row vectors. PEFT keeps ``A`` and ``B`` as
``torch.nn.Linear`` layers (``lora_A``, ``lora_B``), whose weights are stored (out, in): so
``lora_A.weight`` is ``A`` transposed and ``lora_B.weight`` is ``B`` transposed. These two
helpers move the factors across, so a hand-written adapter and PEFT's can hold the same ones.
References: Hu et al. 2021, "LoRA"; PEFT's ``peft.tuners.lora.layer.Linear``.
"""

from __future__ import annotations

import torch

from .validation import WrongType, WrongValue


def _adapter(layer, adapter: str):
    if not hasattr(layer, "lora_A") or not hasattr(layer, "lora_B"):
        raise WrongType("layer", f"expected a PEFT LoRA layer (with lora_A and lora_B), got "
                        f"{type(layer).__name__}; wrap the model with peft.get_peft_model first")
    if adapter not in layer.lora_A:
        known = ", ".join(layer.lora_A)
        raise WrongValue("adapter", f"no adapter named {adapter!r} in this layer; known: {known}")
    return layer.lora_A[adapter], layer.lora_B[adapter]


def factors(layer, adapter: str = "default") -> tuple[torch.Tensor, torch.Tensor]:
    """``(A, B)`` of a PEFT LoRA layer: A (d_in, r), B (r, d_out), so that the update is x A B."""
    lora_a, lora_b = _adapter(layer, adapter)
    return lora_a.weight.T, lora_b.weight.T  # Linear weights are (out, in)


def set_factors(layer, A: torch.Tensor, B: torch.Tensor, adapter: str = "default") -> None:
    """Copy ``A`` (d_in, r) and ``B`` (r, d_out) into a PEFT LoRA layer (in place)."""
    lora_a, lora_b = _adapter(layer, adapter)
    for name, value, target in (("A", A, lora_a.weight), ("B", B, lora_b.weight)):
        if not isinstance(value, torch.Tensor):
            raise WrongType(name, f"expected a tensor, got {type(value).__name__}")
        if value.T.shape != target.shape:
            raise WrongValue(name, f"expected shape {tuple(target.T.shape)} (the page's x A B layout), "
                             f"got {tuple(value.shape)}")
    with torch.no_grad():
        lora_a.weight.copy_(A.T)
        lora_b.weight.copy_(B.T)
