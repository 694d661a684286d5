"""Figure ``token-losses``: how surprised the pocket model is by each token of one sentence.

Each bar is ``-log p(token | the tokens before it)`` from ``gpt2guide.loss.token_losses``, in nats;
the dashed line is their mean (the sentence's loss) and the dotted line ln 50257, the loss of a model
that gives every token the same probability. The model runs in float64 (``sources.pocket``), so the
bars are the same on every machine. References: Jurafsky & Martin, chapter 3; nanoGPT ``model.py``.
"""

from __future__ import annotations

import math

from . import FigureSpec, sources, style

# Austen's names and places, then a word she never wrote.
SENTENCE = "Elizabeth walked to Meryton with her sister, and bought a smartphone."

SPEC = FigureSpec(
    name="token-losses",
    order=6,
    pocket=True,
    title={"ja": "トークンごとの損失 (ポケットモデルの出力)",
           "en": "The loss of each token (pocket model output)"},
    alt={"ja": "文「Elizabeth walked to Meryton with her sister, and bought a smartphone.」の 2 番目以降の"
               "各トークンについて、ポケットモデルの損失(そのトークンの確率の対数にマイナスを付けた値、単位は"
               "ナット)を縦棒で示したグラフ。「ery」「ton」のように前のトークンから続きが決まる断片は損失が"
               "小さく、オースティンの小説に出てこない「smartphone」と、意外な動詞「bought」の損失が"
               "飛び抜けて大きくなっています。破線は文全体の平均(文の損失)、点線は全トークンを同じ確率に"
               "するモデルの損失 ln 50257 ≈ 10.8 です。",
           "en": "Bar chart of the pocket model's loss on each token of the sentence \"Elizabeth walked to "
                 "Meryton with her sister, and bought a smartphone.\" from the second token on (minus the log "
                 "of the probability it gave that token, in nats). Pieces that follow from the token before, "
                 "such as \"ery\" and \"ton\", cost little; \" smartphone\", a word Austen never wrote, and "
                 "the unexpected verb \" bought\" cost the most. The dashed line is the mean over the sentence "
                 "(its loss), the dotted line ln 50257 = 10.8, the loss of a model that gives every token the "
                 "same probability."},
)


def data() -> dict:
    import torch

    from gpt2guide.loss import token_losses

    model, tokenizer = sources.pocket()
    ids = torch.tensor([tokenizer.encode(SENTENCE)])  # (1, seq)
    losses = token_losses(model, ids)[0].tolist()  # (seq-1,): the first token has no prediction
    return {"sentence": SENTENCE, "tokens": [sources.token_text(i) for i in ids[0, 1:].tolist()],
            "losses": losses, "mean": sum(losses) / len(losses), "uniform": math.log(model.config.vocab_size)}


def draw(data: dict, lang: str):
    text = {"ja": ("損失（ナット）", "平均 {m:.2f}（この文の損失）", "ln 50257 ≈ {u:.1f}（どのトークンも同じ確率）",
                   "「{s}」\n各トークンの −log p（それより前のトークンだけを見た予測）"),
            "en": ("loss (nats)", "mean {m:.2f} (the sentence's loss)", "ln 50257 = {u:.1f} (every token equally likely)",
                   "\"{s}\"\n−log p of each token, predicted from the tokens before it")}[lang]
    fig = style.new_figure(4.1)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    ax = fig.subplots()
    ax.set_title(text[3].format(s=data["sentence"]), loc="left", fontsize=8, color="#555555")
    x = range(len(data["tokens"]))
    top = max(data["losses"])
    colours = [style.VERMILLION if v == top else style.BLUE for v in data["losses"]]
    ax.bar(x, data["losses"], color=colours, width=0.7)
    for xi, v in zip(x, data["losses"]):
        ax.text(xi, v + 0.2, f"{v:.1f}", ha="center", va="bottom", fontsize=7.5)
    ax.axhline(data["mean"], color=style.INK, linestyle="--", linewidth=0.9, label=text[1].format(m=data["mean"]))
    ax.axhline(data["uniform"], color=style.GREY, linestyle=":", linewidth=1.2, label=text[2].format(u=data["uniform"]))
    ax.set_xticks(list(x), [style.show_token(t) for t in data["tokens"]], rotation=45, ha="right",
                  fontfamily=style.families(lang, mono=True), fontsize=8.5)
    ax.set_ylabel(text[0])
    ax.set_ylim(0, max(top, data["uniform"]) * 1.15)
    ax.legend(loc="upper left", handlelength=2)
    return fig
