"""``gpt2guide train``: exit codes, the card on --json, Ctrl-C, and data-parallel training.

Ctrl-C is sent to a process started with ``subprocess.Popen`` (a process started with ``&`` in a
bash script ignores SIGINT, see DESIGN.md). The data-parallel test runs the loop in two gloo
processes and checks that it equals one process given the same global batch.
"""

import json
import signal
import subprocess
import sys
import time

import pytest
import torch

from gpt2guide.cli import main
from gpt2guide.distributed import can_spawn, spawn
from gpt2guide.threads import one_thread
from gpt2guide.train import train
from gpt2guide.train.parallel import trained_weights

SMALL = ["--layers", "1", "--width", "16", "--heads", "2", "--context", "8", "--batch-size", "4", "--quiet"]
TEXT = "It is a truth universally acknowledged, that a single man in possession of a good fortune. " * 12


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "austen.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.parametrize("argv, option", [
    (["missing.txt", "--steps", "1"], "FILE: no file"),
    (["{file}", "--steps", "0"], "--steps: must be at least 1"),
    (["{file}", "--minutes", "-1"], "--minutes: must be a finite number > 0"),
    (["{file}"], "--steps: pass steps="),
    (["{file}", "--steps", "1", "--width", "15"], "--width: width 15 is not divisible by 2 heads"),
    (["{file}", "--steps", "1", "--size", "huge"], "--size: unknown size 'huge'"),
    (["{file}", "--steps", "1", "--held-out", "missing.txt"], "--held-out: no file"),
])
def test_bad_input_exits_2_naming_the_option(argv, option, text_file, tmp_path, capsys):
    argv = [a.format(file=text_file) for a in argv]
    assert main(["train", *SMALL, *argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gpt2guide train: error: {option}") and err.count("\n") == 1


def test_json_prints_the_card_and_an_occupied_folder_exits_2(text_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["train", str(text_file), "--out", str(out), "--steps", "2", "--json", *SMALL]) == 0
    card = json.loads(capsys.readouterr().out)
    assert card == {**json.loads((out / "training_card.json").read_text()), "out": str(out), "text": card["text"]}
    assert card["steps"] == 2 and card["held_out_bits_per_character"] > 0 and card["tokens_per_second"] > 0
    assert main(["train", str(text_file), "--out", str(out), "--steps", "2", *SMALL]) == 2
    assert "--out: " in capsys.readouterr().err
    assert main(["train", str(text_file), "--out", str(out), "--steps", "3", "--resume", *SMALL]) == 0
    assert capsys.readouterr().out.startswith("trained 3 steps")


@pytest.mark.slow
def test_ctrl_c_writes_the_checkpoint_and_exits_130(text_file, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "gpt2guide", "train", str(text_file), "--out", str(out), "--minutes", "10",
               "--eval-every", "1", *SMALL]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (out / "resume.json").exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)  # the first evaluation writes the folder: the loop is running
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stdout == ""
    line = stderr.strip().splitlines()[-1]
    assert line.startswith("gpt2guide train: interrupted at step ") and line.endswith(f"written to {out} (go on with "
                                                                                         "--resume)")
    card = json.loads((out / "training_card.json").read_text())
    assert card["steps"] == int(line.split("step ")[1].split(";")[0]) >= 1
    assert json.loads((out / "resume.json").read_text())["step"] == card["steps"]
    from gpt2guide import load

    load(out)


@pytest.mark.slow
@pytest.mark.skipif(not can_spawn(), reason="this platform cannot start processes")
def test_two_processes_equal_one_with_the_same_global_batch():
    settings = dict(ids=[list(range(3, 19)) * 12], vocab_size=32, steps=4, batch_size=4, layers=1, width=16,
                    heads=2, context=8, quiet=True)
    ranks = spawn(trained_weights, settings, world_size=2, timeout=300)
    with one_thread():
        one = train(**settings)
    for rank in ranks:
        assert rank["losses"] == pytest.approx(one.losses, rel=1e-5)
        for name, value in one.model.state_dict().items():
            assert torch.allclose(rank["weights"][name], value, rtol=0, atol=1e-5), name
    first = one.model.state_dict()["transformer.h.0.attn.c_attn.weight"]
    assert torch.equal(ranks[0]["weights"]["transformer.h.0.attn.c_attn.weight"],
                       ranks[1]["weights"]["transformer.h.0.attn.c_attn.weight"])
    assert not torch.equal(first, train(**{**settings, "steps": 1}).model.state_dict()[
        "transformer.h.0.attn.c_attn.weight"])  # four steps moved the weights
