"""Figure ``parameters``: where GPT-2's parameters sit, gpt2 (124M) against gpt2-xl (1.5B).

Counted from meta-device skeletons (``gpt2guide.skeleton``: shapes, no weights) with
``gpt2guide.parameter_table``. The count is of unique parameters: the LM head's weight is the
token embedding's tensor (``tied_parameters``), so it is counted once, under wte (nanoGPT's
``get_num_params`` convention). References: Radford et al. 2019, table 2; nanoGPT ``model.py``.
"""

from __future__ import annotations

from . import FigureSpec, style

MODELS = ("gpt2", "gpt2-xl")
# Parts in stacking order: (key, colour, label ja, label en).
PARTS = (
    ("wte", style.BLUE, "トークン埋め込み wte", "Token embedding wte"),
    ("wpe", style.SKY, "位置埋め込み wpe", "Position embedding wpe"),
    ("attn", style.ORANGE, "アテンション attn", "Attention attn"),
    ("mlp", style.GREEN, "MLP mlp", "MLP mlp"),
    ("ln", style.PURPLE, "層正規化 ln_1, ln_2, ln_f", "Layer norms ln_1, ln_2, ln_f"),
)

SPEC = FigureSpec(
    name="parameters",
    order=4,
    title={"ja": "gpt2 と gpt2-xl のパラメータの内訳",
           "en": "Where the parameters are: gpt2 and gpt2-xl"},
    alt={"ja": "gpt2(124,439,808 個)と gpt2-xl(1,557,611,200 個)のパラメータを、トークン埋め込み、位置埋め込み、"
               "アテンション、MLP、層正規化に分けた積み上げ棒グラフ。上段は個数(百万)、下段は割合。gpt2 では"
               "トークン埋め込みが約 31 % を占めますが、gpt2-xl では約 5 % に下がり、MLP が約 3 分の 2、"
               "アテンションが約 3 分の 1 を占めます。層正規化は 0.1 % 未満です。言語モデルヘッドはトークン埋め込みと"
               "同じテンソルなので 1 回だけ数えています。",
           "en": "Stacked bars splitting the parameters of gpt2 (124,439,808) and gpt2-xl (1,557,611,200) into "
                 "token embedding, position embedding, attention, MLP and layer norms; top: counts in millions, "
                 "bottom: shares. The token embedding is about 31% of gpt2 but about 5% of gpt2-xl, where the "
                 "MLPs hold about two thirds and attention about one third. Layer norms are under 0.1%. The LM "
                 "head shares the token embedding's tensor, so it is counted once."},
)


def part_of(name: str) -> str:
    """The part a ``state_dict`` name belongs to: wte, wpe, attn, mlp or ln."""
    pieces = name.split(".")
    for key in ("wte", "wpe", "attn", "mlp"):
        if key in pieces:
            return key
    if any(p.startswith("ln_") for p in pieces):
        return "ln"
    raise ValueError(f"name: {name!r} belongs to no known part of GPT-2 (wte, wpe, attn, mlp, ln)")


def breakdown(name: str) -> dict:
    """``{part: unique parameter count}`` of an official size, from its meta-device skeleton."""
    from gpt2guide.checkpoints import skeleton
    from gpt2guide.parameters import parameter_table, tied_parameters

    model = skeleton(name)  # GPT2LMHeadModel on the meta device
    # Every tied name but the first is the same tensor again (lm_head.weight is transformer.wte.weight).
    repeats = {n for group in tied_parameters(model) for n in group[1:]}
    counts = {key: 0 for key, *_ in PARTS}
    for row in parameter_table(model):
        if row.name not in repeats:
            counts[part_of(row.name)] += row.numel
    return counts


def data() -> dict:
    return {name: breakdown(name) for name in MODELS}


def draw(data: dict, lang: str):
    fig = style.new_figure(4.1)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    top, bottom = fig.subplots(2, 1, height_ratios=(1, 1))
    labels = {"ja": ("パラメータ数（百万）", "全体に占める割合（%）", "重複なしの個数：言語モデルヘッドは wte と同じテンソルなので 1 回だけ数えます"),
              "en": ("parameters (millions)", "share of the total (%)", "unique parameters: the LM head is wte's tensor, counted once")}[lang]
    y = list(range(len(MODELS)))[::-1]  # gpt2 on top
    totals = {m: sum(data[m].values()) for m in MODELS}
    for ax, share in ((top, False), (bottom, True)):
        left = [0.0] * len(MODELS)
        for key, colour, label_ja, label_en in PARTS:
            widths = [data[m][key] / (totals[m] / 100 if share else 1e6) for m in MODELS]
            ax.barh(y, widths, left=left, height=0.58, color=colour, edgecolor="white", linewidth=0.6,
                    label=label_ja if lang == "ja" else label_en)
            if share:  # name the parts wide enough to hold their number
                for yi, start, w in zip(y, left, widths):
                    if w >= 6:
                        ax.text(start + w / 2, yi, f"{w:.1f}%", ha="center", va="center", color="white",
                                fontsize=8.5)
            left = [start + w for start, w in zip(left, widths)]
        ax.set_yticks(y, MODELS)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel(labels[1] if share else labels[0])
    for yi, m in zip(y, MODELS):
        top.text(totals[m] / 1e6, yi, f"  {style.thousands(totals[m])}", va="center", fontsize=8.5)
        small = ", ".join(f"{k} {data[m][k] / totals[m] * 100:.2f}%" for k in ("wpe", "ln"))
        bottom.text(100, yi, f"  {small}", va="center", fontsize=8)
    top.set_title(labels[2], loc="left", fontsize=8.5, fontweight="normal", color="#555555")
    top.set_xlim(0, max(totals.values()) / 1e6 * 1.22)
    bottom.set_xlim(0, 100)
    bottom.set_xticks(range(0, 101, 20))
    fig.legend(*top.get_legend_handles_labels(), loc="outside lower center", ncol=3, handlelength=1.2,
               columnspacing=1.2)
    return fig
