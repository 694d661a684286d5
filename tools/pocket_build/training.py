"""Train the pocket GPT-2 (a real ``GPT2LMHeadModel``, small enough to ship in the package), resumably.

The loop follows nanoGPT's train.py: random windows of the token stream, AdamW, the schedule of
``gpt2guide.pocket.train.learning_rate``, a held-out loss every few hundred steps. A run lives in
one folder and is resumable: ``state.safetensors`` holds the model and optimizer tensors,
``state.json`` the step, the random-number state and the loss history. Safetensors only, no pickles.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from tqdm.auto import tqdm

from gpt2guide.pocket.train import TrainConfig, learning_rate, new_model
from gpt2guide.validation import WrongValue


def random_windows(tokens: np.ndarray, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """``batch_size`` random windows of ``block_size`` tokens (the model shifts the labels itself)."""
    starts = torch.randint(0, len(tokens) - config.block_size, (config.batch_size,), generator=generator)
    return _windows(tokens, starts.tolist(), config)  # (batch, block_size)


def _windows(tokens: np.ndarray, starts: list[int], config: TrainConfig) -> torch.Tensor:
    return torch.stack([torch.from_numpy(tokens[s : s + config.block_size].astype(np.int64)) for s in starts])


def lm_loss(model, windows: torch.Tensor) -> torch.Tensor:
    # GPT2LMHeadModel shifts labels by one position itself.
    return model(input_ids=windows, labels=windows).loss


@torch.no_grad()
def held_out_loss(model, tokens: np.ndarray, config: TrainConfig) -> float:
    """Mean loss on fixed, evenly spaced windows of the held-out text."""
    model.eval()
    n = config.eval_batches * config.batch_size
    starts = np.linspace(0, len(tokens) - config.block_size, n).astype(int)
    losses = []
    for chunk in np.array_split(starts, config.eval_batches):
        losses.append(lm_loss(model, _windows(tokens, chunk.tolist(), config)).item())
    model.train()
    return float(np.mean(losses))


def _optimizer(model, config: TrainConfig) -> torch.optim.AdamW:
    # Decay matrices only, not biases and LayerNorm gains (nanoGPT's configure_optimizers).
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.95))


def save_state(run_dir: Path, model, optimizer, generator: torch.Generator, meta: dict) -> None:
    """Write the run's tensors to safetensors and its bookkeeping to JSON, atomically."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items() if k != "lm_head.weight"}
    optim_state = optimizer.state_dict()
    for index, state in optim_state["state"].items():
        for name, value in state.items():
            tensors[f"optim.{index}.{name}"] = value.reshape(-1) if value.dim() == 0 else value
    tensors["rng"] = generator.get_state()  # the batch sampler's state
    tensors["torch_rng"] = torch.get_rng_state()  # dropout draws from torch's global generator
    tmp = run_dir / "state.safetensors.tmp"
    save_file({k: v.contiguous() for k, v in tensors.items()}, str(tmp))
    tmp.replace(run_dir / "state.safetensors")
    meta = {**meta, "param_groups": optim_state["param_groups"]}
    (run_dir / "state.json.tmp").write_text(json.dumps(meta, indent=1))
    (run_dir / "state.json.tmp").replace(run_dir / "state.json")


def _load_model_tensors(model, tensors: dict) -> None:
    """Put the run's ``model.*`` tensors into ``model``; the head is tied to the embedding again."""
    model.load_state_dict({k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}, strict=False)
    model.tie_weights()


def load_state(run_dir: Path, model, optimizer, generator: torch.Generator) -> dict:
    tensors = load_file(str(run_dir / "state.safetensors"))
    meta = json.loads((run_dir / "state.json").read_text())
    _load_model_tensors(model, tensors)
    state: dict[int, dict] = {}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            state.setdefault(int(index), {})[name] = value.reshape(()) if name == "step" else value
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    generator.set_state(tensors["rng"])
    torch.set_rng_state(tensors["torch_rng"])
    return meta


def train(run_dir: Path, config: TrainConfig, train_tokens: np.ndarray, held_out_tokens: np.ndarray,
          *, stop_after: int | None = None, progress: bool = True) -> dict:
    """Train (or resume) the run in ``run_dir``; returns its bookkeeping (step, losses, seconds).

    ``stop_after`` ends this sitting after that many steps; a later call resumes where it stopped.
    """
    run_dir.mkdir(parents=True, exist_ok=True)
    model = new_model(config)
    model.train()
    optimizer = _optimizer(model, config)
    generator = torch.Generator().manual_seed(config.seed)
    meta = {"config": asdict(config), "step": 0, "seconds": 0.0, "history": []}
    if (run_dir / "state.json").exists():
        meta = load_state(run_dir, model, optimizer, generator)
        if meta["config"] != asdict(config):
            raise WrongValue("run_dir", f"{run_dir} was started with another config; use a new folder")
    last = config.steps if stop_after is None else min(config.steps, meta["step"] + stop_after)
    bar = tqdm(range(meta["step"], last), initial=meta["step"], total=config.steps, disable=not progress, desc="pocket")
    started = time.perf_counter()
    for step in bar:
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, config)
        loss = lm_loss(model, random_windows(train_tokens, config, generator))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        bar.set_postfix(loss=f"{loss.item():.3f}")
        done = step + 1
        if done % config.eval_every == 0 or done == last:
            meta["history"].append({"step": done, "train_loss": loss.item(),
                                    "held_out_loss": held_out_loss(model, held_out_tokens, config)})
            meta["step"] = done
            meta["seconds"] += time.perf_counter() - started
            started = time.perf_counter()
            save_state(run_dir, model, optimizer, generator, meta)
    return meta


def trained_model(run_dir: Path, config: TrainConfig):
    """The model of a run's latest checkpoint."""
    model = new_model(config)
    tensors = load_file(str(run_dir / "state.safetensors"))
    _load_model_tensors(model, tensors)
    return model.eval()
