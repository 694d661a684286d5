"""Chapter 6's "Train your own" prints the same samples on every CPU: a last-bit change leaves them as they are.

The page (docs/training.*.md, section #train-your-own) prints the greedy continuation at each evaluation of
two runs, whose arguments tools/figures/train_your_own.py holds (the figure redraws them). Training is
chaotic: another CPU or thread count rounds sums in another order, and the difference grows from step to
step. So each run trains twice, as on the page and with one initial weight moved by one float32 ulp, and the
text the page prints must not change. (Measured on 2 cores: in the float64 run, that ulp parts the two runs'
logits by about 1e-7, two threads instead of one by about 1e-13; in the float32 run both by about 1e-5. Two
threads are not tried here: on a loaded 2-core machine they run up to four times slower than one.) Each
greedy token must also win by a margin (its logit minus the runner-up's) far above the distance between the
two runs' logits: the text is then far from a tie that another machine's last bits could break.
The page's own run checks its text on every run's CPU; this check retrains both runs twice, so it is
`heavy` and runs weekly (pytest --heavy, .github/workflows/real-checkpoints.yml).
References: docs/training.en.md (#train-your-own); tools/figures/train_your_own.py; Lorenz (1963) for why
the runs part.
"""

import functools

import pytest
import torch

import gpt2guide.train.loop as loop
from gpt2guide.pocket.held_out import HELD_OUT_FILE
from gpt2guide.train import train
from gpt2guide.train.data import gpt2_tokenizer
from tools.figures.train_your_own import BY_HEART_RUN, PAGE_RUN, paragraph

SAFETY = 1000  # each greedy token's margin over the runner-up must exceed this many times the runs' drift
AUSTEN_CHARACTERS = 36  # the page prints the first 36 characters of each greedy continuation of this run


@functools.cache
def tokenizer():
    """GPT-2's tokenizer as the runs use it (the tokenizers library's object)."""
    return gpt2_tokenizer().backend_tokenizer


def greedy_margins(model, prompt: str, context: int) -> tuple[list[float], torch.Tensor]:
    """Greedy decoding from ``prompt`` to the end of the context, recomputed in full at each token:
    ``(top-1 minus top-2 logit of each greedy token, those logits (new, vocab) in float64)``."""
    ids = torch.tensor([tokenizer().encode(prompt, add_special_tokens=False).ids])  # (1, n)
    margins, rows = [], []
    with torch.no_grad():
        while ids.shape[1] < context:
            logits = model(ids, logits_to_keep=1).logits[0, -1]  # (vocab,): after the last token
            top = logits.topk(2).values
            margins.append(float(top[0] - top[1]))
            rows.append(logits.double())
            ids = torch.cat([ids, logits.argmax().view(1, 1)], dim=1)  # (1, n + 1)
    return margins, torch.stack(rows)


def watched(monkeypatch, data, arguments: dict, *, nudge: bool):
    """The run with ``arguments``, and ``{step: (margins, logits)}`` of its greedy continuations;
    ``nudge``: the first weight of the first MLP one float32 ulp up at the start."""
    fresh = loop.fresh_model

    def nudged(*args, **kwargs):
        model = fresh(*args, **kwargs)  # float32, before a float64 run widens it
        with torch.no_grad():
            weight = model.transformer.h[0].mlp.c_fc.weight
            weight[0, 0] = torch.nextafter(weight[0, 0], torch.tensor(torch.inf))
        return model

    if nudge:
        monkeypatch.setattr(loop, "fresh_model", nudged)
    seen = {}

    def on_eval(step, model):
        seen[step] = greedy_margins(model, arguments["prompt"], arguments["context"])

    run = train(data, on_eval=on_eval, **arguments)
    monkeypatch.setattr(loop, "fresh_model", fresh)
    return run, seen


@pytest.mark.heavy  # trains each of the page's two runs twice (about 40 s on 2 cores): weekly, with --heavy
@pytest.mark.slow
@pytest.mark.parametrize("name", ["austen", "by_heart"])
def test_the_page_s_samples_survive_a_last_bit_change(monkeypatch, name):
    if name == "austen":
        data, arguments, shown = HELD_OUT_FILE, PAGE_RUN, AUSTEN_CHARACTERS
    else:
        data, arguments, shown = paragraph(), {**BY_HEART_RUN, "dtype": torch.float64}, None
    page, page_seen = watched(monkeypatch, data, arguments, nudge=False)
    other, other_seen = watched(monkeypatch, data, arguments, nudge=True)
    assert [h["step"] for h in page.history] == [h["step"] for h in other.history] == sorted(page_seen)
    for mine, theirs in zip(page.history, other.history):
        step = mine["step"]
        assert mine["greedy"][:shown] == theirs["greedy"][:shown], f"step {step}: the printed sample changed"
        margins, logits = page_seen[step]
        drift = float((logits - other_seen[step][1]).abs().max())
        assert 0 < drift and min(margins) > SAFETY * drift, (
            f"step {step}: a greedy token wins by {min(margins):.3g}, too close to the runs' drift {drift:.3g}")
    if name == "by_heart":  # the run ends with the paragraph's first sentence, word for word
        assert paragraph().startswith(arguments["prompt"] + page.history[-1]["greedy"])
