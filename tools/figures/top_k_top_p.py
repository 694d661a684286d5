"""Figure ``top-k-top-p``: which tokens top-k, top-p and min-p keep from one distribution.

The pocket model's next-token distribution after the prompt (temperature 1), sorted from the most
probable token down. Each filter is the library's own (``top_k_filter``, ``top_p_filter``,
``min_p_filter``) applied to the logits; a token is kept when its logit is still finite afterwards.
- top-k (k = 5) keeps a fixed number of tokens;
- top-p (p = 0.9) keeps the most probable tokens until their cumulative probability reaches 0.9;
- min-p (0.1) keeps the tokens at least 0.1 times as probable as the most probable one.
References: Holtzman et al. 2019 (nucleus sampling); Nguyen et al. 2024 (min-p); transformers
``generation/logits_process.py``.
"""

from __future__ import annotations

from . import FigureSpec, sources, style

TOP_K, TOP_P, MIN_P = 5, 0.9, 0.1
VIEW = 20  # ranks drawn
LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
FILTERS = (  # (key, colour, label ja, label en)
    ("top_k", style.BLUE, f"top-k（k = {TOP_K}）", f"top-k (k = {TOP_K})"),
    ("top_p", style.ORANGE, f"top-p（p = {TOP_P}）", f"top-p (p = {TOP_P})"),
    ("min_p", style.PURPLE, f"min-p（{MIN_P}）", f"min-p ({MIN_P})"),
)

SPEC = FigureSpec(
    name="top-k-top-p",
    order=2,
    pocket=True,
    title={"ja": "top-k、top-p、min-p が残すトークン (ポケットモデルの出力)",
           "en": "The tokens top-k, top-p and min-p keep (pocket model output)"},
    alt={"ja": f"プロンプト「I can't forget you, for」の次のトークンについて、ポケットモデルの確率を大きい順に "
               f"{VIEW} 位まで並べた棒グラフと、その累積確率の折れ線。上の 3 行は、各フィルタがどの順位の"
               f"トークンを残すかを示します。top-k(k = {TOP_K})は上位 {TOP_K} 個、top-p(p = {TOP_P})は"
               f"累積確率が {TOP_P} に達するまで、min-p({MIN_P})は最大確率の {MIN_P} 倍以上のトークンです。"
               "min-p のしきい値は棒グラフに破線で、p = 0.9 は累積確率の軸に点線で描いています。"
               "各フィルタが残すトークンの数は行の右端に書いてあります。",
           "en": f"Bar chart of the pocket model's next-token probabilities after the prompt \"I can't forget "
                 f"you, for\", sorted from the most probable down to rank {VIEW}, with a line for the cumulative "
                 f"probability. Three rows above mark the ranks each filter keeps: top-k (k = {TOP_K}) keeps the "
                 f"{TOP_K} most probable tokens, top-p (p = {TOP_P}) keeps tokens until the cumulative probability "
                 f"reaches {TOP_P}, min-p ({MIN_P}) keeps tokens at least {MIN_P} times as probable as the top one. "
                 "The min-p threshold is a dashed line over the bars and p = 0.9 a dotted line on the cumulative "
                 "axis. The number of tokens each filter keeps is written at the end of its row."},
)


def kept_masks(logits) -> dict:
    """``{filter: (vocab,) bool tensor}``: the tokens whose logit each library filter leaves finite."""
    from gpt2guide.decoding import min_p_filter, top_k_filter, top_p_filter

    return {
        "top_k": top_k_filter(logits, TOP_K).isfinite(),
        "top_p": top_p_filter(logits, TOP_P).isfinite(),
        "min_p": min_p_filter(logits, MIN_P).isfinite(),
    }


def data() -> dict:
    logits = sources.next_logits()  # (vocab,), float64, temperature 1
    probs = logits.softmax(dim=-1)  # (vocab,)
    sorted_probs, order = probs.sort(descending=True, stable=True)  # (vocab,): most probable first
    masks = kept_masks(logits)
    ids = order[:VIEW].tolist()
    return {
        "prompt": sources.PROMPT,
        "ids": ids,
        "tokens": [sources.token_text(i) for i in ids],
        "probabilities": sorted_probs[:VIEW].tolist(),
        "cumulative": sorted_probs.cumsum(dim=0)[:VIEW].tolist(),
        "kept": {key: masks[key][order[:VIEW]].tolist() for key in masks},  # per rank in view
        "kept_count": {key: int(masks[key].sum()) for key in masks},  # over the whole vocabulary
        "min_p_threshold": MIN_P * sorted_probs[0].item(),
    }


def draw(data: dict, lang: str):
    from matplotlib.ticker import PercentFormatter

    text = {"ja": ("プロンプト「{p}」の次のトークン、確率の大きい順（温度 1）", "確率", "累積確率",
                   "{n} 個を残す", "min-p のしきい値 = {m} × 最大確率 = {t}", "p = {p}", "順位"),
            "en": ("the token after the prompt \"{p}\", most probable first (temperature 1)", "probability",
                   "cumulative probability", "keeps {n}", "min-p threshold = {m} × top probability = {t}",
                   "p = {p}", "rank")}[lang]
    fig = style.new_figure(5.4)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    rows, bars = fig.subplots(2, 1, sharex=True, height_ratios=(1.0, 3.6))
    n = len(data["ids"])
    ranks = range(n)

    # Top: one row per filter; a filled cell is a kept token.
    for row, (key, colour, _label_ja, _label_en) in enumerate(FILTERS):
        kept = data["kept"][key]
        rows.bar(ranks, [0.72] * n, bottom=row - 0.36, width=0.86,
                 color=[colour if k else style.LIGHT_GREY for k in kept])
        count = data["kept_count"][key]
        more = " →" if count > n else ""
        rows.text(n - 0.4, row, f" {text[3].format(n=style.thousands(count))}{more}", va="center", fontsize=8.5,
                  color=colour)
    rows.set_yticks(range(len(FILTERS)), [f[2] if lang == "ja" else f[3] for f in FILTERS])
    rows.set_ylim(len(FILTERS) - 0.5, -0.5)
    rows.tick_params(axis="y", length=0)
    rows.tick_params(axis="x", length=0, labelbottom=False)
    for side in ("left", "bottom"):
        rows.spines[side].set_visible(False)
    rows.set_title(text[0].format(p=data["prompt"]), loc="left", fontsize=8.5, color="#555555")

    # Bottom: sorted probabilities, the min-p threshold, and the cumulative probability.
    bars.bar(ranks, data["probabilities"], width=0.86, color=style.SKY)
    threshold = data["min_p_threshold"]
    bars.axhline(threshold, color=style.PURPLE, linestyle="--", linewidth=1.1)
    bars.text(n - 0.5, threshold, text[4].format(m=MIN_P, t=style.percent(threshold)), ha="right", va="bottom",
              fontsize=8, color=style.PURPLE, bbox=LABEL_BOX)
    bars.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    bars.set_ylabel(text[1])
    bars.set_xticks(ranks, [style.show_token(t) for t in data["tokens"]], rotation=55, ha="right",
                    rotation_mode="anchor", fontfamily=style.families(lang, mono=True), fontsize=8.5)
    bars.tick_params(axis="x", length=0)
    bars.set_xlim(-0.6, n - 0.4)

    cumulative = bars.twinx()
    cumulative.plot(ranks, data["cumulative"], color=style.ORANGE, marker="o", markersize=3, linewidth=1.4)
    cumulative.axhline(TOP_P, color=style.ORANGE, linestyle=":", linewidth=1.1)
    cumulative.text(n - 0.5, TOP_P, text[5].format(p=TOP_P), ha="right", va="top", fontsize=8, color=style.ORANGE,
                    bbox=LABEL_BOX)
    cumulative.set_ylim(0, 1.02)
    cumulative.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    cumulative.set_ylabel(text[2], color=style.ORANGE)
    cumulative.tick_params(axis="y", colors=style.ORANGE)
    cumulative.spines["right"].set_visible(True)
    cumulative.spines["right"].set_color(style.ORANGE)
    cumulative.spines["top"].set_visible(False)
    return fig
