"""Loading checkpoints: the pocket model, local folders, skeletons, configs and argument errors."""

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model, GPT2Tokenizer

from gpt2guide import load, skeleton
from gpt2guide.checkpoints import NAMES, POCKET_DIR, config_of

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
