"""Two things a training loop does with gradients before the optimizer step: clip them, accumulate them.

``clip_grad_norm`` scales every gradient by the same factor so that their global norm (all
gradients as one long vector) is at most ``max_norm``, as ``torch.nn.utils.clip_grad_norm_``.
``accumulated_gradients`` averages the gradients of equal-length micro-batches: the mean loss
over the whole batch is the mean of the micro-batches' mean losses when each holds as many
predictions, so the average of their gradients is the whole batch's gradient, at the memory of
one micro-batch. References: torch ``nn.utils.clip_grad_norm_``; Pascanu, Mikolov and Bengio,
"On the difficulty of training recurrent neural networks" (2013); nanoGPT ``train.py``
(``gradient_accumulation_steps``, ``grad_clip``).
"""

from __future__ import annotations

import torch

from ..validation import WrongType, WrongValue, check_number
from .adamw import _check_tensors
from .gradients import gradients


@torch.no_grad()
def clip_grad_norm(grads: dict, max_norm: float) -> torch.Tensor:
    """Scale ``grads`` in place so that their global L2 norm is at most ``max_norm``; return the norm before."""
    _check_tensors(grads, "grads")
    max_norm = check_number(max_norm, "max_norm")
    if max_norm <= 0:
        raise WrongValue("max_norm", f"must be > 0 (e.g. 1.0), got {max_norm}")
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads.values()]))
    factor = (max_norm / (total + 1e-6)).clamp(max=1.0)  # 1 when the norm is already small enough
    for g in grads.values():
        g.mul_(factor)
    return total


@torch.no_grad()
def accumulated_gradients(model, micro_batches) -> dict[str, torch.Tensor]:
    """The mean of ``gradients(model, mb)`` over equal-shape micro-batches: the gradient of them all as one batch."""
    if isinstance(micro_batches, torch.Tensor) or not isinstance(micro_batches, (list, tuple)) or not micro_batches:
        raise WrongType("micro_batches", "expected a non-empty list of (batch, seq) id tensors, e.g. list(ids.split(2))")
    shapes = {tuple(mb.shape) if isinstance(mb, torch.Tensor) else None for mb in micro_batches}
    if len(shapes) != 1:
        raise WrongValue("micro_batches", f"expected micro-batches of one shape (as many predictions each, so that "
                         f"the mean over tokens is the whole batch's), got shapes {sorted(map(str, shapes))}")
    total = None
    for mb in micro_batches:
        grads = gradients(model, mb)
        total = grads if total is None else {name: total[name] + g for name, g in grads.items()}
    return {name: g / len(micro_batches) for name, g in total.items()}
