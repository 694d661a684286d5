"""Figure ``attention``: the pocket model's attention weights on the running prompt, one panel per head.

Drawn from ``gpt2guide.anatomy.attention_weights`` (the softmax of q·kᵀ/√d under the causal mask)
for one block. Rows are the positions that attend (queries), columns the positions attended to
(keys); each row sums to 1. The cells above the diagonal are masked (weight 0) and drawn grey, so
the causal triangle shows. References: Vig (2019), "A Multiscale Visualization of Attention in the
Transformer Model" (bertviz); Jay Alammar, "The Illustrated GPT-2".
"""

from __future__ import annotations

from . import FigureSpec, sources, style

LAYER = 2  # the third block: its heads differ most from one another on this prompt
COLUMNS = 2  # panels per row

SPEC = FigureSpec(
    name="attention",
    order=5,
    pocket=True,
    title={"ja": f"ブロック h.{LAYER} のアテンションヘッドごとのアテンションの重み (ポケットモデルの出力)",
           "en": f"Attention weights of each head in block h.{LAYER} (pocket model output)"},
    alt={"ja": f"プロンプト「I can't forget you, for」の 7 トークンについて、ポケットモデルのブロック h.{LAYER} の "
               "4 個のアテンションヘッドそれぞれのアテンションの重みを、7 × 7 のヒートマップで並べた図。縦軸が注目する側の"
               "トークン(クエリ)、横軸が注目される側のトークン(キー)で、各行の合計は 1 です。対角線より右上は"
               "因果マスクで重みが 0 になるため灰色で、下三角だけに色が付きます。セルには重みの値を書いています。"
               "いくつかのアテンションヘッドは、多くの位置で最初のトークン「I」に大きな重みを置いています。",
           "en": f"Four 7 by 7 heat maps, one per head of the pocket model's block h.{LAYER}, of the attention "
                 "weights on the 7 tokens of the prompt \"I can't forget you, for\". Rows are the tokens that "
                 "attend (queries), columns the tokens attended to (keys), and each row sums to 1. The cells "
                 "above the diagonal are masked by the causal mask (weight 0) and drawn gray, so only the lower "
                 "triangle is colored; each cell is labeled with its weight. Several heads put much of their "
                 "weight on the first token, \"I\", from most positions."},
)


def data() -> dict:
    """The tokens and the weights of block ``LAYER``, (n_head, seq, seq), in float64."""
    from gpt2guide.anatomy import attention_weights

    model, _ = sources.pocket()
    ids = sources.prompt_ids()  # (1, 7)
    weights = attention_weights(model, ids, LAYER)[0]  # (n_head, seq, seq), float64
    return {"prompt": sources.PROMPT, "layer": LAYER, "tokens": [sources.token_text(i) for i in ids[0].tolist()],
            "weights": weights.tolist()}


def draw(data: dict, lang: str):
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap

    text = {"ja": ("アテンションヘッド {h}", "注目される側（キー）", "注目する側（クエリ）", "重み"),
            "en": ("head {h}", "attended to (key)", "attending (query)", "weight")}[lang]
    weights = np.array(data["weights"])  # (n_head, seq, seq)
    n_head, seq, _ = weights.shape
    rows = -(-n_head // COLUMNS)
    labels = [style.show_token(t) for t in data["tokens"]]
    mono = style.families(lang, mono=True)
    cmap = LinearSegmentedColormap.from_list("weight", ["#FFFFFF", style.SKY, style.BLUE, "#003A63"]).with_extremes(
        bad=style.LIGHT_GREY)  # the masked cells
    fig = style.new_figure(3.25 * rows + 0.6)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    axes = fig.subplots(rows, COLUMNS, squeeze=False)
    above = np.triu(np.ones((seq, seq), dtype=bool), k=1)  # masked by the causal mask
    for head, ax in enumerate(axes.flat):
        if head >= n_head:
            ax.set_visible(False)
            continue
        image = ax.imshow(np.ma.masked_array(weights[head], mask=above), cmap=cmap, vmin=0, vmax=1)
        for i in range(seq):
            for j in range(i + 1):
                w = weights[head, i, j]
                ax.text(j, i, f"{w:.2f}".lstrip("0") if w < 1 else "1", ha="center", va="center", fontsize=6.5,
                        color="white" if w > 0.5 else style.INK)
        ax.set_title(text[0].format(h=head), fontsize=9.5)
        ax.set_xticks(range(seq), labels, rotation=60, ha="right", rotation_mode="anchor", fontfamily=mono,
                      fontsize=8)
        ax.set_yticks(range(seq), labels, fontfamily=mono, fontsize=8)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if head % COLUMNS == 0:
            ax.set_ylabel(text[2])
        if head // COLUMNS == rows - 1:
            ax.set_xlabel(text[1])
    bar = fig.colorbar(image, ax=axes, shrink=0.5, aspect=25, pad=0.02)
    bar.set_label(text[3])
    bar.outline.set_visible(False)
    return fig
