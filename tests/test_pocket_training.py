"""The pocket training loop on a tiny model and a synthetic token stream: loss falls, resume works.

A repeating 16-token pattern is easy to learn, so 30 steps of a one-block model must cut the
held-out loss far below an untrained model's (about ln 50257 = 10.8). Resuming (``stop_after``, then
a second call) must end in the same state as one uninterrupted run.
"""

import dataclasses
import math

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from tools.pocket_build import training
from gpt2guide.threads import one_thread
from gpt2guide.pocket.train import TrainConfig, new_model
from tools.pocket_build.training import held_out_loss, train

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
    return meta, load_file(str(run_dir / "state.safetensors"))




def _without_dropout(config, vocab_size=50257):
    model = new_model(config, vocab_size)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    return model


def _differing(a: dict, b: dict) -> list[str]:
    assert a.keys() == b.keys()
    return sorted(key for key in a if not torch.equal(a[key], b[key]))


@pytest.fixture(scope="module")
def with_dropout(tmp_path_factory):
    """(uninterrupted, resumed) runs with GPT-2's default dropout of 0.1, as the pocket model trains."""
    root = tmp_path_factory.mktemp("dropout")
    with one_thread():
        return _run(root / "whole"), _run(root / "resumed", stop_after=13), root


@pytest.fixture(scope="module")
def without_dropout(tmp_path_factory):
    """The same pair with dropout switched off (dropout draws from torch's global random state)."""
    root = tmp_path_factory.mktemp("no_dropout")
    with one_thread(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(training, "new_model", _without_dropout)
        return _run(root / "whole"), _run(root / "resumed", stop_after=13)


def test_loss_falls(with_dropout):
    (meta, _), _, _ = with_dropout
    untrained = held_out_loss(new_model(CONFIG).eval(), HELD_OUT_TOKENS, CONFIG)
    assert abs(untrained - math.log(50257)) < 1.0
    losses = [entry["held_out_loss"] for entry in meta["history"]]
    assert [entry["step"] for entry in meta["history"]] == [10, 20, 30]
    assert losses[-1] < losses[0] < untrained
    assert losses[-1] < untrained / 3


def test_resume_replays_the_schedule(with_dropout):
    (whole, _), (resumed, _), _ = with_dropout
    assert resumed["step"] == whole["step"] == 30
    # The resumed run also evaluated where it stopped (step 13).
    assert [e["step"] for e in resumed["history"]] == [10, 13, 20, 30]


def test_resume_is_bit_identical_without_dropout(without_dropout):
    (whole, whole_state), (resumed, resumed_state) = without_dropout
    assert _differing(whole_state, resumed_state) == []
    held_out = {e["step"]: e["held_out_loss"] for e in resumed["history"]}
    assert [held_out[e["step"]] for e in whole["history"]] == [e["held_out_loss"] for e in whole["history"]]


def test_resume_is_bit_identical(with_dropout):
    (_, whole_state), (_, resumed_state), _ = with_dropout
    assert _differing(whole_state, resumed_state) == []


def test_resume_with_another_config_is_refused(with_dropout):
    _, _, root = with_dropout
    other = dataclasses.replace(CONFIG, lr=5e-3)
    with pytest.raises(ValueError, match=r"^run_dir: .* another config"):
        train(root / "whole", other, TRAIN_TOKENS, HELD_OUT_TOKENS, progress=False)
