"""What a training run builds and how it steps: named model sizes, the pocket recipe, a fresh model.

A size is a GPT-2 shape (layers, width, heads, context); the vocabulary is always GPT-2's 50,257
tokens, except for synthetic token-id tasks, which may use fewer. ``TrainConfig`` is the recipe the
bundled pocket model was trained with (chapter 6 reads it); ``new_model`` builds the untrained
``GPT2LMHeadModel`` from a seed without touching the caller's global random state.
References: nanoGPT's ``GPTConfig`` and README (the CPU recipe 4 layers x 128 wide x 4 heads,
context 64); transformers' ``GPT2Config``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..constants import END_OF_TEXT_ID, VOCAB_SIZE
from ..validation import WrongValue, check_choice, check_int


@dataclass(frozen=True)
class Shape:
    n_layer: int  # transformer blocks
    n_embd: int  # width of the residual stream
    n_head: int  # attention heads (n_embd / n_head dimensions each)
    n_positions: int  # context: the longest window the model reads


# Named shapes, smallest first. "pocket" is the bundled model's shape; "nano" nanoGPT's CPU recipe.
SIZES = {
    "tiny": Shape(2, 64, 2, 64),  # trains visibly within seconds on one CPU core
    "nano": Shape(4, 128, 4, 64),  # nanoGPT's README CPU recipe (with GPT-2's vocabulary)
    "pocket": Shape(4, 120, 4, 256),  # the bundled pocket model
    "small": Shape(6, 192, 6, 256),  # for an hour or more on a laptop
}


def shape_of(size="tiny", *, layers=None, width=None, heads=None, context=None) -> Shape:
    """The model shape: ``size`` by name, with any of layers/width/heads/context overriding it."""
    base = SIZES[check_choice(size, SIZES, "size", what="size")]
    shape = Shape(
        n_layer=base.n_layer if layers is None else check_int(layers, "layers", minimum=1),
        n_embd=base.n_embd if width is None else check_int(width, "width", minimum=1),
        n_head=base.n_head if heads is None else check_int(heads, "heads", minimum=1),
        n_positions=base.n_positions if context is None else check_int(context, "context", minimum=2),
    )
    if shape.n_embd % shape.n_head:
        argument = "width" if width is not None else "heads"
        raise WrongValue(argument, f"width {shape.n_embd} is not divisible by {shape.n_head} heads; "
                         "choose a width that is a multiple of the number of heads")
    return shape


@dataclass(frozen=True)
class TrainConfig:
    """The pocket model's recipe (chapter 6 shows it; ``tools/pocket_build`` trains with it)."""

    n_layer: int = 4  # transformer blocks
    n_embd: int = 120  # width; the 50257 x n_embd embedding dominates the file size
    n_head: int = 4  # attention heads (n_embd / n_head = 30 dimensions each)
    n_positions: int = 256  # context length of the pocket model
    block_size: int = 256  # tokens per training window (= n_positions: every position is trained)
    batch_size: int = 8  # windows per step
    steps: int = 1200  # optimizer steps in the whole run
    lr: float = 2e-3  # peak learning rate
    min_lr: float = 2e-4  # learning rate at the end of the cosine
    warmup: int = 100  # steps of linear warm-up
    weight_decay: float = 0.1
    eval_every: int = 200  # steps between held-out evaluations and checkpoints
    eval_batches: int = 8  # held-out windows x batch_size per evaluation
    seed: int = 1234
    dropout: float = 0.1  # GPT-2's default, as the pocket model was trained (the reader's runs use 0)


def gpt2_config(shape: Shape, vocab_size: int = VOCAB_SIZE, dropout: float = 0.0):
    """A ``GPT2Config`` of ``shape`` (transformers' defaults elsewhere, dropout as given)."""
    from transformers import GPT2Config

    end = END_OF_TEXT_ID if vocab_size > END_OF_TEXT_ID else None  # a synthetic vocabulary has no <|endoftext|>
    return GPT2Config(vocab_size=vocab_size, n_positions=shape.n_positions, n_embd=shape.n_embd,
                      n_layer=shape.n_layer, n_head=shape.n_head, resid_pdrop=dropout, embd_pdrop=dropout,
                      attn_pdrop=dropout, bos_token_id=end, eos_token_id=end)


def fresh_model(shape: Shape, *, vocab_size: int = VOCAB_SIZE, dropout: float = 0.0, seed: int = 0):
    """An untrained ``GPT2LMHeadModel`` whose weights depend on ``seed`` alone.

    transformers initialises from torch's global generator: seed it inside ``fork_rng``, so the
    caller's global random state is the same afterwards.
    """
    import torch
    from transformers import GPT2LMHeadModel

    config = gpt2_config(shape, vocab_size, dropout)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return GPT2LMHeadModel(config)


def new_model(config: TrainConfig, vocab_size: int = VOCAB_SIZE):
    """The untrained model of the pocket recipe ``config`` (its seed, its dropout)."""
    shape = Shape(config.n_layer, config.n_embd, config.n_head, config.n_positions)
    return fresh_model(shape, vocab_size=vocab_size, dropout=config.dropout, seed=config.seed)
