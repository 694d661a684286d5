"""The pocket GPT-2's training recipe, as chapter 6 shows it: ``TrainConfig``, ``learning_rate``, ``new_model``.

They live in ``gpt2guide.train`` (the reader's trainer, which the pocket build also trains through:
``tools/pocket_build/training.py``); this module keeps the names chapter 6 imports.
"""

from __future__ import annotations

from ..train.config import TrainConfig, new_model
from ..train.schedule import learning_rate

__all__ = ["TrainConfig", "learning_rate", "new_model"]
