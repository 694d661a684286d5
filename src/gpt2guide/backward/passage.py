"""A training run by hand: a tiny GPT-2 learning one Austen passage with ``gradients`` and ``AdamW``.

Chapter 6 writes this loop out on its page; ``run`` is the same loop, for the figure that draws
its loss (tools/figures/hand_training.py) and for the test that proves it equals the same run with
autograd and ``torch.optim.AdamW`` (tests/test_backward.py). The passage is the opening of the
pocket model's held-out text (the last chapter of *Sense and Sensibility*), tokenized with GPT-2's
tokenizer; its distinct tokens are numbered 0, 1, ... so that the tiny model's vocabulary is
only those (a few hundred, not 50,257), which keeps a step to milliseconds on a CPU.
The pocket model's real training (tools/pocket_build/training.py) is the same loop with
autograd, 1,200 steps on the whole corpus. Float64, so that the run is the same on every CPU.
References: karpathy/nanoGPT ``train.py``; karpathy/llm.c ``train_gpt2.c`` (``main``).
"""

from __future__ import annotations

import torch

from ..validation import check_int

PASSAGE_CHARACTERS = 1500  # how much of the held-out text (whole paragraphs up to this many characters)
BLOCK_SIZE = 32  # tokens per training window
BATCH_SIZE = 8  # windows per step
STEPS = 60  # optimizer steps of the run
LR = 1e-2  # AdamW's learning rate (a tiny model takes large steps)
WEIGHT_DECAY = 0.01
SEED = 0


def passage(characters: int = PASSAGE_CHARACTERS) -> str:
    """The first paragraphs of the held-out text, whole, up to ``characters`` characters."""
    from ..pocket.held_out import held_out_text

    characters = check_int(characters, "characters", minimum=100)
    kept: list[str] = []
    for paragraph in held_out_text().split("\n"):
        if kept and len("\n".join([*kept, paragraph])) > characters:
            break
        kept.append(paragraph)
    return "\n".join(kept)


def renumbered_tokens(text: str) -> tuple[torch.Tensor, list[int]]:
    """``(ids, vocabulary)``: the text's GPT-2 token ids renumbered 0 .. V-1, and the GPT-2 id of each number."""
    from ..tokens import gpt2_tokenizer

    gpt2_ids = gpt2_tokenizer().encode(text).ids
    vocabulary = sorted(set(gpt2_ids))  # the distinct tokens, in GPT-2's order
    number = {token: i for i, token in enumerate(vocabulary)}
    return torch.tensor([number[t] for t in gpt2_ids]), vocabulary  # (n_tokens,)


def tiny_model(vocab_size: int, seed: int = SEED, dtype: torch.dtype = torch.float64):
    """A fresh 2-layer GPT-2 (width 32, 4 heads, context ``BLOCK_SIZE``) with ``vocab_size`` tokens, in eval mode."""
    from transformers import GPT2Config, GPT2LMHeadModel

    vocab_size = check_int(vocab_size, "vocab_size", minimum=2)
    config = GPT2Config(vocab_size=vocab_size, n_positions=BLOCK_SIZE, n_embd=32, n_layer=2, n_head=4,
                        bos_token_id=None, eos_token_id=None)  # no <|endoftext|> in this vocabulary
    with torch.random.fork_rng(devices=[]):  # the seed draws these weights; the caller's random state is kept
        torch.manual_seed(seed)
        return GPT2LMHeadModel(config).to(dtype).eval()  # eval: no dropout, as gradients() assumes


def random_windows(ids: torch.Tensor, generator: torch.Generator, batch_size: int = BATCH_SIZE) -> torch.Tensor:
    """``batch_size`` random windows of ``BLOCK_SIZE`` tokens from ``ids``: (batch_size, BLOCK_SIZE)."""
    starts = torch.randint(0, len(ids) - BLOCK_SIZE + 1, (batch_size,), generator=generator)
    return torch.stack([ids[s : s + BLOCK_SIZE] for s in starts.tolist()])


def run(steps: int = STEPS) -> dict:
    """The page's loop: ``steps`` steps of ``gradients`` and ``AdamW``; the loss of each step's batch before its update."""
    from . import AdamW, loss_and_gradients

    steps = check_int(steps, "steps", minimum=1)
    ids, vocabulary = renumbered_tokens(passage())
    tiny = tiny_model(len(vocabulary))
    optimizer = AdamW(dict(tiny.named_parameters()), lr=LR, weight_decay=WEIGHT_DECAY)
    generator = torch.Generator().manual_seed(SEED)
    losses = []
    for _ in range(steps):
        batch = random_windows(ids, generator)  # (8, 32)
        loss, grads = loss_and_gradients(tiny, batch)
        losses.append(loss.item())
        optimizer.step(grads)
    return {"losses": losses, "tokens": len(ids), "vocab_size": len(vocabulary)}
