"""Figure ``training-curve``: the pocket model's loss against the optimizer step, from its data card.

``python -m tools pocket train`` recorded, every ``eval_every`` (200) steps, the loss of that step's
training batch (8 windows of 256 tokens: one batch, so it jitters) and the mean held-out loss over
64 fixed windows; the card also records the held-out loss before training (step 0). Those points are
all there is: no per-step history was kept. Read from ``pocket_card.json``; nothing is recomputed.
References: nanoGPT ``train.py`` (``estimate_loss``); the card's ``history``.
"""

from __future__ import annotations

import math

from . import FigureSpec, style

SPEC = FigureSpec(
    name="training-curve",
    order=7,
    pocket=True,
    title={"ja": "ポケットモデルの学習曲線 (データカードの記録)",
           "en": "The pocket model's training curve (from its data card)"},
    alt={"ja": "ポケットモデルの学習中の損失を、横軸を最適化のステップ(0 から 1200)にして描いた折れ線グラフ。"
               "データカードに記録された点だけを描いています。検証データの損失は、学習前(ステップ 0)の"
               "約 10.85 から、ステップ 200 で約 5.46 に急に下がり、その後ゆっくり下がってステップ 1200 で"
               "約 4.92 になります。学習データの損失は 200 ステップごとにその時点の 1 バッチで測った値で、"
               "上下に揺れながら 5.2 から 4.6 ほどに下がります。点線は ln 50257 ≈ 10.8 です。",
           "en": "Line chart of the pocket model's loss during training against the optimizer step (0 to "
                 "1200), drawn from the points its data card recorded. The held-out loss falls from about "
                 "10.85 before training (step 0) to about 5.46 at step 200, then slowly to about 4.92 at step "
                 "1200. The training loss, measured every 200 steps on that step's single batch, jitters as it "
                 "falls from about 5.2 to about 4.6. The dotted line is ln 50257 = 10.8."},
)


def data() -> dict:
    from gpt2guide.pocket.held_out import card

    record = card()
    history = record["history"]
    return {"steps": [h["step"] for h in history], "train": [h["train_loss"] for h in history],
            "held_out": [h["held_out_loss"] for h in history], "untrained": record["untrained_held_out_loss"],
            "uniform": math.log(50257), "total_steps": record["steps"]}


def draw(data: dict, lang: str):
    text = {"ja": ("ステップ", "損失（ナット）", "検証データの損失（64 窓の平均）", "学習データの損失（そのステップの 1 バッチ）",
                   "ln 50257 ≈ {u:.1f}", "200 ステップごとの記録（ステップ 0 は学習前の検証データの損失）"),
            "en": ("step", "loss (nats)", "held-out loss (mean of 64 windows)", "training loss (that step's one batch)",
                   "ln 50257 = {u:.1f}", "recorded every 200 steps (step 0: held-out loss before training)")}[lang]
    fig = style.new_figure(3.6)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    ax = fig.subplots()
    ax.set_title(text[5], loc="left", fontsize=8.5, color="#555555")
    held_x, held_y = [0, *data["steps"]], [data["untrained"], *data["held_out"]]
    ax.plot(held_x, held_y, marker="o", color=style.BLUE, linewidth=1.6, markersize=4, label=text[2])
    ax.plot(data["steps"], data["train"], marker="s", color=style.ORANGE, linewidth=1.2, markersize=3.5,
            label=text[3])
    for x, y in zip(held_x, held_y):
        ax.annotate(f"{y:.2f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7.5,
                    color=style.BLUE)
    ax.axhline(data["uniform"], color=style.GREY, linestyle=":", linewidth=1.2, label=text[4].format(u=data["uniform"]))
    ax.set_xlabel(text[0])
    ax.set_ylabel(text[1])
    ax.set_xlim(-40, data["total_steps"] + 40)
    ax.set_ylim(0, 12.5)
    ax.set_xticks(range(0, data["total_steps"] + 1, 200))
    ax.grid(axis="y", color="#E6E6E6", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="center right", bbox_to_anchor=(1, 0.62), handlelength=2)
    return fig
