"""What the pocket-model figures are drawn from: one prompt, the model in float64, its next-token logits.

The figures run the pocket model in float64 (its float16 weights are exact in float64). float32
sums can differ in the last bit between CPUs and thread counts; in float64 those differences stay
far below the precision of an SVG coordinate, so a figure redrawn on another machine is the same
bytes. The model runs on one thread (``gpt2guide.threads.one_thread``): the same order of sums on
every machine, and on a machine whose cores are busy (the guide's tests run beside other jobs) it
is also the fastest.
The library's filters and search are pure functions of the logits and the model, so they run
unchanged on float64 input.
"""

from __future__ import annotations

from functools import cache

from gpt2guide.constants import RUNNING_PROMPT as PROMPT  # the guide's running example (7 tokens)


@cache
def pocket():
    """``(model, tokenizer)``: the bundled pocket GPT-2 in float64, loaded once per process."""
    import torch

    from gpt2guide.checkpoints import load

    model, tokenizer = load("pocket")
    return model.to(torch.float64), tokenizer


def prompt_ids():
    """The prompt as a (1, seq) tensor of token ids."""
    from gpt2guide.decoding.distribution import encode

    _, tokenizer = pocket()
    return encode(tokenizer, PROMPT)  # (1, 7)


def next_logits():
    """The pocket model's float64 logits for the token after ``PROMPT``, shape (vocab,)."""
    import torch

    model, _ = pocket()
    with torch.inference_mode():
        return model(prompt_ids(), logits_to_keep=1).logits[0, -1, :]  # (vocab,), float64


def token_text(token_id: int) -> str:
    """One token id as text (a leading space is part of the token)."""
    _, tokenizer = pocket()
    return tokenizer.decode([int(token_id)])
