"""Loading GPT-2 checkpoints: the bundled ``pocket`` model, the hub sizes, and meta-device skeletons.

A checkpoint is one state of a model's parameters: the same checkpoint means every parameter has
the same value. ``load`` returns a ready model and its tokenizer; ``skeleton`` builds the exact
architecture of an official size on the meta device (names, shapes, counts; no weights, no download).
References: transformers' ``GPT2Config`` / ``from_pretrained``; nanoGPT's ``GPT.from_pretrained``.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import torch

from .constants import N_POSITIONS, POCKET_DIR, VOCAB_SIZE
from .validation import WrongType, WrongValue, check_choice, check_int

# The API a reader learns; check_device is a helper (public only for the training loop, gpt2guide.train).
__all__ = ["HUB_IDS", "NAMES", "SIZES", "CheckpointError", "config_of", "load", "random_model", "skeleton"]

# Hub ids of the official checkpoints (the OpenAI weights now live under openai-community).
HUB_IDS = {
    "gpt2": "openai-community/gpt2",
    "gpt2-medium": "openai-community/gpt2-medium",
    "gpt2-large": "openai-community/gpt2-large",
    "gpt2-xl": "openai-community/gpt2-xl",
    "distilgpt2": "distilbert/distilgpt2",
}

# (n_layer, n_embd, n_head) of each official size; all share N_POSITIONS and VOCAB_SIZE.
SIZES = {
    "gpt2": (12, 768, 12),
    "gpt2-medium": (24, 1024, 16),
    "gpt2-large": (36, 1280, 20),
    "gpt2-xl": (48, 1600, 25),
    "distilgpt2": (6, 768, 12),
}

NAMES = ("pocket", *HUB_IDS)


class CheckpointError(WrongValue):
    """A checkpoint that cannot be loaded: not downloaded and the hub out of reach, or a folder
    with a missing or damaged file. The message names the checkpoint and what to do."""


def config_of(name: str):
    """The ``GPT2Config`` of an official size, from the constants above (no download)."""
    from transformers import GPT2Config

    check_choice(name, SIZES, "name", what="checkpoint")
    n_layer, n_embd, n_head = SIZES[name]
    return GPT2Config(n_layer=n_layer, n_embd=n_embd, n_head=n_head, n_positions=N_POSITIONS, vocab_size=VOCAB_SIZE)


def skeleton(name: str, *, head: bool = True):
    """The architecture of ``name`` on the meta device: every tensor's name and shape, no values."""
    from transformers import GPT2LMHeadModel, GPT2Model

    config = config_of(name)
    with torch.device("meta"):
        model = (GPT2LMHeadModel if head else GPT2Model)(config)
    return model.eval()


def random_model(name: str = "gpt2", *, n_layer: int | None = None, seed: int = 0):
    """``GPT2LMHeadModel`` with the architecture of ``name`` (optionally fewer layers) and random weights.

    Speed does not depend on the values (``tools/bench.py``), and hand-written decoding must
    equal ``generate`` on any weights (the tests).
    """
    from transformers import GPT2LMHeadModel

    config = config_of(name)
    if n_layer is not None:
        config.n_layer = check_int(n_layer, "n_layer", minimum=1)
    with torch.random.fork_rng(devices=[]):  # the seed draws these weights; the caller's random state is kept
        torch.manual_seed(seed)
        return GPT2LMHeadModel(config).eval()


def _source(name: str | Path) -> str:
    """Where ``from_pretrained`` reads ``name`` from: the package, a hub id, or a local folder."""
    if isinstance(name, Path) or (isinstance(name, str) and Path(name).is_dir()):
        return str(_check_folder(Path(name)))
    check_choice(name, NAMES, "name", what="checkpoint", hint="or pass a local checkpoint folder")
    return str(_check_folder(POCKET_DIR)) if name == "pocket" else HUB_IDS[name]


def _check_folder(folder: Path) -> Path:
    """A checkpoint folder with every file ``load`` reads: a config that parses, the weights, the tokenizer."""
    config = folder / "config.json"
    if not config.is_file():
        raise CheckpointError("name", f"folder {folder} holds no config.json, so it is no checkpoint; pass a folder "
                              "written by model.save_pretrained and tokenizer.save_pretrained")
    try:
        json.loads(config.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError("name", f"{config} is not valid JSON ({error}); restore the file or download the "
                              "checkpoint again") from None
    if not (folder / "model.safetensors").is_file():
        raise CheckpointError("name", f"folder {folder} holds no model.safetensors (the weights; this library reads "
                              "safetensors only); save them with model.save_pretrained or download them again")
    if not ((folder / "tokenizer.json").is_file() or all((folder / n).is_file() for n in ("vocab.json", "merges.txt"))):
        raise CheckpointError("name", f"folder {folder} holds no tokenizer (tokenizer.json, or vocab.json and "
                              "merges.txt); save it with tokenizer.save_pretrained or download it again")
    return folder


def _cannot_load(name, source: str, error: Exception) -> CheckpointError:
    """What went wrong in ``from_pretrained``, said in one line with what to do."""
    from huggingface_hub import constants
    from safetensors import SafetensorError

    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, SafetensorError):
        return CheckpointError("name", f"the weights of {source} (model.safetensors) are damaged or truncated "
                               f"({first}); download or export the checkpoint again")
    if not Path(source).is_dir() and isinstance(error, OSError):  # the hub: not cached, and no way to fetch it
        if constants.HF_HUB_OFFLINE:
            return CheckpointError("name", f"{name!r} ({source}) is not in the Hugging Face cache and the hub is "
                                   "switched off (HF_HUB_OFFLINE=1); download it once with HF_HUB_OFFLINE=0 where "
                                   "huggingface.co is reachable, or pass a local checkpoint folder")
        return CheckpointError("name", f"{name!r} ({source}) could not be downloaded from huggingface.co ({first}); "
                               "check the connection, or pass a local checkpoint folder")
    return CheckpointError("name", f"{source} cannot be loaded as a GPT-2 checkpoint ({first}); download or save "
                           "the checkpoint again")


def check_device(device):
    """A ``torch.device`` that exists on this machine (``None`` means the CPU)."""
    if device is None:
        return torch.device("cpu")
    if not isinstance(device, (str, torch.device)):
        raise WrongType("device", f"expected a device name such as 'cpu' or 'cuda:0', got {type(device).__name__}")
    try:
        target = torch.device(device)
    except RuntimeError as error:
        raise WrongValue("device", f"{device!r} is not a device name such as 'cpu' or 'cuda:0' ({error})") from None
    if target.type == "cuda" and (not torch.cuda.is_available() or (target.index or 0) >= torch.cuda.device_count()):
        raise WrongValue("device", f"{device!r} does not exist here (CUDA available: {torch.cuda.is_available()}); "
                         "use 'cpu'")
    if target.type == "mps" and not torch.backends.mps.is_available():
        raise WrongValue("device", f"{device!r} does not exist here; use 'cpu'")
    if target.type not in ("cpu", "cuda", "mps"):
        raise WrongValue("device", f"{device!r} is not supported; use 'cpu' or 'cuda'")
    return target


def load(name: str | Path = "pocket", *, head: bool = True, device: str | torch.device | None = None):
    """``(model, tokenizer)`` for a checkpoint, in eval mode, on ``device`` (default: the CPU).

    ``head=True`` gives ``GPT2LMHeadModel`` (body + language-model head), ``head=False`` the body
    alone (``GPT2Model``). Hub names download once into the Hugging Face cache (safetensors only).
    A checkpoint that cannot be loaded (offline and not cached, a missing or damaged file) raises
    ``CheckpointError`` (a ``ValueError``) naming it and what to do.
    """
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    source = _source(name)
    target = check_device(device)
    model_class = AutoModelForCausalLM if head else AutoModel
    # A local folder loads in a blink: keep its "Loading weights" bar off the reader's screen.
    with _quiet_progress(local=Path(source).is_dir()):
        try:
            model = model_class.from_pretrained(source, dtype=torch.float32, use_safetensors=True)
            tokenizer = AutoTokenizer.from_pretrained(source)
        except Exception as error:  # noqa: BLE001 - every way from_pretrained fails becomes one line
            raise _cannot_load(name, source, error) from error
    return model.to(target).eval(), tokenizer


@contextmanager
def _quiet_progress(local: bool):
    from transformers.utils import logging

    was_enabled = logging.is_progress_bar_enabled()
    if local and was_enabled:
        logging.disable_progress_bar()
    try:
        yield
    finally:
        if local and was_enabled:
            logging.enable_progress_bar()
