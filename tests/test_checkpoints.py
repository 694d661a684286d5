"""Loading checkpoints: the pocket model, local folders, skeletons, configs and argument errors."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model, GPT2Tokenizer

from gpt2guide import load, skeleton
from gpt2guide.checkpoints import NAMES, POCKET_DIR, config_of

REPOSITORY = Path(__file__).resolve().parents[1]
KNOWN = "known: pocket, gpt2, gpt2-medium, gpt2-large, gpt2-xl, distilgpt2"


def test_pocket_loads_in_eval_mode(pocket):
    model, tokenizer = pocket
    assert isinstance(model, GPT2LMHeadModel)
    assert isinstance(tokenizer, GPT2Tokenizer)
    assert not any(module.training for module in model.modules())
    assert {p.device.type for p in model.parameters()} == {"cpu"}
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert model.lm_head.weight is model.transformer.wte.weight


def test_pocket_body_without_head():
    model, tokenizer = load("pocket", head=False, device="cpu")
    assert type(model) is GPT2Model
    assert not model.training
    assert isinstance(tokenizer, GPT2Tokenizer)


@pytest.mark.parametrize("name", ["gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2"])
def test_configs(name):
    expected = {"gpt2": (12, 768, 12), "gpt2-medium": (24, 1024, 16), "gpt2-large": (36, 1280, 20),
                "gpt2-xl": (48, 1600, 25), "distilgpt2": (6, 768, 12)}[name]
    config = config_of(name)
    assert (config.n_layer, config.n_embd, config.n_head) == expected
    assert (config.n_positions, config.vocab_size) == (1024, 50257)


def test_names():
    assert NAMES == ("pocket", "gpt2", "gpt2-medium", "gpt2-large", "gpt2-xl", "distilgpt2")


@pytest.mark.parametrize("head", [True, False])
def test_skeleton_is_on_meta(head):
    model = skeleton("distilgpt2", head=head)
    assert type(model) is (GPT2LMHeadModel if head else GPT2Model)
    tensors = [*model.parameters(), *model.buffers()]
    assert tensors and {t.device.type for t in tensors} == {"meta"}
    assert not model.training


def test_skeleton_unknown_size():
    with pytest.raises(ValueError, match=r"^name: unknown checkpoint 'gpt3'; known: gpt2"):
        skeleton("gpt3")


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory, tokenizer):
    """A tiny random GPT-2 and the GPT-2 tokenizer, saved as a local checkpoint folder."""
    folder = tmp_path_factory.mktemp("tiny")
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=8, n_head=2, n_positions=16))
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder, model.state_dict()


@pytest.mark.parametrize("as_str", [False, True])
@pytest.mark.slow  # writes and reloads a checkpoint (not in the quick loop)
def test_local_folder(tiny_folder, as_str):
    folder, saved = tiny_folder
    model, tokenizer = load(str(folder) if as_str else folder)
    assert isinstance(model, GPT2LMHeadModel) and not model.training
    assert (model.config.n_layer, model.config.n_embd, model.config.n_positions) == (1, 8, 16)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in saved.items())
    assert tokenizer.encode("uou") == [84, 280]


def test_local_folder_is_saved_as_safetensors(tiny_folder):
    folder, _ = tiny_folder
    assert (folder / "model.safetensors").is_file()
    assert not list(folder.glob("*.bin"))


def test_folder_without_config(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(ValueError, match=r"^name: folder .* holds no config.json"):
        load(tmp_path)


def test_unknown_name_lists_the_names():
    with pytest.raises(ValueError, match=rf"^name: unknown checkpoint 'gpt5'; {KNOWN} "):
        load("gpt5")


@pytest.mark.skipif(torch.cuda.device_count() > 7, reason="this machine has a cuda:7")
def test_missing_cuda_device():
    with pytest.raises(ValueError, match=r"^device: 'cuda:7' does not exist here"):
        load("pocket", device="cuda:7")


@pytest.mark.parametrize(("device", "error"), [("banana", ValueError), ("tpu", ValueError), (3.5, TypeError)])
def test_bad_device(device, error):
    with pytest.raises(error, match=r"^device: ") as raised:
        load("pocket", device=device)
    assert not isinstance(raised.value, {ValueError: TypeError, TypeError: ValueError}[error])


def test_a_name_of_the_wrong_type():
    with pytest.raises(TypeError, match=r"^name: expected a checkpoint name \(str\), got int"):
        load(124)


def test_pocket_folder_is_small_and_pickle_free():
    files = [p for p in POCKET_DIR.iterdir() if p.is_file()]
    assert sum(p.stat().st_size for p in files) <= 16_000_000
    assert (POCKET_DIR / "model.safetensors").is_file()
    assert not [p.name for p in files if p.suffix in {".bin", ".pt", ".pth", ".ckpt", ".pkl", ".h5", ".msgpack"}]
    assert {"config.json", "vocab.json", "merges.txt"} <= {p.name for p in files}


# -- checkpoints that cannot be loaded: one clear error naming them and the fix ---------------------

def _broken(tmp_path, damage: str) -> Path:
    """A copy of the pocket checkpoint, damaged one way."""
    folder = tmp_path / damage
    shutil.copytree(POCKET_DIR, folder)
    if damage == "truncated":
        weights = folder / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    elif damage == "header":
        (folder / "model.safetensors").write_bytes(b"\x05\x00")
    elif damage == "config":
        (folder / "config.json").write_text('{"n_layer": 4,')
    elif damage == "weights":
        (folder / "model.safetensors").unlink()
    elif damage == "tokenizer":
        (folder / "merges.txt").unlink()
    elif damage == "vocab":
        (folder / "vocab.json").write_text("{")
    return folder


BROKEN = {
    "truncated": r"the weights of .*truncated \(model.safetensors\) are damaged or truncated \(.*\); download or "
                 "export the checkpoint again",
    "header": r"\(model.safetensors\) are damaged or truncated",
    "config": r"config.json is not valid JSON \(.*line 1 column 15.*\); restore the file or download",
    "weights": r"holds no model.safetensors \(the weights; this library reads safetensors only\)",
    "tokenizer": r"holds no tokenizer \(tokenizer.json, or vocab.json and merges.txt\)",
    "vocab": r"cannot be loaded as a GPT-2 checkpoint \(.*\); download or save the checkpoint again",
}


@pytest.fixture
def no_cache(tmp_path, monkeypatch):
    """An empty Hugging Face home, so that nothing is ever found in a real cache."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("damage", BROKEN)
def test_a_broken_folder_is_one_clear_error(tmp_path, no_cache, damage):
    from gpt2guide.checkpoints import CheckpointError

    folder = _broken(tmp_path, damage)
    with pytest.raises(CheckpointError, match=rf"^name: .*{BROKEN[damage]}") as raised:
        load(folder)
    assert isinstance(raised.value, ValueError) and str(folder) in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("damage", BROKEN)
def test_the_cli_says_it_in_one_line_naming_the_option(tmp_path, no_cache, capsys, damage):
    from gpt2guide.cli import main

    folder = _broken(tmp_path, damage)
    assert main(["generate", "Hello", "--checkpoint", str(folder)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert re.match(rf"gpt2guide generate: error: --checkpoint: .*{BROKEN[damage]}", err)


OFFLINE = ("'gpt2' (openai-community/gpt2) is not in the Hugging Face cache and the hub is switched off "
           "(HF_HUB_OFFLINE=1); download it once with HF_HUB_OFFLINE=0 where huggingface.co is reachable, "
           "or pass a local checkpoint folder")


@pytest.mark.slow  # two fresh Python processes (imports) (not in the quick loop)
def test_a_hub_checkpoint_offline_and_not_cached(tmp_path):
    """In a fresh process with an empty HF_HOME (the hub's constants are read on import)."""
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join([str(REPOSITORY / "src"), os.environ.get("PYTHONPATH", "")])}
    code = ("import gpt2guide\ntry:\n    gpt2guide.load('gpt2')\nexcept ValueError as error:\n"
            "    print(type(error).__name__, error)")
    python = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env)
    assert python.stdout.strip() == f"CheckpointError name: {OFFLINE}", python.stderr
    cli = subprocess.run([sys.executable, "-m", "gpt2guide", "generate", "Hello", "--checkpoint", "gpt2"],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert cli.returncode == 2
    assert cli.stderr.splitlines() == [f"gpt2guide generate: error: --checkpoint: {OFFLINE}"]


@pytest.mark.slow  # two gpt2-wide models (not in the quick loop)
def test_no_library_function_changes_the_callers_random_state():
    """Models with seeded random weights draw them from a forked random state: the caller's stays as it was."""
    from gpt2guide.backward import passage
    from gpt2guide.checkpoints import random_model

    torch.manual_seed(1234)
    before = torch.random.get_rng_state()
    first = random_model("gpt2", n_layer=1, seed=5)
    passage.tiny_model(40)
    assert torch.equal(torch.random.get_rng_state(), before)
    second = random_model("gpt2", n_layer=1, seed=5)  # the seed alone decides the weights
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))
