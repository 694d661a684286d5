"""The pocket build trains through ``gpt2guide.train`` (the one loop): loss falls, resume, export.

A repeating 16-token pattern is easy to learn, so 30 steps of a one-block model must cut the
held-out loss far below an untrained model's (about ln 50257 = 10.8). Resuming (``stop_after``, then
a second call) must end in the same state as one uninterrupted run, with the pocket recipe's
dropout of 0.1 on (its random draws are part of the saved state). The export writes a checkpoint
folder and data card from the run.
"""

import dataclasses
import functools
import json
import math
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import gpt2guide
from gpt2guide.constants import POCKET_DIR
from gpt2guide.pocket.train import TrainConfig, new_model
from gpt2guide.threads import one_thread
from tools.pocket_build import build
from tools.pocket_build.training import CHECKPOINT, held_out_loss, train

pytestmark = pytest.mark.slow  # trains small models for real

CONFIG = TrainConfig(n_layer=1, n_embd=32, n_head=2, n_positions=16, block_size=16, batch_size=4, steps=30,
                     lr=1e-2, min_lr=1e-3, warmup=5, eval_every=10, eval_batches=2, seed=7)
PATTERN = np.arange(100, 116, dtype=np.uint16)
TRAIN_TOKENS, HELD_OUT_TOKENS = np.tile(PATTERN, 300), np.tile(PATTERN, 20)


def _run(run_dir, *, stop_after=None):
    """One uninterrupted run, or a run stopped after ``stop_after`` steps and then resumed."""
    if stop_after is not None:
        first = train(run_dir, CONFIG, TRAIN_TOKENS, HELD_OUT_TOKENS, stop_after=stop_after, progress=False)
        assert first["step"] == stop_after
    meta = train(run_dir, CONFIG, TRAIN_TOKENS, HELD_OUT_TOKENS, progress=False)
    return meta, load_file(str(run_dir / CHECKPOINT / "model.safetensors"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(uninterrupted, resumed) runs with GPT-2's dropout of 0.1, as the pocket model trains."""
    root = tmp_path_factory.mktemp("pocket")
    with one_thread():
        return _run(root / "whole"), _run(root / "resumed", stop_after=13), root


def test_loss_falls(runs):
    (meta, _), _, _ = runs
    untrained = held_out_loss(new_model(CONFIG), HELD_OUT_TOKENS, CONFIG)
    assert abs(untrained - math.log(50257)) < 1.0
    losses = [entry["held_out_loss"] for entry in meta["history"]]
    assert [entry["step"] for entry in meta["history"]] == [10, 20, 30]
    assert losses[-1] < losses[0] < untrained
    assert losses[-1] < untrained / 3


def test_resume_replays_the_schedule(runs):
    (whole, _), (resumed, _), _ = runs
    assert resumed["step"] == whole["step"] == 30
    # The resumed run also evaluated where it stopped (step 13).
    assert [e["step"] for e in resumed["history"]] == [10, 13, 20, 30]


def test_resume_is_bit_identical_with_dropout(runs):
    (whole, whole_state), (resumed, resumed_state), _ = runs
    assert whole_state.keys() == resumed_state.keys()
    assert [k for k in whole_state if not torch.equal(whole_state[k], resumed_state[k])] == []
    held_out = {e["step"]: e["held_out_loss"] for e in resumed["history"]}
    assert [held_out[e["step"]] for e in whole["history"]] == [e["held_out_loss"] for e in whole["history"]]


def test_resume_with_another_config_is_refused(runs):
    _, _, root = runs
    other = dataclasses.replace(CONFIG, lr=5e-3)
    with pytest.raises(ValueError, match=r"^run_dir: .* another config"):
        train(root / "whole", other, TRAIN_TOKENS, HELD_OUT_TOKENS, progress=False)


def test_the_export_writes_a_checkpoint_and_its_card(runs, tmp_path, monkeypatch):
    # 7 prompt tokens + 4 new ones fit this model's context of 16 (the pocket's 24 would not)
    monkeypatch.setattr(build, "continuations", functools.partial(build.continuations, max_new_tokens=4))
    _, _, root = runs
    np.save(root / "whole" / "held_out.npy", HELD_OUT_TOKENS)
    np.save(root / "whole" / "train.npy", TRAIN_TOKENS)
    (root / "whole" / "corpus.json").write_text(json.dumps(
        {"source": "a pattern", "novels": ["none"], "sha256_train_text": "0", "sha256_held_out_text": "0",
         "train_tokens": TRAIN_TOKENS.size, "held_out_tokens": HELD_OUT_TOKENS.size}))
    for name in ("vocab.json", "merges.txt"):  # the export writes into the package, beside the tokenizer
        shutil.copy(POCKET_DIR / name, tmp_path / name)
    card = build.export(root / "whole", tmp_path)
    assert card["steps"] == 30 and card["config"] == dataclasses.asdict(CONFIG)
    assert card["held_out_loss"] < card["untrained_held_out_loss"] / 3
    model, _ = gpt2guide.load(tmp_path)
    assert model.config.n_embd == 32
