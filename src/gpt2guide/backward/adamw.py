"""AdamW by hand: one update rule, equal to ``torch.optim.AdamW`` step for step.

For each parameter p with gradient g, at step t (from 1):

    p ← p - lr · weight_decay · p            decoupled weight decay: shrink the weight itself
    m ← β1 m + (1 - β1) g                    running mean of the gradient
    v ← β2 v + (1 - β2) g²                   running mean of its square
    p ← p - lr · (m / (1 - β1ᵗ)) / (sqrt(v / (1 - β2ᵗ)) + eps)   bias-corrected step

The bias corrections undo the zeros m and v start from. References: Loshchilov and Hutter,
"Decoupled Weight Decay Regularization" (2019), Algorithm 2; Kingma and Ba, "Adam" (2015);
the algorithm box of ``torch.optim.AdamW``'s documentation (``amsgrad=False``, ``maximize=False``).
"""

from __future__ import annotations

import math

import torch

from ..validation import WrongType, WrongValue, check_number


def _check_rate(value, argument: str, *, below_one: bool = False) -> float:
    value = check_number(value, argument)
    if value < 0 or (below_one and value >= 1):
        bound = "in [0, 1)" if below_one else ">= 0"
        raise WrongValue(argument, f"must be {bound}, got {value}")
    return value


def _check_tensors(value, argument: str, *, like: dict | None = None) -> dict:
    """A non-empty dict of name -> tensor; with ``like``, the same names and shapes as ``like``."""
    if not isinstance(value, dict) or not value or not all(isinstance(t, torch.Tensor) for t in value.values()):
        raise WrongType(argument, "expected a non-empty dict of name -> tensor, e.g. dict(model.named_parameters())")
    if like is not None:
        if value.keys() != like.keys():
            missing, extra = sorted(like.keys() - value.keys()), sorted(value.keys() - like.keys())
            raise WrongValue(argument, f"expected the parameters' names; missing {missing[:3]}, unknown {extra[:3]}")
        for name, t in value.items():
            if t.shape != like[name].shape:
                raise WrongValue(argument, f"{name}: shape {tuple(t.shape)}, the parameter's is {tuple(like[name].shape)}")
    return value


class AdamW:
    """AdamW on a dict of tensors, updated in place by ``step(grads)``; state in ``m``, ``v`` and ``t``."""

    def __init__(self, params: dict, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2):
        self.params = _check_tensors(params, "params")
        self.lr = _check_rate(lr, "lr")
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise WrongType("betas", f"expected a pair (beta1, beta2) such as (0.9, 0.999), got {betas!r}")
        self.betas = (_check_rate(betas[0], "betas", below_one=True), _check_rate(betas[1], "betas", below_one=True))
        self.eps = _check_rate(eps, "eps")
        self.weight_decay = _check_rate(weight_decay, "weight_decay")
        self.m = {name: torch.zeros_like(p) for name, p in params.items()}  # first moment
        self.v = {name: torch.zeros_like(p) for name, p in params.items()}  # second moment
        self.t = 0  # steps taken

    @torch.no_grad()
    def step(self, grads: dict) -> None:
        """One update of every parameter from ``grads`` (the same names and shapes as ``params``)."""
        _check_tensors(grads, "grads", like=self.params)
        self.t += 1
        beta1, beta2 = self.betas
        correction1 = 1 - beta1**self.t  # bias corrections: m and v started at 0
        correction2 = 1 - beta2**self.t
        for name, p in self.params.items():
            g, m, v = grads[name], self.m[name], self.v[name]
            p.mul_(1 - self.lr * self.weight_decay)  # decoupled weight decay
            m.lerp_(g, 1 - beta1)  # m + (1 - beta1) (g - m) = beta1 m + (1 - beta1) g
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            denominator = (v.sqrt() / math.sqrt(correction2)).add_(self.eps)
            p.addcdiv_(m, denominator, value=-self.lr / correction1)
