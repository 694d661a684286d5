"""Train your own GPT-2: ``train(text, steps=...)`` turns text into a checkpoint, on a CPU or more.

One module per idea: ``data`` (texts, tokens, the held-out part, batches), ``config`` (named sizes,
the pocket recipe, a fresh model), ``schedule`` (warm-up then cosine), ``evaluate`` (losses, bits
per character, samples), ``progress`` (the bar), ``checkpoint`` (the folder, the card, resuming,
atomic writes) and ``loop`` (``train`` itself). ``gpt2guide train`` is its command.
References: karpathy/nanoGPT (train.py, model.py, the CPU recipe in its README); karpathy/minGPT.
"""

from __future__ import annotations

from .config import SIZES, Shape, TrainConfig, new_model
from .loop import Interrupted, Run, train
from .schedule import learning_rate

__all__ = ["SIZES", "Interrupted", "Run", "Shape", "TrainConfig", "learning_rate", "new_model", "train"]
