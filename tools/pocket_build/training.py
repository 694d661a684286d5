"""Train the pocket GPT-2 through the reader's trainer, ``gpt2guide.train``: the one training loop.

The pocket recipe (``gpt2guide.pocket.train.TrainConfig``: shape, batch, schedule, dropout 0.1,
seed) becomes the arguments of ``gpt2guide.train.train``, run on the Austen token streams that
``build.prepare`` wrote. The run lives in ``<run_dir>/checkpoint``, an ordinary checkpoint folder
with its training card and resume state, so a stopped build goes on where it stopped.
References: nanoGPT's train.py; ``gpt2guide.train`` (the loop itself).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from gpt2guide.constants import RUNNING_PROMPT_IDS
from gpt2guide.pocket.train import TrainConfig
from gpt2guide.train import train as train_run
from gpt2guide.train.data import evenly_spaced, scoring_windows
from gpt2guide.train.evaluate import held_out_loss as _held_out_loss
from gpt2guide.validation import WrongValue

CHECKPOINT = "checkpoint"  # the run's folder inside run_dir
CONFIG = "pocket_config.json"  # the recipe of the run, beside it (what the export reads)


def _ids(tokens: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(tokens.astype(np.int64))


def train(run_dir: Path, config: TrainConfig, train_tokens: np.ndarray, held_out_tokens: np.ndarray,
          *, stop_after: int | None = None, progress: bool = True) -> dict:
    """Train (or resume) the run in ``run_dir``; returns its bookkeeping (step, history, seconds).

    ``stop_after`` ends this sitting after that many steps; a later call resumes where it stopped.
    """
    folder = run_dir / CHECKPOINT
    run_dir.mkdir(parents=True, exist_ok=True)
    if (run_dir / CONFIG).is_file() and json.loads((run_dir / CONFIG).read_text()) != asdict(config):
        raise WrongValue("run_dir", f"{run_dir} was started with another config; use a new folder")
    (run_dir / CONFIG).write_text(json.dumps(asdict(config), indent=1))
    run = train_run(
        ids=[_ids(train_tokens)], held_out=[_ids(held_out_tokens)], out=folder,
        resume=(folder / "resume.json").is_file(),
        layers=config.n_layer, width=config.n_embd, heads=config.n_head, context=config.n_positions,
        steps=config.steps, batch_size=config.batch_size, lr=config.lr, min_lr=config.min_lr,
        warmup=config.warmup, weight_decay=config.weight_decay, dropout=config.dropout,
        eval_every=config.eval_every, eval_tokens=config.eval_batches * config.batch_size * config.block_size,
        prompt=list(RUNNING_PROMPT_IDS), seed=config.seed, stop_after=stop_after, quiet=not progress)
    return meta_of(run.card, config)


def meta_of(card: dict, config: TrainConfig) -> dict:
    """The run's bookkeeping as the export reads it: step, seconds, and the history of evaluations."""
    history = [{"step": e["step"], "train_loss": e["loss"], "held_out_loss": e["held_out_loss"]}
               for e in card["history"]]
    return {"config": asdict(config), "step": card["steps"], "seconds": card["wall_seconds"], "history": history}


def read_meta(run_dir: Path, config: TrainConfig) -> dict:
    return meta_of(json.loads((run_dir / CHECKPOINT / "training_card.json").read_text()), config)


@torch.no_grad()
def held_out_loss(model, tokens: np.ndarray, config: TrainConfig) -> float:
    """Mean loss per token on windows of the held-out stream, as the trainer scores it."""
    examples = evenly_spaced(scoring_windows(_ids(tokens), config.n_positions + 1), config.n_positions + 1,
                             config.eval_batches * config.batch_size * config.block_size)
    return _held_out_loss(model.eval(), [(example, None) for example in examples], torch.device("cpu"))  # no loss mask


def trained_model(run_dir: Path, config: TrainConfig):
    """The model of a run's latest checkpoint."""
    from transformers import GPT2LMHeadModel

    return GPT2LMHeadModel.from_pretrained(run_dir / CHECKPOINT, dtype=torch.float32).eval()
