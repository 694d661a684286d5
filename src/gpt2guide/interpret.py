"""Interpretability by hand: activation patching, direct logit attribution and induction scores.

Everything runs the transformers ``GPT2LMHeadModel`` itself, with plain PyTorch forward hooks on
its modules (no copy of the forward pass): a hook reads an activation, or replaces part of it.

- **Where the hooks sit.** ``h[L]`` (pre-hook): the residual stream entering block ``L``
  (TransformerLens' ``blocks.L.hook_resid_pre``); ``h[L].attn`` and ``h[L].mlp`` (hooks): what
  each adds to the residual stream (``hook_attn_out``, ``hook_mlp_out``); ``h[L].attn.c_proj``
  (pre-hook): the heads' outputs side by side before the output projection, head ``i`` in
  columns ``i * d_head : (i + 1) * d_head`` (``attn.hook_z``).
- **Patching** runs the corrupted prompt with one activation replaced by its value from the clean
  run and records logit(answer) - logit(wrong) at the last position.
- **Direct logit attribution** splits the final residual stream at the last position into the
  embeddings and what each block (and each head) added, and sends each piece through ``ln_f``
  with the scale of the whole residual frozen: the pieces then add up to the logit difference.
- **Head scores** read every block's attention weights from one run (``attention_patterns``) and
  average one entry per query: the token after the same token's earlier occurrence (induction), the
  earlier occurrence itself (duplicate token), the previous token, or the first token (a sink).
- **Ablation** (``ablated``) zeroes heads' outputs before ``c_proj`` while a block of code runs.

References: Meng et al. (2022), "Locating and Editing Factual Associations in GPT" (causal
tracing); Wang et al. (2022), "Interpretability in the Wild" (logit difference, path patching);
Elhage et al. (2021), "A Mathematical Framework for Transformer Circuits" (direct logit
attribution; induction heads in two-layer attention-only models); Olsson et al. (2022), "In-context
Learning and Induction Heads" (the phase change, ablations); Xiao et al. (2023), "Efficient
Streaming Language Models with Attention Sinks"; Heimersheim and
Nanda (2024), "How to use and interpret activation patching"; TransformerLens ``patching.py`` and
``ActivationCache.logit_attrs``; ARENA 1.2 "Intro to Mechanistic Interpretability".
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch

from .anatomy import attention_probabilities, gpt2_body, query_key_value
from .constants import END_OF_TEXT_ID, VOCAB_SIZE
from .validation import WrongType, WrongValue, check_ids, check_int, is_int, model_config

# -- checks on entry ------------------------------------------------------------------------------

def _body(model):
    """The ``GPT2Model`` of a GPT-2 model with a language-model head (checked once)."""
    model_config(model)
    return gpt2_body(model)


def _prompts(gpt, input_ids, argument: str = "input_ids", *, batch_one: bool = False) -> torch.Tensor:
    """Token ids of the model's vocabulary and context, on its device; errors name ``argument``."""
    return check_ids(input_ids, argument, model=gpt, batch_one=batch_one).to(gpt.wte.weight.device)


def _check_pair(gpt, clean_ids, corrupted_ids) -> tuple:
    """Two (1, seq) prompts of the same length, both of the model's vocabulary."""
    clean = _prompts(gpt, clean_ids, "clean_ids", batch_one=True)
    corrupted = _prompts(gpt, corrupted_ids, "corrupted_ids", batch_one=True)
    if clean.shape != corrupted.shape:
        raise WrongValue("corrupted_ids", f"must have the same length as clean_ids, got {corrupted.shape[1]} "
                         f"tokens against {clean.shape[1]}; patching swaps position p for position p, so "
                         "choose prompts that tokenize to the same number of tokens")
    return clean, corrupted


def _check_index(value, size: int, argument: str, what: str) -> int:
    """``value`` as an index into ``size`` things (a token of the vocabulary, a head, a position)."""
    if not is_int(value):
        raise WrongType(argument, f"expected an int, got {type(value).__name__}")
    if not 0 <= value < size:
        raise WrongValue(argument, f"{value} is out of range; there are {size} {what}, 0 to {size - 1}")
    return int(value)


def _check_answers(gpt, answer_id, wrong_id) -> tuple:
    """Two different token ids of the model's vocabulary."""
    vocab = gpt.config.vocab_size
    answer = _check_index(answer_id, vocab, "answer_id", "tokens in the vocabulary")
    wrong = _check_index(wrong_id, vocab, "wrong_id", "tokens in the vocabulary")
    if answer == wrong:
        raise WrongValue("wrong_id", f"must differ from answer_id ({answer}); the difference of a logit with "
                         "itself is always 0")
    return answer, wrong


def _check_call(model, clean_ids, corrupted_ids, answer_id, wrong_id) -> tuple:
    gpt = _body(model)
    clean, corrupted = _check_pair(gpt, clean_ids, corrupted_ids)
    return (clean, corrupted, *_check_answers(gpt, answer_id, wrong_id))


# -- hooks ----------------------------------------------------------------------------------------

@contextmanager
def hooks(pairs):
    """Register ``(module, kind, fn)`` hooks (kind ``"pre"`` or ``"post"``) and remove them on exit."""
    handles = []
    try:
        for module, kind, fn in pairs:
            register = module.register_forward_pre_hook if kind == "pre" else module.register_forward_hook
            handles.append(register(fn))
        yield
    finally:
        for handle in handles:
            handle.remove()


def _sites(model, layer: int) -> dict:
    """The modules whose input or output is each named activation of block ``layer``."""
    block = gpt2_body(model).h[layer]
    return {"resid_pre": (block, "pre"), "attn_out": (block.attn, "post"), "mlp_out": (block.mlp, "post"),
            "z": (block.attn.c_proj, "pre")}


def _read(value):
    """The tensor a hook sees: a module's first input, or its output (attention returns a tuple)."""
    return value[0] if isinstance(value, tuple) else value


def _seen(kind: str, args: tuple):
    """What a hook of ``kind`` was given: ``(inputs,)`` for a pre-hook, ``(inputs, output)`` after."""
    return args[0] if kind == "pre" else args[1]


def _replace(value, tensor):
    """``value`` with its tensor swapped for ``tensor`` (keeping a tuple a tuple)."""
    return (tensor, *value[1:]) if isinstance(value, tuple) else tensor


@torch.no_grad()
def activations(model, input_ids: torch.Tensor) -> dict:
    """One run of ``input_ids`` with every activation the patching and the attribution use.

    Returns ``{"resid_pre", "attn_out", "mlp_out": (n_layer, batch, seq, n_embd),
    "z": (n_layer, batch, seq, n_head, d_head), "resid_final": (batch, seq, n_embd),
    "logits": (batch, seq, vocab)}``; ``resid_final`` is what enters ``ln_f``.
    """
    gpt = _body(model)
    ids = _prompts(gpt, input_ids)
    n_layer, n_head = gpt.config.n_layer, gpt.config.n_head
    seen = {name: [None] * n_layer for name in ("resid_pre", "attn_out", "mlp_out", "z")}
    pairs = []
    for layer in range(n_layer):
        for name, (module, kind) in _sites(model, layer).items():
            def keep(_module, *args, name=name, layer=layer, kind=kind):
                seen[name][layer] = _read(_seen(kind, args)).detach().clone()
            pairs.append((module, kind, keep))
    final = {}
    pairs.append((gpt.ln_f, "pre", lambda _m, args: final.update(x=args[0].detach().clone())))
    with hooks(pairs):
        logits = model(ids, use_cache=False).logits  # (batch, seq, vocab)
    out = {name: torch.stack(values) for name, values in seen.items()}
    batch, seq, n_embd = out["z"].shape[1:]
    out["z"] = out["z"].view(n_layer, batch, seq, n_head, n_embd // n_head)  # split the heads
    out["resid_final"], out["logits"] = final["x"], logits
    return out


# -- the metric -----------------------------------------------------------------------------------

def logit_difference(logits: torch.Tensor, answer_id: int, wrong_id: int) -> torch.Tensor:
    """logit(answer) - logit(wrong) at the last position: (batch, seq, vocab) -> (batch,)."""
    return logits[:, -1, answer_id] - logits[:, -1, wrong_id]


@torch.no_grad()
def _patched(model, corrupted, layer: int, name: str, clean_value, where, answer: int, wrong: int) -> float:
    """The logit difference of the corrupted run with ``clean_value`` written into ``where``.

    ``where`` indexes the activation ``name`` of block ``layer`` (without the batch axis): a
    position ``(p,)`` of a (batch, seq, n_embd) tensor, or a column slice of ``z``.
    """
    module, kind = _sites(model, layer)[name]

    def patch(_module, *args):
        value = _seen(kind, args)
        tensor = _read(value).clone()
        tensor[(slice(None), *where)] = clean_value  # the clean activation, same place
        return _replace(value, tensor)

    with hooks([(module, kind, patch)]):
        logits = model(corrupted, use_cache=False).logits  # (1, seq, vocab)
    return logit_difference(logits, answer, wrong)[0].item()


def _patch_positions(model, clean_ids, corrupted_ids, answer_id, wrong_id, name: str) -> torch.Tensor:
    """Patch activation ``name`` of every block at every position: (n_layer, seq)."""
    clean, corrupted, answer, wrong = _check_call(model, clean_ids, corrupted_ids, answer_id, wrong_id)
    cache = activations(model, clean)[name]  # (n_layer, 1, seq, n_embd)
    n_layer, _, seq, _ = cache.shape
    grid = torch.empty(n_layer, seq, dtype=torch.float64)
    for layer in range(n_layer):
        for p in range(seq):
            grid[layer, p] = _patched(model, corrupted, layer, name, cache[layer, :, p], (p,), answer, wrong)
    return grid


def patch_residual(model, clean_ids, corrupted_ids, answer_id: int, wrong_id: int) -> torch.Tensor:
    """Patch the residual stream entering each block at each position: (n_layer, seq).

    Entry ``[L, p]`` is the logit difference at the last position of the corrupted run whose
    residual stream entering block ``L`` at position ``p`` is the clean run's. TransformerLens'
    ``get_act_patch_resid_pre`` with a logit-difference metric.
    """
    return _patch_positions(model, clean_ids, corrupted_ids, answer_id, wrong_id, "resid_pre")


def patch_attention(model, clean_ids, corrupted_ids, answer_id: int, wrong_id: int) -> torch.Tensor:
    """Patch each block's attention output at each position: (n_layer, seq) (``get_act_patch_attn_out``)."""
    return _patch_positions(model, clean_ids, corrupted_ids, answer_id, wrong_id, "attn_out")


def patch_mlp(model, clean_ids, corrupted_ids, answer_id: int, wrong_id: int) -> torch.Tensor:
    """Patch each block's MLP output at each position: (n_layer, seq) (``get_act_patch_mlp_out``)."""
    return _patch_positions(model, clean_ids, corrupted_ids, answer_id, wrong_id, "mlp_out")


def patch_head(model, clean_ids, corrupted_ids, answer_id: int, wrong_id: int, layer: int, head: int,
               position: int | None = None) -> float:
    """Patch one head's output (before ``c_proj``) at ``position``, or at every position if None.

    The head's columns of the input of ``h[layer].attn.c_proj`` are set to the clean run's; the
    other heads keep the corrupted values. Returns the logit difference.
    """
    clean, corrupted, answer, wrong = _check_call(model, clean_ids, corrupted_ids, answer_id, wrong_id)
    config = gpt2_body(model).config
    layer = _check_index(layer, config.n_layer, "layer", "blocks")
    head = _check_index(head, config.n_head, "head", "heads per block")
    positions = slice(None) if position is None else _check_index(position, clean.shape[1], "position", "tokens")
    return _patch_head(model, clean, corrupted, answer, wrong, layer, head, positions)


def _patch_head(model, clean, corrupted, answer, wrong, layer, head, positions, z=None) -> float:
    if z is None:
        z = activations(model, clean)["z"]  # (n_layer, 1, seq, n_head, d_head)
    d_head = z.shape[-1]
    columns = slice(head * d_head, (head + 1) * d_head)  # head `head` in the merged heads
    return _patched(model, corrupted, layer, "z", z[layer, :, positions, head], (positions, columns), answer, wrong)


def patch_heads(model, clean_ids, corrupted_ids, answer_id: int, wrong_id: int) -> torch.Tensor:
    """Patch every head at every position at once, one head at a time: (n_layer, n_head).

    TransformerLens' ``get_act_patch_attn_head_out_all_pos``.
    """
    clean, corrupted, answer, wrong = _check_call(model, clean_ids, corrupted_ids, answer_id, wrong_id)
    z = activations(model, clean)["z"]  # (n_layer, 1, seq, n_head, d_head)
    n_layer, n_head = z.shape[0], z.shape[3]
    grid = torch.empty(n_layer, n_head, dtype=torch.float64)
    for layer in range(n_layer):
        for head in range(n_head):
            grid[layer, head] = _patch_head(model, clean, corrupted, answer, wrong, layer, head, slice(None), z)
    return grid


# -- direct logit attribution ---------------------------------------------------------------------

@dataclass(frozen=True)
class Attribution:
    """The logit difference at the last position, split into what wrote it (float64 scalars/tensors)."""

    embed: torch.Tensor  # () token + position embeddings
    attention: torch.Tensor  # (n_layer,) each block's attention output, c_proj bias included
    mlp: torch.Tensor  # (n_layer,) each block's MLP output
    heads: torch.Tensor  # (n_layer, n_head) each head through its slice of c_proj, no bias
    attention_bias: torch.Tensor  # (n_layer,) c_proj's bias: attention[L] = heads[L].sum() + this
    ln_f_bias: torch.Tensor  # () ln_f's bias, which no block writes
    logit_difference: torch.Tensor  # () the model's own logit(answer) - logit(wrong)

    def total(self) -> torch.Tensor:
        """The sum of the parts: equal to ``logit_difference`` (up to float rounding)."""
        return self.embed + self.attention.sum() + self.mlp.sum() + self.ln_f_bias


@torch.no_grad()
def logit_attribution(model, input_ids, answer_id: int, wrong_id: int) -> Attribution:
    """Direct logit attribution of logit(answer) - logit(wrong) at the last position.

    ``ln_f(x) = (x - mean(x)) / s * gamma + beta`` with ``s`` the standard deviation of the
    final residual ``x`` (plus eps). Freezing ``s`` at that value makes ``ln_f`` linear in ``x``,
    and ``x`` is the sum of the embeddings and every block's attention and MLP outputs: each
    piece ``c`` contributes ``((c - mean(c)) / s * gamma) . (W_U[answer] - W_U[wrong])``.
    """
    gpt = _body(model)
    ids = _prompts(gpt, input_ids, batch_one=True)
    answer, wrong = _check_answers(gpt, answer_id, wrong_id)
    acts = activations(model, ids)
    ln_f = gpt.ln_f
    x = acts["resid_final"][0, -1].double()  # (n_embd,) the last position's final residual
    scale = torch.sqrt(x.var(unbiased=False) + ln_f.eps)  # ln_f's scale, frozen
    unembed = model.get_output_embeddings().weight.double()  # (vocab, n_embd)
    direction = ln_f.weight.double() * (unembed[answer] - unembed[wrong])  # (n_embd,)

    def through_ln_f(c):  # (..., n_embd) -> (...): a piece of x, scaled as x is
        return ((c - c.mean(-1, keepdim=True)) / scale) @ direction

    heads, bias = _head_outputs(gpt, acts["z"][:, 0, -1].double())  # (n_layer, n_head, n_embd), (n_layer, n_embd)
    logits = acts["logits"][0, -1].double()
    return Attribution(
        embed=through_ln_f(acts["resid_pre"][0, 0, -1].double()),
        attention=through_ln_f(acts["attn_out"][:, 0, -1].double()),
        mlp=through_ln_f(acts["mlp_out"][:, 0, -1].double()),
        heads=through_ln_f(heads), attention_bias=through_ln_f(bias),
        ln_f_bias=ln_f.bias.double() @ (unembed[answer] - unembed[wrong]),
        logit_difference=logits[answer] - logits[wrong])


def _head_outputs(gpt, z: torch.Tensor) -> tuple:
    """What each head writes through its rows of ``c_proj``: z (n_layer, n_head, d_head) -> (n_layer, n_head, n_embd).

    Also returns each block's ``c_proj`` bias, (n_layer, n_embd). ``Conv1D`` stores its weight as
    (in, out), so head ``i`` owns rows ``i * d_head : (i + 1) * d_head``.
    """
    n_layer, n_head, d_head = z.shape
    outputs, biases = [], []
    for layer in range(n_layer):
        proj = gpt.h[layer].attn.c_proj
        w = proj.weight.double().view(n_head, d_head, -1)  # (n_head, d_head, n_embd)
        outputs.append(torch.einsum("hd,hde->he", z[layer], w))  # (n_head, n_embd)
        biases.append(proj.bias.double())
    return torch.stack(outputs), torch.stack(biases)


# -- attention heads: what each one attends to ----------------------------------------------------

@torch.no_grad()
def attention_patterns(model, input_ids: torch.Tensor) -> torch.Tensor:
    """Every block's attention weights from one run: (n_layer, batch, n_head, seq, seq).

    A hook on each block's ``ln_1`` keeps the normed input of its attention; anatomy's
    ``query_key_value`` and ``attention_probabilities`` turn it into the weights (transformers
    returns weights only with eager attention). Rows are queries, columns keys; each row sums to 1.
    """
    gpt = _body(model)
    ids = _prompts(gpt, input_ids)
    n_layer = gpt.config.n_layer
    normed = [None] * n_layer
    pairs = [(gpt.h[layer].ln_1, "post", lambda _m, _args, out, layer=layer: normed.__setitem__(layer, out.detach()))
             for layer in range(n_layer)]
    with hooks(pairs):
        model(ids, use_cache=False)
    weights = []
    for layer in range(n_layer):
        q, k, _ = query_key_value(model, layer, normed[layer])  # 2 x (batch, n_head, seq, d_head)
        weights.append(attention_probabilities(model, layer, q, k))  # (batch, n_head, seq, seq)
    return torch.stack(weights)


def _mean_attention(model, input_ids, queries, keys) -> torch.Tensor:
    """Mean weight from each position of ``queries`` to the same entry of ``keys``: (n_layer, n_head)."""
    weights = attention_patterns(model, input_ids)  # (n_layer, batch, n_head, seq, seq)
    return weights[..., queries, keys].mean(dim=(1, 3))


def _repeated(model, input_ids, n_tokens) -> tuple:
    """``input_ids`` that end with ``n_tokens`` ids repeated twice, and the second copy's positions."""
    ids = _prompts(_body(model), input_ids)
    n = check_int(n_tokens, "n_tokens", minimum=2)
    seq = ids.shape[1]
    if seq < 2 * n or not torch.equal(ids[:, seq - 2 * n:seq - n], ids[:, seq - n:]):
        raise WrongValue("input_ids", f"must end with {n} tokens repeated twice (see repeated_tokens)")
    return ids, n, torch.arange(seq - n, seq)  # (n,) the second copy


def induction_scores(model, input_ids: torch.Tensor, n_tokens: int) -> torch.Tensor:
    """Mean attention from each position of the second copy to the token after its first occurrence.

    ``input_ids`` ends with ``n_tokens`` ids repeated twice (``repeated_tokens``). The query at
    position ``q`` of the second copy holds the same token as position ``q - n_tokens``; an
    induction head attends to the next one, ``q - n_tokens + 1``. Returns (n_layer, n_head).
    """
    ids, n, queries = _repeated(model, input_ids, n_tokens)
    return _mean_attention(model, ids, queries, queries - n + 1)


def duplicate_token_scores(model, input_ids: torch.Tensor, n_tokens: int) -> torch.Tensor:
    """Mean attention from each position of the second copy to the same token in the first: (n_layer, n_head)."""
    ids, n, queries = _repeated(model, input_ids, n_tokens)
    return _mean_attention(model, ids, queries, queries - n)


def previous_token_scores(model, input_ids: torch.Tensor) -> torch.Tensor:
    """Mean attention from each position (but the first) to the one just before it: (n_layer, n_head)."""
    ids = _two_tokens(model, input_ids)
    queries = torch.arange(1, ids.shape[1])
    return _mean_attention(model, ids, queries, queries - 1)


def first_token_scores(model, input_ids: torch.Tensor) -> torch.Tensor:
    """Mean attention from each position (but the first) to the first one, an attention sink: (n_layer, n_head)."""
    ids = _two_tokens(model, input_ids)
    queries = torch.arange(1, ids.shape[1])
    return _mean_attention(model, ids, queries, torch.zeros_like(queries))


def _two_tokens(model, input_ids) -> torch.Tensor:
    """Prompts of two tokens or more (the first position has nothing before it)."""
    gpt = _body(model)
    return check_ids(input_ids, model=gpt, min_tokens=2).to(gpt.wte.weight.device)


def even_attention(seq: int, first_query: int = 1) -> float:
    """What a head scores if it spreads its weight evenly: the mean of 1 / (q + 1) over queries q.

    Query ``q`` sees ``q + 1`` keys (itself and every earlier position). The queries are
    ``first_query`` .. ``seq - 1``; any one key then gets this weight on average.
    """
    seq = check_int(seq, "seq", minimum=2)
    first = check_int(first_query, "first_query", minimum=0)
    if first >= seq:
        raise WrongValue("first_query", f"must be below seq ({seq}), got {first}")
    return (1 / torch.arange(first + 1, seq + 1, dtype=torch.float64)).mean().item()


@contextmanager
def ablated(model, heads):
    """Zero the outputs of ``heads``, a list of ``(layer, head)`` pairs, while the block runs.

    A pre-hook on ``h[layer].attn.c_proj`` sets the head's columns of its input to 0 (zero
    ablation): the head writes nothing but ``c_proj``'s bias, which every head shares.
    """
    gpt = _body(model)
    n_head = gpt.config.n_head
    d_head = gpt.config.n_embd // n_head
    if isinstance(heads, tuple) or not all(isinstance(pair, tuple) and len(pair) == 2 for pair in heads):
        raise WrongType("heads", "expected a list of (layer, head) pairs, e.g. [(0, 1)]")
    by_layer = {}
    for layer, head in heads:
        by_layer.setdefault(_check_index(layer, gpt.config.n_layer, "layer", "blocks"), []).append(
            _check_index(head, n_head, "heads", "heads per block"))

    def zero(columns):
        def hook(_module, args):
            x = args[0].clone()  # (batch, seq, n_embd): the heads side by side
            for head in columns:
                x[..., head * d_head:(head + 1) * d_head] = 0
            return (x, *args[1:])
        return hook

    with hooks([(gpt.h[layer].attn.c_proj, "pre", zero(columns)) for layer, columns in by_layer.items()]):
        yield model


@torch.no_grad()
def copy_losses(model, input_ids: torch.Tensor, n_tokens: int) -> tuple:
    """The mean next-token loss on the first copy and on the second: two floats, in nats.

    ``input_ids`` ends with ``n_tokens`` ids repeated twice. The second copy's first token follows
    the first copy's last, which nothing predicts, so it is left out; the first copy's first
    token counts only if something comes before it (a ``bos``).
    """
    ids, n, _ = _repeated(model, input_ids, n_tokens)
    seq = ids.shape[1]
    log_p = model(ids, use_cache=False).logits.double().log_softmax(-1)[:, :-1]  # (batch, seq - 1, vocab)
    loss = -log_p.gather(-1, ids[:, 1:, None])[..., 0]  # (batch, seq - 1): loss[p] predicts token p + 1
    first = loss[:, max(seq - 2 * n - 1, 0):seq - n - 1]  # predicts the first copy
    second = loss[:, seq - n:]  # predicts the second copy, but its first token
    return first.mean().item(), second.mean().item()


def repeated_tokens(n_tokens: int, *, seed: int = 0, vocab=None, bos: int | None = END_OF_TEXT_ID,
                    batch: int = 1) -> torch.Tensor:
    """``bos`` (None: none), then ``n_tokens`` random token ids, then the same ids again: (batch, [1 +] 2n).

    ``vocab`` is the ids to draw from (a 1-D integer tensor, or an int ``V`` for ``0 .. V - 1``;
    default all of GPT-2's vocabulary); they are drawn without replacement, so no token repeats
    inside one copy. ``batch`` rows, each drawn afresh.
    """
    n = check_int(n_tokens, "n_tokens", minimum=2, why=" (one token has nothing after it to attend to)")
    seed = check_int(seed, "seed")
    rows = check_int(batch, "batch", minimum=1)
    pool = torch.arange(VOCAB_SIZE) if vocab is None else torch.arange(vocab) if is_int(vocab) else vocab
    if not isinstance(pool, torch.Tensor) or pool.dim() != 1 or pool.is_floating_point():
        raise WrongType("vocab", "expected a 1-D integer tensor of token ids, or a vocabulary size (int)")
    if pool.numel() < n:
        raise WrongValue("vocab", f"has {pool.numel()} ids, fewer than n_tokens ({n})")
    start = [] if bos is None else [check_int(bos, "bos", minimum=0, what="a token id (int) or None")]
    generator = torch.Generator().manual_seed(seed)
    out = []
    for _ in range(rows):
        first = pool[torch.randperm(pool.numel(), generator=generator)[:n]]  # (n,) distinct ids
        out.append(torch.cat([torch.tensor(start, dtype=torch.long), first, first]).long())
    return torch.stack(out)  # (batch, [1 +] 2n)
