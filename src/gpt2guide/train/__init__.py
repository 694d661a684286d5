"""Train your own GPT-2: ``train(text, steps=...)`` turns text into a checkpoint, on a CPU or more.

One module per idea: ``data`` (texts, tokens, the held-out part, batches), ``config`` (named sizes,
the pocket recipe, a fresh model), ``schedule`` (warm-up then cosine), ``evaluate`` (losses, bits
per character, samples), ``progress`` (the bar), ``checkpoint`` (the folder, the card, resuming,
atomic writes), ``parallel`` (DDP under torchrun), ``tasks`` (synthetic data: repeated segments)
and ``loop`` (``train`` itself).
``gpt2guide train`` is its command. The names below are imported on first use (PEP 562), so the
CLI can read the sizes without importing torch.
References: karpathy/nanoGPT (train.py, model.py, the CPU recipe in its README); karpathy/minGPT.
"""

from __future__ import annotations

import importlib

# public name -> the module that defines it
_EXPORTS = {
    "train": "loop",
    "Run": "loop",
    "Interrupted": "loop",
    "SIZES": "config",
    "Shape": "config",
    "TrainConfig": "config",
    "new_model": "config",
    "fresh_model": "config",
    "learning_rate": "schedule",
    "repeated_segments": "tasks",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gpt2guide.train' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value
