"""The reader's trainer (``gpt2guide.train``): the API's shape, the card, the folder, resuming, errors.

Every run here is a one-block model of width 16 for a few steps, so each test takes seconds; those
that train several runs are marked slow. The Ctrl-C and command-line runs are in tests/test_train_cli.py.
"""

import json
import math

import pytest
import torch
from transformers import GPT2LMHeadModel

import gpt2guide
from gpt2guide.threads import one_thread
from gpt2guide.train import Run, train
from gpt2guide.validation import WrongType, WrongValue

SMALL = dict(layers=1, width=16, heads=2, context=8, batch_size=4, quiet=True)
STREAM = [list(range(3, 19)) * 12]  # a repeating pattern of 16 ids: easy to learn
TEXT = "It is a truth universally acknowledged, that a single man in possession of a good fortune. " * 12


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("run") / "out"
    with one_thread():
        return train(TEXT, out=folder, steps=6, eval_every=3, prompt="It is", sample_tokens=4, **SMALL)


@pytest.mark.slow  # trains a model (not in the quick loop)
def test_the_run_has_the_api_shape(text_run):
    run = text_run
    assert isinstance(run, Run) and isinstance(run.model, GPT2LMHeadModel)
    assert not run.model.training and run.model.device.type == "cpu"
    assert run.model.config.vocab_size == 50257 and run.model.config.n_positions == 8
    assert len(run.losses) == 6 and all(isinstance(x, float) for x in run.losses)
    assert [h["step"] for h in run.history] == [3, 6]
    for entry in run.history:
        assert {"step", "loss", "held_out_loss", "greedy", "sample", "extra"} <= entry.keys()
        assert isinstance(entry["greedy"], str) and isinstance(entry["sample"], str)
    assert run.tokenizer.encode("I can't forget you, for") == [40, 460, 470, 6044, 345, 11, 329]


def test_the_card(text_run):
    card = text_run.card
    assert card == json.loads((text_run.out / "training_card.json").read_text())
    assert card["steps"] == 6 and card["tokens_seen"] == 6 * 4 * 8
    assert card["characters"] + card["held_out_characters"] == len(TEXT)
    assert card["held_out_characters"] == round(len(TEXT) * 0.1)
    assert card["held_out_loss"] == text_run.history[-1]["held_out_loss"]
    bpc = card["held_out_loss"] * card["held_out_tokens"] / card["held_out_characters"] / math.log(2)
    assert card["held_out_bits_per_character"] == pytest.approx(bpc)
    assert card["losses"] == text_run.losses and card["history"] == text_run.history
    assert card["tokens_per_second"] > 0 and card["wall_seconds"] > 0
    assert card["seed"] == 0 and card["device"] == "cpu"
    assert {"python", "torch", "transformers"} <= card["machine"]["versions"].keys()
    assert len(card["text_sha256"]) == 64


@pytest.mark.slow  # trains, writes and reloads a model (not in the quick loop)
def test_the_folder_loads_with_gpt2guide_load(text_run):
    names = {p.name for p in text_run.out.iterdir()}
    assert {"config.json", "model.safetensors", "generation_config.json", "training_card.json",
            "resume.safetensors", "resume.json"} <= names
    assert not [n for n in names if n.endswith(".tmp") or n.startswith(".writing")]
    model, tokenizer = gpt2guide.load(text_run.out)
    ids = torch.tensor([tokenizer.encode("It is a truth")])
    assert torch.allclose(model(ids).logits, text_run.model(ids).logits, atol=1e-6)


@pytest.mark.slow
def test_the_loss_falls_on_a_pattern():
    with one_thread():
        run = train(ids=STREAM, vocab_size=32, steps=30, lr=1e-2, eval_every=10, **SMALL)
    held = [h["held_out_loss"] for h in run.history]
    assert held[-1] < held[0] - 0.5 and held[-1] < math.log(32) / 2  # untrained: about ln 32
    assert isinstance(run.history[-1]["greedy"], list)  # ids in, ids out
    assert run.card["held_out_bits_per_character"] is None and run.card["characters"] is None


def test_equal_length_sequences_are_whole_rows():
    rows = [[5, 6, 7, 8, 9, 10]] * 10
    with one_thread():
        run = train(ids=rows, vocab_size=16, steps=2, **SMALL)
    assert run.card["recipe"]["rows"] is True and run.card["recipe"]["window"] == 6
    assert run.card["tokens"] == 9 * 6 and run.card["held_out_tokens"] == 6


def test_a_loss_mask_counts_only_the_marked_targets():
    # Rows of 8 ids: the first half random, the second half a copy. Only the copy can be predicted.
    generator = torch.Generator().manual_seed(0)
    half = torch.randint(0, 16, (40, 4), generator=generator)
    rows = torch.cat([half, half], 1)
    mask = torch.zeros_like(rows, dtype=torch.bool)
    mask[:, 5:] = True  # the copy's tokens after its first
    with one_thread():
        masked = train(ids=rows, loss_mask=mask, vocab_size=16, steps=1, **SMALL)
        plain = train(ids=rows, vocab_size=16, steps=1, **SMALL)
    assert masked.card["recipe"]["loss_mask"] is True and "loss_mask" not in plain.card["recipe"]
    assert masked.card["text_sha256"] != plain.card["text_sha256"]
    # the held-out loss, by hand: the mean over the marked targets of the held-out rows (the last 4 of 40)
    held, held_mask = rows[-4:], mask[-4:]
    with torch.no_grad():
        logits = masked.model(held[:, :-1]).logits  # (4, 7, 16)
    losses = torch.nn.functional.cross_entropy(logits.transpose(1, 2), held[:, 1:], reduction="none")  # (4, 7)
    assert masked.history[-1]["held_out_loss"] == pytest.approx(losses[held_mask[:, 1:]].mean().item(), rel=1e-5)
    assert plain.history[-1]["held_out_loss"] != pytest.approx(masked.history[-1]["held_out_loss"], rel=1e-3)


def test_global_random_state_and_threads_are_untouched():
    torch.manual_seed(123)
    before, threads = torch.get_rng_state(), torch.get_num_threads()
    train(ids=STREAM, vocab_size=32, steps=2, threads=1, **SMALL)
    assert torch.equal(torch.get_rng_state(), before)
    assert torch.get_num_threads() == threads


@pytest.mark.slow
def test_the_same_seed_repeats_the_run():
    with one_thread():
        a = train(ids=STREAM, vocab_size=32, steps=3, seed=5, **SMALL)
        b = train(ids=STREAM, vocab_size=32, steps=3, seed=5, **SMALL)
        c = train(ids=STREAM, vocab_size=32, steps=3, seed=6, **SMALL)
    assert a.losses == b.losses != c.losses


def _weights(folder):
    from safetensors.torch import load_file

    return load_file(str(folder / "model.safetensors"))


@pytest.mark.slow
def test_stopped_and_resumed_equals_uninterrupted(tmp_path):
    settings = dict(ids=STREAM, vocab_size=32, steps=8, eval_every=4, **SMALL)
    with one_thread():
        whole = train(out=tmp_path / "whole", **settings)
        first = train(out=tmp_path / "resumed", stop_after=3, **settings)
        assert first.card["steps"] == 3
        resumed = train(out=tmp_path / "resumed", resume=True, **settings)
    assert resumed.card["steps"] == 8 and resumed.losses == whole.losses
    a, b = _weights(tmp_path / "whole"), _weights(tmp_path / "resumed")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert not torch.equal(_weights(tmp_path / "resumed")["transformer.h.0.mlp.c_fc.weight"],
                           first.model.state_dict()["transformer.h.0.mlp.c_fc.weight"])  # it went on training


@pytest.mark.slow
def test_an_occupied_folder_is_refused(tmp_path, capsys):
    settings = dict(ids=STREAM, vocab_size=32, steps=2, **SMALL)
    train(out=tmp_path, **settings)
    with pytest.raises(WrongValue, match=r"^out: .* already holds another run \(2 steps\)"):
        train(out=tmp_path, **settings)
    with pytest.raises(WrongValue, match=r"^resume: .* another recipe \(seed differ"):
        train(out=tmp_path, resume=True, **{**settings, "steps": 3, "seed": 1})
    train(out=tmp_path, force=True, **{**settings, "seed": 1})
    assert "replacing the run of 2 steps in" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(WrongValue, match=r"^out: .* already holds 1 other file"):
        train(out=other, **settings)


@pytest.mark.parametrize("kwargs, error, argument", [
    (dict(data=None), WrongValue, "data"),
    (dict(data=""), WrongValue, "data"),
    (dict(data=3), WrongType, "data"),
    (dict(data="too short"), WrongValue, "data"),
    (dict(width=15, heads=2), WrongValue, "width"),
    (dict(width=None, heads=3), WrongValue, "heads"),
    (dict(steps=0), WrongValue, "steps"),
    (dict(steps=None, minutes=0), WrongValue, "minutes"),
    (dict(steps=None), WrongValue, "steps"),
    (dict(size="huge"), WrongValue, "size"),
    (dict(ids=[[1, 2, 40]] * 5, data=None, vocab_size=32), WrongValue, "ids"),
    (dict(held_out="x"), WrongValue, "held_out"),
    (dict(loss_mask=[[1] * 5]), WrongValue, "loss_mask"),  # text runs count every token
    (dict(ids=[[1, 2, 3]] * 5, data=None, vocab_size=8, loss_mask=[[1, 1]] * 5), WrongValue, "loss_mask"),
    (dict(ids=[[1, 2, 3]] * 5, data=None, vocab_size=8, loss_mask=[[0, 2, 1]] * 5), WrongType, "loss_mask"),
    (dict(ids=[[1, 2, 3]] * 5, data=None, vocab_size=8, loss_mask=[[0, 1, 1]] * 4), WrongType, "loss_mask"),
    (dict(ids=[[1, 2, 3]] * 5, data=None, vocab_size=8, loss_mask=[[1, 0, 0]] * 5), WrongValue, "loss_mask"),
    (dict(ids=[[1, 2, 3]] * 5, data=None, vocab_size=8, loss_mask=[[1, 1, 1]] * 5, held_out=[[1, 2, 3]]),
     WrongValue, "loss_mask"),
])
def test_bad_input_is_one_line_naming_the_argument(kwargs, error, argument):
    settings = {**SMALL, "data": TEXT, "steps": 1, **kwargs}
    with pytest.raises(error) as caught:
        train(settings.pop("data"), **settings)
    assert caught.value.argument == argument
    assert "\n" not in str(caught.value)


@pytest.mark.slow  # reads training files (not in the quick loop)
def test_bad_files_are_named(tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("café".encode("latin-1"))
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    for path, message in ((tmp_path / "missing.txt", "no file"), (tmp_path, "not a file"),
                          (bad, "not UTF-8 text"), (empty, "the text is empty")):
        with pytest.raises(WrongValue, match=rf"^data: .*{message}"):
            train(path, steps=1, **SMALL)


def test_minutes_stop_the_run_after_at_least_one_step():
    with one_thread():
        run = train(ids=STREAM, vocab_size=32, minutes=1e-6, eval_every=1000, **SMALL)
    assert len(run.losses) == 1 and run.card["steps"] == 1 and [h["step"] for h in run.history] == [1]


def test_the_pocket_recipe_is_re_exported_for_chapter_6():
    from gpt2guide import pocket
    from gpt2guide import train as package
    from gpt2guide.pocket.train import TrainConfig, learning_rate, new_model

    assert (TrainConfig, learning_rate, new_model) == (package.TrainConfig, package.learning_rate, package.new_model)
    config = TrainConfig()
    assert [round(learning_rate(s, config), 6) for s in (0, 99, 1199)] == [2e-05, 2e-3, 2e-4]
    assert pocket.train.TrainConfig is TrainConfig


# -- the training benchmark's record (chapter 6's "what to expect" table reads it) ---------------

def test_the_committed_benchmark_record_is_complete_and_ships_in_the_wheel():
    import tomllib
    from pathlib import Path

    from gpt2guide.train.benchmark import MODELS, RECORD, benchmark_record

    root = Path(__file__).resolve().parents[1]
    assert RECORD == root / "src" / "gpt2guide" / "train_bench.json"
    record = benchmark_record()  # checks the fields; refuses a record cut short
    assert record["complete"] is True
    assert [point["minutes"] for point in record["points"][1:]] == [1, 3, 10]
    assert record["points"][0]["nanogpt"]["iterations"] == record["nanogpt"]["recipe"]["max_iters"]
    for point in record["points"]:
        for model in MODELS:
            part = point[model]
            assert 0 < part["bits_per_character"] < 8 and part["tokens_per_second"] > 0
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert "train_bench.json" in pyproject["tool"]["setuptools"]["package-data"]["gpt2guide"]


def test_expectation_rows_are_the_record_s_points():
    from gpt2guide.train.benchmark import benchmark_record, expectation_rows

    record = benchmark_record()
    rows = expectation_rows(record)
    assert [row["label"] for row in rows] == [point["label"] for point in record["points"]]
    for row, point in zip(rows, record["points"]):
        assert row["minutes"] == point["minutes"]
        assert row["gpt2guide"]["bits_per_character"] == point["gpt2guide"]["bits_per_character"]
        assert row["nanogpt"]["tokens_per_second"] == point["nanogpt"]["tokens_per_second"]


def test_a_broken_benchmark_record_is_named_field_by_field(tmp_path):
    import copy

    from gpt2guide.train.benchmark import benchmark_record, check_record

    good = benchmark_record()
    check_record(good)
    cut = copy.deepcopy(good)
    cut["complete"] = False
    del cut["points"][-1]["nanogpt"]["bits_per_character"]
    cut["machine"]["cores"] = "two"
    with pytest.raises(WrongValue) as caught:
        check_record(cut)
    message = str(caught.value)
    assert caught.value.argument == "record" and "\n" not in message
    for part in ("complete: False", "points[3].nanogpt.bits_per_character: missing", "machine.cores: expected int"):
        assert part in message
    with pytest.raises(WrongValue, match="^record: "):
        check_record([])
    with pytest.raises(WrongValue, match="^path: no benchmark record"):
        benchmark_record(tmp_path / "missing.json")


def test_repeated_segments_repeat_a_segment_in_a_walk_that_follows_one_rule():
    from gpt2guide.train import repeated_segments

    ids, mask = repeated_segments(200, 40, vocab_size=32, seed=3)
    assert ids.shape == mask.shape == (200, 40) and mask.dtype == torch.bool
    rule = {}
    for row, counted in zip(ids.tolist(), mask.tolist()):
        hidden = [t for t in range(40) if not counted[t]]  # the walk's first two ids, the first copy, the copy's first id
        assert hidden[:2] == [0, 1]
        first = hidden[2:]  # start .. start + n: the first copy and the second copy's first id
        start, n = first[0], len(first) - 1
        assert first == list(range(start, start + n + 1)) and 4 <= n <= 18
        segment = row[start:start + n]
        assert row[start + n:start + 2 * n] == segment and len(set(segment)) == n  # twice, distinct ids
        for t in range(2, 40):
            if counted[t] and not start + n < t < start + 2 * n:  # a step of the walk
                assert rule.setdefault((row[t - 2], row[t - 1]), row[t]) == row[t]  # one rule for every row
    assert len(rule) > 500  # most of the 32 x 32 pairs were seen, each with one next id
    again, _ = repeated_segments(200, 40, vocab_size=32, seed=3)
    assert torch.equal(ids, again)
    with pytest.raises(WrongValue) as caught:
        repeated_segments(10, 40, vocab_size=32, longest=20)
    assert caught.value.argument == "longest"


def test_a_float64_run_stays_in_float64_from_the_float32_start():
    with one_thread():
        wide = train(ids=STREAM, vocab_size=32, steps=2, dtype=torch.float64, **SMALL)
        narrow = train(ids=STREAM, vocab_size=32, steps=2, **SMALL)
    assert all(p.dtype == torch.float64 for p in wide.model.parameters())
    assert wide.card["recipe"]["dtype"] == "float64" and "dtype" not in narrow.card["recipe"]
    assert wide.losses[0] == pytest.approx(narrow.losses[0], rel=1e-5)  # the same weights at the start
    for bad, error in (("float64", WrongType), (torch.float16, WrongValue)):
        with pytest.raises(error) as caught:
            train(ids=STREAM, vocab_size=32, steps=1, dtype=bad, **SMALL)
        assert caught.value.argument == "dtype"
