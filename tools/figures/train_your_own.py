"""Figure ``train-your-own``: chapter 6's two training runs with ``gpt2guide.train``, their losses at every step.

The runs are the page's (section ``#train-your-own``), both a GPT-2 of 1 layer, width 32 and 2 heads with
GPT-2's vocabulary, on one thread. Left, ``PAGE_RUN``: the pocket model's held-out Austen text (its end held
out again), context 32, 40 steps. Right, ``BY_HEART_RUN``: one paragraph of that text (``paragraph()``, the
last of *Pride and Prejudice*), context 16, 120 steps, in float64. Each panel draws the training loss of every
step (``run.losses``: that step's batch, before its update) and the held-out loss of each evaluation
(``run.history``); the dotted line is ln 50257, the loss of a uniform guess. Left, both fall; right, the
training loss falls to a fraction of a nat while the held-out loss rises: the model learns the paragraph by heart.
tests/test_train_page_samples.py trains both again with a last-bit change and checks that the page's samples stay.
References: the page's section; tools/figures/hand_training.py (the same picture for the run by hand).
"""

from __future__ import annotations

import math

from . import FigureSpec, style

# The page's calls, argument for argument (docs/training.*.md, section #train-your-own); BY_HEART_RUN also
# passes dtype=torch.float64 (kept out of this dict so that reading it imports no torch).
PAGE_RUN = dict(layers=1, width=32, heads=2, context=32, steps=40, lr=1e-2, batch_size=4, eval_every=10,
                eval_tokens=1024, prompt="She was", quiet=True, threads=1)
BY_HEART_RUN = dict(layers=1, width=32, heads=2, context=16, steps=120, lr=1e-2, batch_size=3, eval_every=20,
                    prompt="With the Gardiners,", quiet=True, threads=1)
PARAGRAPH_START = "With the Gardiners"  # the last paragraph of Pride and Prejudice, in the held-out text

SPEC = FigureSpec(
    name="train-your-own",
    order=20,
    title={"ja": "gpt2guide.train の学習: 小さな GPT-2 の損失",
           "en": "Training with gpt2guide.train: a tiny GPT-2's loss"},
    alt={"ja": "gpt2guide.train で 1 層、幅 32 の小さな GPT-2 を学習させたときの損失の折れ線グラフが二つ並んでいます。"
               "横軸はステップ、縦軸は損失(ナット)です。左はオースティンの文章(121,488 文字)での 40 ステップです。"
               "各ステップのバッチの損失は、一様な推測の ln 50257 ≈ 10.8 のあたりから始まって 7 のあたりまで下がり、"
               "10 ステップごとの検証データの損失も 8.4 から 7.3 へ下がります。右は段落一つ(264 文字)での 120 ステップです。"
               "バッチの損失は 0.2 あたりまで下がりますが、検証データの損失は上下しながら 9.5 から 12.1 へ上がり、一様な推測"
               "よりも悪くなります。モデルが段落を丸暗記していることが分かります。",
           "en": "Two line charts of the loss of a tiny GPT-2 (1 layer, width 32) trained with gpt2guide.train. The "
                 "horizontal axes are the step, the vertical axes the loss in nats. Left, 40 steps on Austen's text "
                 "(121,488 characters): the loss of each step's batch starts near ln 50257 = 10.8, a uniform guess, "
                 "and falls to about 7; the held-out loss, a point every 10 steps, falls from 8.4 to 7.3. Right, 120 "
                 "steps on one paragraph (264 characters): the batch loss falls to about 0.2, while the held-out "
                 "loss goes up and down and ends at 12.1, up from 9.5 and worse than a uniform guess: the model "
                 "learns the paragraph by heart."},
)


def paragraph() -> str:
    """The paragraph the page's second run learns: from ``PARAGRAPH_START`` to the end of its line."""
    from gpt2guide.pocket.held_out import held_out_text

    text = held_out_text()
    start = text.index(PARAGRAPH_START)
    return text[start:text.index("\n", start)]


def data() -> dict:
    import torch

    from gpt2guide.pocket.held_out import HELD_OUT_FILE
    from gpt2guide.train import train

    runs = {"austen": train(HELD_OUT_FILE, **PAGE_RUN),
            "by_heart": train(paragraph(), dtype=torch.float64, **BY_HEART_RUN)}
    return {"runs": {name: {"losses": run.losses, "steps": [h["step"] for h in run.history],
                            "held_out": [h["held_out_loss"] for h in run.history],
                            "characters": run.card["characters"] + run.card["held_out_characters"]}
                     for name, run in runs.items()},
            "uniform": math.log(50257)}


def draw(data: dict, lang: str):
    text = {"ja": ("ステップ", "損失(ナット)", "そのステップのバッチの損失(更新の前)", "検証データの損失",
                   "ln 50257 ≈ {u:.1f}(一様な推測)", "オースティンの文章({n:,} 文字)", "段落一つ({n:,} 文字)"),
            "en": ("step", "loss (nats)", "loss of that step's batch (before its update)", "held-out loss",
                   "ln 50257 = {u:.1f} (a uniform guess)", "Austen's text ({n:,} characters)",
                   "one paragraph ({n:,} characters)")}[lang]
    fig = style.new_figure(4.2)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, name, title in zip(axes, ("austen", "by_heart"), (text[5], text[6])):
        run = data["runs"][name]
        losses = run["losses"]
        ax.set_title(title.format(n=run["characters"]), fontsize=9.5)
        ax.plot(range(1, len(losses) + 1), losses, color=style.BLUE, linewidth=1.2, label=text[2])
        ax.plot(run["steps"], run["held_out"], marker="o", linestyle="none", color=style.ORANGE, markersize=5,
                label=text[3])
        for x, y in list(zip(run["steps"], run["held_out"]))[::len(run["steps"]) - 1]:  # the first and the last
            ax.annotate(f"{y:.1f}", (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8,
                        color=style.ORANGE)
        ax.axhline(data["uniform"], color=style.GREY, linestyle=":", linewidth=1.2,
                   label=text[4].format(u=data["uniform"]))
        ax.set_xlabel(text[0])
        ax.set_xlim(0, len(losses) + 2)
        ax.set_ylim(0, 15)
        ax.grid(axis="y", color="#E6E6E6", linewidth=0.6)
        ax.set_axisbelow(True)
    axes[0].set_ylabel(text[1])
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=8, handlelength=1.8,
               frameon=False)
    return fig
