"""The learning rate at each step: linear warm-up, then cosine decay to a floor.

``learning_rate(step, config)`` is the pocket recipe's schedule, as chapter 6 prints it;
``warmup_cosine`` is the same curve for any run, over steps or over a fraction of the wall-clock
budget (a run stopped by minutes does not know how many steps it will take).
References: nanoGPT's train.py ``get_lr``; Loshchilov & Hutter, "SGDR" (cosine annealing).
"""

from __future__ import annotations

import math


def warmup_cosine(step: int, progress: float, *, lr: float, min_lr: float, warmup: int) -> float:
    """``lr`` scaled up over the first ``warmup`` steps, then down along a cosine to ``min_lr``.

    ``progress`` is how far the run is past warm-up, from 0 (its start) to 1 (its end).
    """
    if step < warmup:
        return lr * (step + 1) / warmup
    return min_lr + 0.5 * (1 + math.cos(math.pi * min(max(progress, 0.0), 1.0))) * (lr - min_lr)


def step_progress(step: int, steps: int, warmup: int) -> float:
    """How far ``step`` is through the steps after warm-up (0 to 1)."""
    return (step - warmup) / max(1, steps - warmup)


def learning_rate(step: int, config) -> float:
    """The pocket recipe's rate at ``step`` (``config`` is a ``TrainConfig``): nanoGPT's schedule."""
    return warmup_cosine(step, step_progress(step, config.steps, config.warmup),
                         lr=config.lr, min_lr=config.min_lr, warmup=config.warmup)
