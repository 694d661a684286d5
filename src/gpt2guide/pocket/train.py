"""The pocket GPT-2's training recipe: its configuration, its learning-rate schedule, its fresh model.

What chapter 6 shows: ``TrainConfig`` (the shape and the optimizer settings), ``learning_rate``
(linear warm-up, then cosine decay, as nanoGPT's train.py) and ``new_model`` (the untrained
``GPT2LMHeadModel``). The training loop that used them lives with the maintainer tooling,
``tools/pocket_build/training.py``, outside the installed package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..constants import END_OF_TEXT_ID, VOCAB_SIZE


@dataclass(frozen=True)
class TrainConfig:
    n_layer: int = 4  # transformer blocks
    n_embd: int = 120  # width; the 50257 x n_embd embedding dominates the file size
    n_head: int = 4  # attention heads (n_embd / n_head = 30 dimensions each)
    n_positions: int = 256  # context length of the pocket model
    block_size: int = 256  # tokens per training window (= n_positions: every position is trained)
    batch_size: int = 8  # windows per step
    steps: int = 1200  # optimizer steps in the whole run
    lr: float = 2e-3  # peak learning rate
    min_lr: float = 2e-4  # learning rate at the end of the cosine
    warmup: int = 100  # steps of linear warm-up
    weight_decay: float = 0.1
    eval_every: int = 200  # steps between held-out evaluations and checkpoints
    eval_batches: int = 8  # held-out windows x batch_size per evaluation
    seed: int = 1234


def learning_rate(step: int, config: TrainConfig) -> float:
    """Linear warm-up, then cosine decay to ``min_lr`` (nanoGPT's schedule)."""
    if step < config.warmup:
        return config.lr * (step + 1) / config.warmup
    progress = (step - config.warmup) / max(1, config.steps - config.warmup)
    return config.min_lr + 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))) * (config.lr - config.min_lr)


def new_model(config: TrainConfig, vocab_size: int = VOCAB_SIZE):
    import torch  # here, not at the top: the CLI reads TrainConfig's defaults without torch
    from transformers import GPT2Config, GPT2LMHeadModel

    gpt2_config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=config.n_positions,
        n_embd=config.n_embd,
        n_layer=config.n_layer,
        n_head=config.n_head,
        bos_token_id=END_OF_TEXT_ID,
        eos_token_id=END_OF_TEXT_ID,
    )
    torch.manual_seed(config.seed)
    return GPT2LMHeadModel(gpt2_config)
