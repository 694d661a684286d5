"""Figure ``patching``: activation patching on the pocket model, block by block and position by position.

Three grids of ``gpt2guide.interpret`` (``patch_residual``, ``patch_attention``, ``patch_mlp``), each
(n_layer, seq): the corrupted prompt is run with one activation taken from the clean run, and each
cell is the logit difference logit(" was") - logit(" were") at the last position. Blue cells say
" was" (the clean answer), vermillion cells " were" (the corrupted one). The model runs in float64
(``sources.pocket``). References: Meng et al. (2022), "Locating and Editing Factual Associations in
GPT" (causal tracing figures); TransformerLens ``patching.py``; ARENA 1.3 "Indirect Object
Identification" (patching heat maps).
"""

from __future__ import annotations

from . import FigureSpec, sources, style

# The chapter's pair (docs/beyond/interpretability.*.md finds it by a search on the page).
CLEAN = "When Elizabeth came down, she"
CORRUPTED = "When Elizabeth came down, they"
ANSWER, WRONG = " was", " were"

SPEC = FigureSpec(
    name="patching",
    order=8,
    pocket=True,
    title={"ja": "活性化パッチングの結果 (ポケットモデルの出力)",
           "en": "Activation patching (pocket model output)"},
    alt={"ja": "ポケットモデルで、壊れたプロンプト「When Elizabeth came down, they」を実行し、一つの活性化だけを"
               "きれいなプロンプト「When Elizabeth came down, she」のものに差し替えたときの、最後の位置のロジット差"
               "(「 was」のロジットから「 were」のロジットを引いた値)を、縦 4 ブロック、横 7 位置のヒートマップ三つで"
               "示した図。上から、ブロックに入る残差ストリーム、アテンションの出力、MLP の出力を差し替えています。"
               "値が変わるのは最後の位置(「 they」と「 she」の位置)だけで、残差ストリームはどのブロックでも"
               "きれいな実行の値 3.42 に戻ります。アテンションの出力ではほとんど戻らず、MLP の出力では"
               "ブロック 0 だけでほぼ戻ります(3.34)。ほかのセルは壊れた実行の値 -3.40 のままです。",
           "en": "Three heat maps of 4 blocks by 7 positions from the pocket model. Each cell is the logit "
                 "difference at the last position (the logit of \" was\" minus that of \" were\") when the "
                 "corrupted prompt \"When Elizabeth came down, they\" is run with one activation taken from "
                 "the clean prompt \"When Elizabeth came down, she\". From the top: the residual stream "
                 "entering the block, the attention output, the MLP output. Only the last position (\" they\" "
                 "against \" she\") changes anything: the residual stream restores the clean value 3.42 at "
                 "every block; attention outputs restore almost nothing; block 0's MLP output alone restores "
                 "nearly all of it (3.34). Every other cell keeps the corrupted value, -3.40."},
)


def data() -> dict:
    import torch

    from gpt2guide import interpret

    model, tokenizer = sources.pocket()
    clean = torch.tensor([tokenizer.encode(CLEAN)])  # (1, 7)
    corrupted = torch.tensor([tokenizer.encode(CORRUPTED)])  # (1, 7)
    answer, wrong = tokenizer.encode(ANSWER)[0], tokenizer.encode(WRONG)[0]
    grids = {name: getattr(interpret, f"patch_{name}")(model, clean, corrupted, answer, wrong).tolist()
             for name in ("residual", "attention", "mlp")}  # each (n_layer, seq)
    tokens = [f"{sources.token_text(c)}/{sources.token_text(k)}" if c != k else sources.token_text(c)
              for c, k in zip(clean[0].tolist(), corrupted[0].tolist())]
    return {"tokens": tokens, "grids": grids}


def draw(data: dict, lang: str):
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap

    text = {"ja": {"residual": "ブロックに入る残差ストリーム", "attention": "アテンションの出力", "mlp": "MLP の出力",
                   "x": "差し替えた位置", "y": "ブロック", "bar": "ロジット差 was − were"},
            "en": {"residual": "residual stream entering the block", "attention": "attention output",
                   "mlp": "MLP output", "x": "position patched", "y": "block", "bar": "logit difference was − were"}}[lang]
    grids = {name: np.array(grid) for name, grid in data["grids"].items()}  # each (n_layer, seq)
    limit = max(abs(g).max() for g in grids.values())
    cmap = LinearSegmentedColormap.from_list("diff", [style.VERMILLION, "#FFFFFF", style.BLUE])
    labels = [style.show_token(t) for t in data["tokens"]]
    mono = style.families(lang, mono=True)
    fig = style.new_figure(6.4)
    fig.suptitle(SPEC.title[lang], fontsize=11.5)
    axes = fig.subplots(len(grids), 1, sharex=True)
    for ax, (name, grid) in zip(axes, grids.items()):
        image = ax.imshow(grid, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto")
        n_layer, seq = grid.shape
        for i in range(n_layer):
            for j in range(seq):
                ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=7.5,
                        color="white" if abs(grid[i, j]) > 0.6 * limit else style.INK)
        ax.set_title(text[name], loc="left", fontsize=9.5)
        ax.set_yticks(range(n_layer), [f"h.{i}" for i in range(n_layer)], fontsize=8)
        ax.set_ylabel(text["y"])
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    axes[-1].set_xticks(range(len(labels)), labels, rotation=30, ha="right", rotation_mode="anchor",
                        fontfamily=mono, fontsize=8)
    axes[-1].set_xlabel(text["x"])
    bar = fig.colorbar(image, ax=axes, shrink=0.6, aspect=30, pad=0.02)
    bar.set_label(text["bar"])
    bar.outline.set_visible(False)
    return fig
