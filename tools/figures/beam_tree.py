"""Figure ``beam-tree``: beam search with 3 beams on the pocket model, drawn as a tree.

The beams each step keeps come from the library's ``beam_search`` (``result.steps``). The grey
candidates beside them are computed here: for each running beam, its ``NUM_BEAMS`` most probable
next tokens under the model's log-softmax. That set is enough to show every choice: the
``NUM_BEAMS`` best (beam, token) pairs overall are always among them, since no beam can place more
than ``NUM_BEAMS`` pairs in the overall top ``NUM_BEAMS``. Each node shows its token and the
cumulative log-probability of the text up to it (the sum of its tokens' log-probabilities).
References: the Hugging Face blog "How to generate text" (its beam-search tree);
NLP with Transformers, chapter 5; ``gpt2guide.decoding.beam``.
"""

from __future__ import annotations

from . import FigureSpec, sources, style

NUM_BEAMS = 3
MAX_NEW_TOKENS = 4
ROW = 0.215  # inches per leaf row
KEPT, BEST, PRUNED = "kept", "best", "pruned"
LOOK = {  # status -> (text colour, box face, box edge, edge colour, edge width)
    BEST: ("white", style.GREEN, style.GREEN, style.GREEN, 2.0),
    KEPT: (style.INK, "#DCEBF7", style.BLUE, style.BLUE, 1.4),
    PRUNED: ("#6F6F6F", "white", "#C4C4C4", "#C4C4C4", 0.8),
}

SPEC = FigureSpec(
    name="beam-tree",
    order=3,
    pocket=True,
    title={"ja": f"ビームサーチの木: ビーム幅 {NUM_BEAMS}、新しいトークン {MAX_NEW_TOKENS} 個 (ポケットモデルの出力)",
           "en": f"Beam search tree: {NUM_BEAMS} beams, {MAX_NEW_TOKENS} new tokens (pocket model output)"},
    alt={"ja": f"プロンプト「I can't forget you, for」から始まるビームサーチ(ビーム幅 {NUM_BEAMS})を、左から右へ "
               f"{MAX_NEW_TOKENS} ステップ伸びる木として描いた図。各ノードはトークンと、そこまでの累積対数確率"
               f"(各トークンの対数確率の和)です。各ステップでは、残っている各ビームについて確率の高い"
               f"次のトークン {NUM_BEAMS} 個を候補として描き、全体で累積対数確率が最も高い {NUM_BEAMS} 個を"
               "青で残し、ほかを灰色で枝刈りしています。最終的に最も確率の高い系列は緑で示しています。",
           "en": f"Tree of a beam search with {NUM_BEAMS} beams from the prompt \"I can't forget you, for\", growing "
                 f"left to right over {MAX_NEW_TOKENS} steps. Each node is a token with the cumulative "
                 "log-probability of the text up to it (the sum of its tokens' log-probabilities). At each step, "
                 f"every running beam's {NUM_BEAMS} most probable next tokens are drawn as candidates; the "
                 f"{NUM_BEAMS} with the highest cumulative log-probability overall are kept (blue), the rest are "
                 "pruned (gray). The most probable final sequence is green."},
)


def search():
    """The library's beam search on the pocket model (float64 weights)."""
    from gpt2guide.decoding import beam_search

    model, _ = sources.pocket()
    return beam_search(model, sources.prompt_ids(), MAX_NEW_TOKENS, num_beams=NUM_BEAMS)


def data() -> dict:
    """Every drawn node: generated ids, token text, cumulative log-probability, step and status."""
    import torch

    model, _ = sources.pocket()
    prompt = sources.prompt_ids()  # (1, 7)
    result = search()
    best = result.best.ids
    nodes = []
    running = {(): 0.0}  # beams before step 1: the prompt alone, log-probability 0
    for step, record in enumerate(result.steps, start=1):
        chosen = {beam.ids for beam in (*record.running, *record.finished)}  # what the library kept
        parents = list(running)  # all of one length, so they make one batch
        batch = torch.cat([prompt.repeat(len(parents), 1),
                           torch.tensor(parents, dtype=prompt.dtype).reshape(len(parents), step - 1)], dim=1)
        with torch.inference_mode():
            log_p = model(batch, logits_to_keep=1).logits[:, -1].log_softmax(dim=-1)  # (parents, vocab)
        for row, parent in enumerate(parents):
            candidates = set(log_p[row].topk(NUM_BEAMS).indices.tolist())  # this beam's best next tokens
            candidates |= {ids[-1] for ids in chosen if ids[:-1] == parent}  # e.g. after an end-of-text token
            for token in sorted(candidates, key=lambda t: -log_p[row, t].item()):
                child = (*parent, token)
                status = BEST if child == best[:step] else KEPT if child in chosen else PRUNED
                nodes.append({"ids": child, "token": sources.token_text(token), "step": step,
                              "log_probability": running[parent] + log_p[row, token].item(), "status": status})
        running = {n["ids"]: n["log_probability"] for n in nodes
                   if n["step"] == step and n["ids"] in {b.ids for b in record.running}}
    return {"prompt": sources.PROMPT, "nodes": nodes, "best": best,
            "library_beams": [[(b.ids, b.log_probability) for b in (*r.running, *r.finished)] for r in result.steps]}


def layout(nodes: list) -> dict:
    """``{ids: y}``: leaves one row apart in drawing order, a parent level with the middle of its children."""
    children = {}
    for node in nodes:
        children.setdefault(node["ids"][:-1], []).append(node["ids"])
    y, next_row = {}, 0

    def place(ids):
        nonlocal next_row
        kids = children.get(ids, [])
        if not kids:
            y[ids], next_row = next_row, next_row + 1
        else:
            for kid in kids:
                place(kid)
            y[ids] = (y[kids[0]] + y[kids[-1]]) / 2
        return y[ids]

    place(())
    return y


def label(node: dict) -> str:
    token = style.show_token(node["token"])
    token = token if len(token) <= 11 else token[:10] + "…"
    return f"{token} {node['log_probability']:.2f}".replace("-", "\u2212")


def draw(data: dict, lang: str):
    from matplotlib.patches import Patch

    text = {"ja": ("プロンプト", "ステップ {s}", "数字は累積対数確率（0 に近いほど確率が高い）",
                   "最も確率の高い系列", f"残したビーム（全体の上位 {NUM_BEAMS} 個）",
                   f"枝刈りした候補（各ビームの上位 {NUM_BEAMS} 個のうち残らなかったもの）"),
            "en": ("prompt", "step {s}", "numbers: cumulative log-probability (closer to 0 is more probable)",
                   "the most probable sequence", f"kept beams (the best {NUM_BEAMS} overall)",
                   f"pruned candidates (each beam's best {NUM_BEAMS} that were not kept)")}[lang]
    nodes = data["nodes"]
    y = layout(nodes)
    rows = max(y.values()) + 1
    fig = style.new_figure(ROW * rows + 1.7)
    fig.suptitle(SPEC.title[lang], fontsize=11)
    ax = fig.subplots()
    ax.set_title(text[2], loc="left", fontsize=8.5, color="#555555")
    ax.set_axis_off()
    mono = style.families(lang, mono=True)
    status = {n["ids"]: n["status"] for n in nodes}
    status[()] = BEST
    for node in nodes:  # edges first, under the boxes
        look = LOOK[node["status"]]
        parent = node["ids"][:-1]
        ax.plot([node["step"] - 1, node["step"]], [y[parent], y[node["ids"]]], color=look[3], linewidth=look[4],
                zorder=1 if node["status"] == PRUNED else 2, solid_capstyle="round")
    ax.text(0, y[()], data["prompt"], ha="right", va="center", fontfamily=mono, fontsize=8, zorder=3,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "#F2F2F2", "edgecolor": "#9A9A9A", "linewidth": 0.8})
    for node in nodes:
        colour, face, edge, _, _ = LOOK[node["status"]]
        ax.text(node["step"], y[node["ids"]], label(node), ha="center", va="center", fontfamily=mono,
                fontsize=7.5, color=colour, zorder=3,
                bbox={"boxstyle": "round,pad=0.25", "facecolor": face, "edgecolor": edge, "linewidth": 0.8})
    steps = max(n["step"] for n in nodes)
    for s in range(1, steps + 1):
        ax.text(s, -1.1, text[1].format(s=s), ha="center", va="center", fontsize=8.5, color="#555555")
    ax.set_xlim(-1.75, steps + 0.5)
    ax.set_ylim(rows - 0.4, -1.6)
    handles = [Patch(facecolor=LOOK[k][1], edgecolor=LOOK[k][2], label=text[i]) for k, i in ((BEST, 3), (KEPT, 4),
                                                                                           (PRUNED, 5))]
    fig.legend(handles=handles, loc="outside lower center", ncol=1, handlelength=1.4, fontsize=8)
    return fig
