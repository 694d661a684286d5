"""Figure ``induction-head``: an induction head forming during the interpretability page's training run.

The run is the page's (docs/beyond/interpretability.*.md, section ``#induction-grows``): a GPT-2 of 2
blocks, width 64, 4 heads, a vocabulary of 32 ids, trained in float64 with ``gpt2guide.train`` on
``repeated_segments`` rows. ``PAGE_RUN`` holds the page's arguments. Left: at each evaluation, the
loss on the second copy of 16 probe rows (12 random ids, twice) and the best induction score of a
head of block 1, against the step: the phase change. Right: the attention weights of that head on
one probe row after training; the stripe below the diagonal, 11 places back, is each position of
the second copy attending to the token after its first occurrence.
References: Olsson et al. 2022 (the phase change, their figures of the loss and of induction
scores over training); Elhage et al. 2021; tools/figures/train_your_own.py (the same pattern).
"""

from __future__ import annotations

import math

from . import FigureSpec, style

# The page's calls, argument for argument (docs/beyond/interpretability.*.md, section #induction-grows).
TASK = dict(rows=4000, length=40, vocab_size=32, seed=0)
PROBE = dict(n_tokens=12, seed=1, vocab=32, bos=None, batch=16)
PAGE_RUN = dict(vocab_size=32, layers=2, width=64, heads=4, context=40, steps=1000, lr=1e-2, weight_decay=0.0,
                batch_size=32, eval_every=100, eval_tokens=4096, quiet=True, threads=1)

SPEC = FigureSpec(
    name="induction-head",
    order=21,
    title={"ja": "誘導ヘッドができるまで(2 ブロックの小さな GPT-2)",
           "en": "An induction head forms (a 2-block GPT-2)"},
    alt={"ja": "左は折れ線グラフで、横軸が学習のステップ、縦軸は二つあります。青い線は、12 個のランダムな ID を 2 回"
               "繰り返した列での 2 回目の損失(ナット)で、一様な推測の ln 32 ≈ 3.47 のあたりからしばらく"
               "ほとんど下がらず、あるステップで急に下がります(相転移)。オレンジの線はブロック 1 のアテンション"
               "ヘッドのうち最も高い誘導スコアで、損失が下がるのと同じところで 0 近くから急に上がります。右は、"
               "学習後のそのアテンションヘッドの、一つの列でのアテンションの重みのヒートマップで、2 回目の各位置"
               "から、1 回目の同じ ID の次の位置への斜めの帯が見えます。",
           "en": "Left, a line chart against the training step with two vertical axes. The blue line is the loss "
                 "(nats) on the second copy of rows of 12 random ids written twice: it stays near ln 32 = 3.47, a "
                 "uniform guess, for a while, then falls suddenly (the phase change). The orange line is the best "
                 "induction score of a head in block 1: it jumps from near 0 where the loss falls. Right, a heat map "
                 "of that head's attention weights on one such row after training: a diagonal stripe below the "
                 "main diagonal, from each position of the second copy to the position after the same id in the "
                 "first copy."},
)


def data() -> dict:
    import torch

    from gpt2guide import interpret
    from gpt2guide.train import repeated_segments, train

    ids, mask = repeated_segments(TASK["rows"], TASK["length"], vocab_size=TASK["vocab_size"], seed=TASK["seed"])
    probe = interpret.repeated_tokens(PROBE["n_tokens"], seed=PROBE["seed"], vocab=PROBE["vocab"],
                                      bos=PROBE["bos"], batch=PROBE["batch"])

    def watch(step, model):
        return {"second_copy": interpret.copy_losses(model, probe, PROBE["n_tokens"])[1],
                "induction": interpret.induction_scores(model, probe, PROBE["n_tokens"])[1].max().item()}

    run = train(ids=ids, loss_mask=mask, on_eval=watch, dtype=torch.float64, **PAGE_RUN)
    scores = interpret.induction_scores(run.model, probe, PROBE["n_tokens"])  # (n_layer, n_head)
    head = scores[1].argmax().item()
    weights = interpret.attention_patterns(run.model, probe[:1])[1, 0, head]  # (seq, seq)
    return {"steps": [h["step"] for h in run.history],
            "second_copy": [h["extra"]["second_copy"] for h in run.history],
            "induction": [h["extra"]["induction"] for h in run.history],
            "uniform": math.log(TASK["vocab_size"]), "head": head, "weights": weights.tolist()}


def draw(data: dict, lang: str):
    import numpy as np

    text = {"ja": ("ステップ", "2 回目の損失(ナット)", "誘導スコア(ブロック 1 の最大)", "ln 32 ≈ {u:.2f}(一様な推測)",
                   "学習後の重み\n(ブロック 1、アテンションヘッド {h})", "キーの位置", "クエリの位置"),
            "en": ("step", "loss on the second copy (nats)", "induction score (best head of block 1)",
                   "ln 32 = {u:.2f} (a uniform guess)", "attention weights after training\n(block 1, head {h})",
                   "key position", "query position")}[lang]
    fig = style.new_figure(4.2)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    left, right = fig.subplots(1, 2, width_ratios=[1.35, 1])
    left.plot(data["steps"], data["second_copy"], marker="o", markersize=4, color=style.BLUE, label=text[1])
    left.axhline(data["uniform"], color=style.GREY, linestyle=":", linewidth=1.2, label=text[3].format(u=data["uniform"]))
    left.set_xlabel(text[0])
    left.set_ylabel(text[1], color=style.BLUE)
    left.set_ylim(0, max(data["uniform"], max(data["second_copy"])) * 1.12)
    twin = left.twinx()
    twin.plot(data["steps"], data["induction"], marker="s", markersize=4, color=style.ORANGE, label=text[2])
    twin.set_ylim(0, 1)
    twin.set_ylabel(text[2], color=style.ORANGE)
    lines = left.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    left.legend(lines, [line.get_label() for line in lines], loc="upper center", bbox_to_anchor=(0.5, -0.2),
                fontsize=7.5, handlelength=1.8, frameon=False)
    weights = np.array(data["weights"])
    right.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    right.set_title(text[4].format(h=data["head"]), fontsize=9)
    right.set_xlabel(text[5])
    right.set_ylabel(text[6])
    right.tick_params(labelsize=7.5)
    return fig
