"""Figure ``train-your-own``: chapter 6's own training run with ``gpt2guide.train``, its loss at every step.

The run is the page's (section ``#train-your-own``): a GPT-2 of 1 layer, width 32, 2 heads, context 32
and GPT-2's vocabulary, trained for 120 steps on the pocket model's held-out Austen text (its end held
out again), one thread. ``PAGE_RUN`` holds the page's arguments; the training loss of every step
(``run.losses``: that step's batch, before its update) and the held-out loss of each evaluation
(``run.history``) are drawn; the dotted line is ln 50257, the loss of a uniform guess.
References: the page's section; tools/figures/hand_training.py (the same picture for the run by hand).
"""

from __future__ import annotations

import math

from . import FigureSpec, style

# The page's call, argument for argument (docs/training.*.md, section #train-your-own).
PAGE_RUN = dict(layers=1, width=32, heads=2, context=32, steps=120, lr=1e-2, batch_size=4, eval_every=40,
                eval_tokens=1024, prompt="She was", quiet=True, threads=1)

SPEC = FigureSpec(
    name="train-your-own",
    order=20,
    title={"ja": "gpt2guide.train の学習: 小さな GPT-2 の損失",
           "en": "Training with gpt2guide.train: a tiny GPT-2's loss"},
    alt={"ja": "gpt2guide.train で 1 層、幅 32 の小さな GPT-2 を 120 ステップ学習させたときの損失の折れ線グラフ。"
               "横軸はステップ、縦軸は損失(ナット)です。各ステップのバッチの損失は、一様な推測の ln 50257 ≈ 10.8 の"
               "あたりから始まり、最初の数十ステップで大きく下がり、そのあとはゆっくり下がります。40 ステップごとの"
               "検証データの損失の点も、同じように下がっていきます。",
           "en": "Line chart of the loss of a tiny GPT-2 (1 layer, width 32) trained for 120 steps with "
                 "gpt2guide.train. The horizontal axis is the step, the vertical axis the loss in nats. The loss "
                 "of each step's batch starts near ln 50257 = 10.8, a uniform guess, falls steeply over the first "
                 "few dozen steps and then slowly. The held-out loss, a point every 40 steps, falls the same way."},
)


def data() -> dict:
    from gpt2guide.pocket.held_out import HELD_OUT_FILE
    from gpt2guide.train import train

    run = train(HELD_OUT_FILE, **PAGE_RUN)
    return {"losses": run.losses, "steps": [h["step"] for h in run.history],
            "held_out": [h["held_out_loss"] for h in run.history], "uniform": math.log(50257)}


def draw(data: dict, lang: str):
    text = {"ja": ("ステップ", "損失（ナット）", "そのステップのバッチの損失（更新の前）", "検証データの損失",
                   "ln 50257 ≈ {u:.1f}（一様な推測）"),
            "en": ("step", "loss (nats)", "loss of that step's batch (before its update)", "held-out loss",
                   "ln 50257 = {u:.1f} (a uniform guess)")}[lang]
    losses = data["losses"]
    fig = style.new_figure(3.4)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    ax = fig.subplots()
    ax.plot(range(1, len(losses) + 1), losses, color=style.BLUE, linewidth=1.2, label=text[2])
    ax.plot(data["steps"], data["held_out"], marker="o", linestyle="none", color=style.ORANGE, markersize=5,
            label=text[3])
    for x, y in zip(data["steps"], data["held_out"]):
        ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 8), ha="center", fontsize=8,
                    color=style.ORANGE)
    ax.axhline(data["uniform"], color=style.GREY, linestyle=":", linewidth=1.2, label=text[4].format(u=data["uniform"]))
    ax.set_xlabel(text[0])
    ax.set_ylabel(text[1])
    ax.set_xlim(0, len(losses) + 2)
    ax.set_ylim(0, 12.5)
    ax.grid(axis="y", color="#E6E6E6", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower left", handlelength=2)
    return fig
