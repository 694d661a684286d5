"""Figure ``temperature``: the pocket model's next-token distribution at temperatures 0.5, 1 and 2.

Softmax(logits / T): T < 1 sharpens the distribution towards the most probable tokens, T > 1
flattens it towards the rest of the vocabulary. The bars are the ten most probable tokens at T = 1;
the legend gives the share of the whole vocabulary those ten hold at each temperature.
Temperature is applied with the library's ``apply_temperature``.
References: the Hugging Face blog "How to generate text"; NLP with Transformers, chapter 5.
"""

from __future__ import annotations

from . import FigureSpec, sources, style

TEMPERATURES = (0.5, 1.0, 2.0)
TOP = 10  # tokens shown: the most probable at T = 1
COLOURS = (style.BLUE, style.GREEN, style.VERMILLION)  # cool: sharp, hot: flat

SPEC = FigureSpec(
    name="temperature",
    order=1,
    pocket=True,
    title={"ja": "温度で変わる次のトークンの確率 (ポケットモデルの出力)",
           "en": "Temperature reshapes the next-token probabilities (pocket model output)"},
    alt={"ja": "プロンプト「I can't forget you, for」の次に来るトークンについて、ポケットモデルが出した確率を、"
               "温度 0.5、1、2 で比べた横棒グラフ。温度 1 で確率の高い上位 10 トークンを縦に並べ、"
               "トークンごとに 3 本の棒を描いています。温度 0.5 では最も確率の高いトークンの確率が大きくなり、"
               "上位 10 個の合計も増えます。温度 2 では分布が平らになり、上位 10 個の合計が減って、確率が"
               "語彙全体に広がります。凡例には、各温度で上位 10 トークンが占める確率の合計を示しています。",
           "en": "Horizontal bar chart of the pocket model's probabilities for the token after the prompt "
                 "\"I can't forget you, for\", at temperatures 0.5, 1 and 2. The ten most probable tokens at "
                 "temperature 1 are listed down the side, with three bars each. At temperature 0.5 the most "
                 "probable token gets more probability and the ten together hold more; at 2 the distribution "
                 "flattens, the ten hold less and the rest spreads over the vocabulary. The legend gives the "
                 "total probability of the ten tokens at each temperature."},
)


def data() -> dict:
    """Token texts and their probabilities at each temperature; the top-10 mass per temperature."""
    from gpt2guide.decoding import apply_temperature

    logits = sources.next_logits()  # (vocab,), float64
    probs = {t: apply_temperature(logits, t).softmax(dim=-1) for t in TEMPERATURES}  # T -> (vocab,)
    ids = probs[1.0].topk(TOP).indices.tolist()  # most probable first
    return {
        "prompt": sources.PROMPT,
        "ids": ids,
        "tokens": [sources.token_text(i) for i in ids],
        "probabilities": {t: [probs[t][i].item() for i in ids] for t in TEMPERATURES},
        "top_mass": {t: probs[t][ids].sum().item() for t in TEMPERATURES},
    }


def draw(data: dict, lang: str):
    from matplotlib.ticker import PercentFormatter

    text = {"ja": ("プロンプト「{p}」の次のトークン（温度 1 で確率の高い上位 {n} 個）", "確率",
                   "温度 T = {t:g}（上位 {n} 個で {m}）"),
            "en": ("the token after the prompt \"{p}\" (the {n} most probable at T = 1)", "probability",
                   "T = {t:g} (the top {n} hold {m})")}[lang]
    fig = style.new_figure(4.9)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    ax = fig.subplots()
    ax.set_title(text[0].format(p=data["prompt"], n=TOP), loc="left", fontsize=8.5, color="#555555")
    n, height = len(data["ids"]), 0.26
    for j, (t, colour) in enumerate(zip(TEMPERATURES, COLOURS)):
        y = [i + (j - 1) * height for i in range(n)]
        ax.barh(y, data["probabilities"][t], height=height, color=colour, edgecolor="white", linewidth=0.4,
                label=text[2].format(t=t, n=TOP, m=style.percent(data["top_mass"][t])))
    ax.set_yticks(range(n), [style.show_token(t) for t in data["tokens"]],
                  fontfamily=style.families(lang, mono=True), fontsize=9.5)
    ax.set_ylim(n - 0.5, -0.5)  # most probable on top
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlabel(text[1])
    ax.grid(axis="x", color="#E6E6E6", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(loc="lower right", handlelength=1.2)
    return fig
