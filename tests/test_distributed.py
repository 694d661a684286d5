"""gpt2guide.distributed: two gloo processes on 127.0.0.1 compute what one process computes.

One start of two processes (``run_all``) serves every equivalence test; the argument checks
start nothing. The processes take seconds to start (each imports torch and transformers).
"""

import time

import pytest
import torch

from gpt2guide import load
from gpt2guide.distributed import can_spawn, spawn
from gpt2guide.distributed.demos import run_all

# Every equivalence here starts two processes (seconds of imports each): the full run only.
pytestmark = pytest.mark.slow

needs_processes = pytest.mark.skipif(not can_spawn(), reason="this platform cannot start processes")
LR = 0.1


def flat(values):
    return torch.cat([v.flatten() for v in values])


@pytest.fixture(scope="module")
def setup():
    model, tokenizer = load("pocket")
    ids = tokenizer(["I can't forget you, for", "She could not forget him, and"],
                    return_tensors="pt").input_ids  # (2, 7): no padding
    hidden = torch.randn(2, 7, model.config.n_embd, generator=torch.Generator().manual_seed(0))
    return model, ids, hidden


@pytest.fixture(scope="module")
def runs(setup):
    if not can_spawn():
        pytest.skip("this platform cannot start processes")
    model, ids, hidden = setup
    return run_all("pocket", input_ids=ids, hidden=hidden, lr=LR, timeout=300)


@needs_processes
def test_all_reduce_sums_on_every_rank(runs):
    for rank in runs:
        assert rank["all_reduce"].tolist() == [3.0, 30.0]


@needs_processes
def test_ddp_gradient_is_the_whole_batch_gradient(setup, runs):
    model, ids, _ = setup
    model.zero_grad()
    model(ids, labels=ids).loss.backward()
    whole = flat(p.grad for p in model.parameters())
    model.zero_grad()
    for rank, mine in zip(runs, ids):
        assert torch.equal(rank["data"]["ids"][0], mine)  # one text per process
        reduced = rank["data"]["gradient"]
        error = torch.linalg.vector_norm(reduced - whole) / torch.linalg.vector_norm(whole)
        assert error < 1e-5
    # The step: both replicas bit-identical, and the one-process SGD step up to rounding.
    weights = flat(p.detach() for p in model.parameters())
    assert torch.equal(runs[0]["data"]["weights"], runs[1]["data"]["weights"])
    assert torch.allclose(runs[0]["data"]["weights"], weights - LR * whole, rtol=0, atol=1e-6)
    assert not torch.equal(runs[0]["data"]["weights"], weights)  # the step moved them


@needs_processes
def test_tensor_parallel_layers_equal_the_unsplit_layers(setup, runs):
    model, _, hidden = setup
    block = model.transformer.h[0]
    with torch.no_grad():
        mlp, attention = block.mlp(hidden), block.attn(hidden)[0]
    for rank in runs:
        assert rank["mlp"].shape == hidden.shape  # what each all-reduce carried
        assert torch.allclose(rank["mlp"], mlp, atol=1e-5)
        assert torch.allclose(rank["attention"], attention, atol=1e-5)
    assert torch.equal(runs[0]["mlp"], runs[1]["mlp"])


@needs_processes
def test_pipeline_equals_the_whole_body(setup, runs):
    model, ids, _ = setup
    with torch.no_grad():
        whole = model(ids, output_hidden_states=True).hidden_states[-1]
    assert runs[0]["pipeline"] is None
    assert torch.allclose(runs[1]["pipeline"], whole, atol=1e-5)


@needs_processes
def test_a_failing_worker_raises_in_the_parent():
    with pytest.raises(Exception, match="invalid literal for int"):
        spawn(int, "not a number", timeout=120)


@needs_processes
def test_timeout_kills_the_processes_with_a_one_line_error():
    start = time.monotonic()
    with pytest.raises(TimeoutError, match=r"did not finish within 1 s") as caught:
        spawn(time.sleep, 600, timeout=1)
    assert "\n" not in str(caught.value)
    assert time.monotonic() - start < 60  # killed at once, not after the sleep


def test_spawn_rejects_a_worker_a_new_process_cannot_import():
    with pytest.raises(TypeError, match="worker: .* cannot be sent to a new process"):
        spawn(lambda: None)
    with pytest.raises(TypeError, match="worker: expected a function"):
        spawn(3)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"world_size": 0}, ValueError, "world_size: expected at least 1"),
        ({"world_size": 2.0}, TypeError, "world_size: expected an int"),
        ({"timeout": 0}, ValueError, "timeout: expected a positive"),
        ({"timeout": "60"}, TypeError, "timeout: expected seconds"),
    ],
)
def test_spawn_checks_its_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        spawn(time.sleep, 0, **kwargs)


def test_run_all_checks_its_inputs(setup):
    _, ids, hidden = setup
    with pytest.raises(TypeError, match="input_ids: expected a"):
        run_all("pocket", input_ids=ids[0], hidden=hidden)
    with pytest.raises(ValueError, match="input_ids: a batch of 3"):
        run_all("pocket", input_ids=torch.cat([ids, ids[:1]]), hidden=hidden)
    with pytest.raises(TypeError, match="hidden: expected a"):
        run_all("pocket", input_ids=ids, hidden=hidden[0])


@needs_processes
def test_a_script_without_a_main_guard_runs(tmp_path):
    """What a reader does: the page's call pasted at the top level of a script, run as
    `python script.py` from another folder. The processes never re-import the script (they are
    started by module path), so it needs no `if __name__ == "__main__":` and runs once."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "script.py"
    script.write_text(
        "from gpt2guide.distributed import spawn\n"
        "from gpt2guide.distributed.data import all_reduce_demo\n"
        "print('top level ran')\n"
        "print([t.tolist() for t in spawn(all_reduce_demo, timeout=120)])\n", encoding="utf-8")
    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=str(src))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["top level ran", "[[3.0, 30.0], [3.0, 30.0]]"], done.stdout
