"""Figure ``hand-training``: chapter 6's training run by hand, its loss at every step.

A tiny GPT-2 (2 layers, width 32) learns the opening of the pocket model's held-out text with
``gpt2guide.backward``'s ``loss_and_gradients`` and ``AdamW`` (no autograd): the run is
``gpt2guide.backward.passage.run``, the same loop the page writes out, recomputed here (float64,
one thread: the same numbers on every CPU). The loss of each step is measured on that step's
batch before its update; the dotted line is ln(vocabulary size), the loss of a uniform guess.
References: the page's section ``#training-by-hand``; tools/figures/training_curve.py (the pocket
model's real run, from its data card).
"""

from __future__ import annotations

import math

from . import FigureSpec, style

SPEC = FigureSpec(
    name="hand-training",
    order=8,
    title={"ja": "手で書いた学習: 小さな GPT-2 がオースティンの一節を覚える",
           "en": "Training by hand: a tiny GPT-2 learns an Austen passage"},
    alt={"ja": "手で書いた逆伝播と AdamW で、2 層、幅 32 の小さな GPT-2 を 60 ステップ学習させたときの損失の"
               "折れ線グラフ。横軸はステップ(0 から 59)、縦軸はそのステップのバッチ(32 トークンの窓 8 個)の"
               "損失です。学習前の約 4.93 (語彙 137 個を一様に当てる ln 137 ≈ 4.92 とほぼ同じ)から、"
               "ほぼ休まず下がり、最後のステップ 59 では約 0.45 になります。一節は 228 トークンしかないので、"
               "モデルはそれを丸暗記していきます。",
           "en": "Line chart of the loss of a tiny GPT-2 (2 layers, width 32) trained for 60 steps with the "
                 "hand-written backward pass and AdamW. The horizontal axis is the step (0 to 59), the vertical "
                 "axis the loss of that step's batch (8 windows of 32 tokens). It starts at about 4.93, the same "
                 "as a uniform guess over the 137 tokens of its vocabulary (ln 137 = 4.92), and falls almost "
                 "without pause to about 0.45 at the last step, 59. The passage is only 228 tokens long, so the model is "
                 "learning it by heart."},
)


def data() -> dict:
    from gpt2guide.backward.passage import run

    result = run()
    return {**result, "uniform": math.log(result["vocab_size"])}


def draw(data: dict, lang: str):
    text = {"ja": ("ステップ", "損失（ナット）", "そのステップのバッチの損失（更新の前）", "ln {v} ≈ {u:.2f}（一様な推測）",
                   "{t} トークンの一節、語彙 {v} 個、autograd なし"),
            "en": ("step", "loss (nats)", "loss of that step's batch (before its update)", "ln {v} = {u:.2f} (a uniform guess)",
                   "a passage of {t} tokens, vocabulary of {v}, no autograd")}[lang]
    losses = data["losses"]
    fig = style.new_figure(3.4)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    ax = fig.subplots()
    ax.set_title(text[4].format(t=data["tokens"], v=data["vocab_size"]), loc="left", fontsize=8.5, color="#555555")
    steps = list(range(len(losses)))
    ax.plot(steps, losses, marker="o", color=style.BLUE, linewidth=1.4, markersize=2.5, label=text[2])
    for x in (0, len(losses) - 1):
        ax.annotate(f"{losses[x]:.2f}", (x, losses[x]), textcoords="offset points", xytext=(6, 6), fontsize=8,
                    color=style.BLUE)
    ax.axhline(data["uniform"], color=style.GREY, linestyle=":", linewidth=1.2,
               label=text[3].format(v=data["vocab_size"], u=data["uniform"]))
    ax.set_xlabel(text[0])
    ax.set_ylabel(text[1])
    ax.set_xlim(-2, len(losses) + 2)
    ax.set_ylim(0, math.ceil(max(losses[0], data["uniform"])) + 0.5)
    ax.grid(axis="y", color="#E6E6E6", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="upper right", bbox_to_anchor=(1, 0.86), handlelength=2)
    return fig
