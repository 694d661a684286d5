"""Loading GPT-2 checkpoints: the bundled ``pocket`` model, the hub sizes, and meta-device skeletons.

A checkpoint is one state of a model's parameters: the same checkpoint means every parameter has
the same value. ``load`` returns a ready model and its tokenizer; ``skeleton`` builds the exact
architecture of an official size on the meta device (names, shapes, counts; no weights, no download).
References: transformers' ``GPT2Config`` / ``from_pretrained``; nanoGPT's ``GPT.from_pretrained``.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import torch

from .constants import N_POSITIONS, POCKET_DIR, VOCAB_SIZE
from .validation import WrongValue, check_choice, check_device, check_int

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
    torch.manual_seed(seed)
    return GPT2LMHeadModel(config).eval()


def _source(name: str | Path) -> str:
    """Where ``from_pretrained`` reads ``name`` from: the package, a hub id, or a local folder."""
    if isinstance(name, Path) or (isinstance(name, str) and Path(name).is_dir()):
        folder = Path(name)
        if not (folder / "config.json").is_file():
            raise WrongValue("name", f"folder {folder} holds no config.json, so it is no checkpoint")
        return str(folder)
    check_choice(name, NAMES, "name", what="checkpoint", hint="or pass a local checkpoint folder")
    return str(POCKET_DIR) if name == "pocket" else HUB_IDS[name]


def load(name: str | Path = "pocket", *, head: bool = True, device: str | torch.device | None = None):
    """``(model, tokenizer)`` for a checkpoint, in eval mode, on ``device`` (default: the CPU).

    ``head=True`` gives ``GPT2LMHeadModel`` (body + language-model head), ``head=False`` the body
    alone (``GPT2Model``). Hub names download once into the Hugging Face cache (safetensors only).
    """
    from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer

    source = _source(name)
    target = check_device(device)
    model_class = AutoModelForCausalLM if head else AutoModel
    # A local folder loads in a blink: keep its "Loading weights" bar off the reader's screen.
    with _quiet_progress(local=Path(source).is_dir()):
        model = model_class.from_pretrained(source, dtype=torch.float32, use_safetensors=True)
        tokenizer = AutoTokenizer.from_pretrained(source)
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
