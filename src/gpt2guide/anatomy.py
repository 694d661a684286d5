"""GPT-2's body written out by hand, one short function per step, reading the checkpoint's own tensors.

Every weight is read by its state-dict name (``wte``, ``wpe``, ``h.{i}.ln_1``, ``h.{i}.attn.c_attn``,
``h.{i}.attn.c_proj``, ``h.{i}.ln_2``, ``h.{i}.mlp.c_fc``, ``h.{i}.mlp.c_proj``, ``ln_f``), and every
step is checked against transformers in tests/test_anatomy.py and on the chapter's page:

    x = wte[ids] + wpe[positions]                       embed
    for each block i:                                    block (pre-LN, as GPT-2 is)
        x = x + c_proj(attention(ln_1(x)))               attention: causal, n_head heads
        x = x + mlp(ln_2(x))                             mlp: c_fc -> gelu_new -> c_proj (4x wide)
    x = ln_f(x)                                          body == last_hidden_state

transformers' ``Conv1D`` stores its weight as (in, out), so a projection is ``x @ W + b`` (no
transpose, unlike ``nn.Linear``). Any ``GPT2Config`` works (layers, width, heads, ``n_inner``,
``layer_norm_epsilon``, ``scale_attn_weights``, ``scale_attn_by_inverse_layer_idx``); the model may
be a ``GPT2Model`` or anything holding one as ``.transformer`` (``GPT2LMHeadModel``); batch >= 1,
no padding (every position is a real token). Dropout is left out and autograd is off
(``torch.no_grad``): this is the model at inference, in eval mode.
References: karpathy/nanoGPT ``model.py`` (``CausalSelfAttention``, ``MLP``, ``Block``); openai/gpt-2
``src/model.py``; transformers ``models/gpt2/modeling_gpt2.py`` (``eager_attention_forward``).
"""

from __future__ import annotations

import math

import torch
from transformers import GPT2Model

from .validation import WrongType, WrongValue, check_float_tensor, check_ids, check_number

GELU_C = math.sqrt(2.0 / math.pi)  # the tanh GELU's constants (Hendrycks and Gimpel 2016, as GPT-2 uses it)
GELU_A = 0.044715

# Each step is written twice over: a public function that checks its arguments once, on entry, and
# calls a private kernel that trusts them (``block`` checks, ``_block`` computes). Kernels call
# kernels, so a whole ``body`` checks its ids once, not once per layer; the backward pass
# (``gpt2guide.backward``) runs the same kernels. This is transformers' "validate in ``__init__``,
# pure ``__call__``", and ``backward.adamw.AdamW`` works so too.

# -- checks on entry ---------------------------------------------------------------------------

def gpt2_body(model):
    """The ``GPT2Model`` inside ``model`` (the model itself, or ``model.transformer``)."""
    gpt = model if isinstance(model, GPT2Model) else getattr(model, "transformer", None)
    if not isinstance(gpt, GPT2Model):
        if not isinstance(model, torch.nn.Module):
            raise WrongType("model", f"expected a GPT-2 model (e.g. from gpt2guide.load), got {type(model).__name__}")
        kind = getattr(getattr(model, "config", None), "model_type", None)
        raise WrongValue("model", f"{type(model).__name__} (model_type {kind!r}) is not GPT-2; pass a GPT2Model "
                         "or a GPT2LMHeadModel, e.g. gpt2guide.load('pocket')")
    return gpt


def _check_layer(gpt: GPT2Model, layer) -> int:
    """``layer`` as the index of one of the body's blocks, 0 .. n_layer - 1."""
    if not isinstance(layer, int) or isinstance(layer, bool):
        raise WrongType("layer", f"expected a block index (int), got {type(layer).__name__}")
    n_layer = gpt.config.n_layer
    if not 0 <= layer < n_layer:
        raise WrongValue("layer", f"{layer} is out of range; this model has {n_layer} blocks, 0 to {n_layer - 1}")
    return layer


def _check_hidden(gpt: GPT2Model, x, argument: str = "x"):
    """A (batch, seq, n_embd) float tensor: what flows between the steps of a GPT-2 body."""
    check_float_tensor(x, argument, "(batch, seq, n_embd)")
    n_embd = gpt.config.n_embd
    if x.dim() != 3 or x.shape[-1] != n_embd or 0 in x.shape:
        raise WrongValue(argument, f"expected shape (batch, seq, {n_embd}) (n_embd = {n_embd}), got {tuple(x.shape)}")
    return x


def _checked_step(model, layer, x) -> GPT2Model:
    """What a block's step takes: a GPT-2 model, one of its block indices, its hidden states; returns the body."""
    gpt = gpt2_body(model)
    _check_layer(gpt, layer)
    _check_hidden(gpt, x)
    return gpt


# -- the kernels: the arithmetic, unchecked (the public steps below check, then call these) ---------

def _embed(gpt: GPT2Model, input_ids: torch.Tensor) -> torch.Tensor:
    ids = input_ids.to(gpt.wte.weight.device)  # (batch, seq)
    positions = torch.arange(ids.shape[1], device=ids.device)  # (seq,): 0, 1, ..., seq - 1
    tokens = gpt.wte.weight[ids]  # (batch, seq, n_embd): one row of wte per token
    where = gpt.wpe.weight[positions]  # (seq, n_embd): one row of wpe per position, the same for every batch row
    return tokens + where  # (batch, seq, n_embd)


def _layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
    var = x.var(dim=-1, keepdim=True, unbiased=False)  # (..., 1): the mean of squares, divided by n, not n - 1
    return (x - mean) / torch.sqrt(var + eps) * weight + bias  # (..., n_embd)


def _norm(x: torch.Tensor, ln: torch.nn.LayerNorm) -> torch.Tensor:
    return _layer_norm(x, ln.weight, ln.bias, ln.eps)


@torch.no_grad()
def projection(x: torch.Tensor, conv1d) -> torch.Tensor:
    """transformers' ``Conv1D`` by hand: x @ W + b, with W stored as (in, out)."""
    return x @ conv1d.weight + conv1d.bias  # (..., in) @ (in, out) -> (..., out)


@torch.no_grad()
def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """GELU in the tanh form GPT-2 was trained with (transformers' ``gelu_new``)."""
    return 0.5 * x * (1.0 + torch.tanh(GELU_C * (x + GELU_A * torch.pow(x, 3.0))))


def split_heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """(batch, seq, n_embd) -> (batch, n_head, seq, head_dim): each head gets its own slice of the width."""
    batch, seq, n_embd = x.shape
    return x.view(batch, seq, n_head, n_embd // n_head).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(batch, n_head, seq, head_dim) -> (batch, seq, n_embd): the heads side by side again."""
    batch, n_head, seq, head_dim = x.shape
    return x.transpose(1, 2).reshape(batch, seq, n_head * head_dim)


def causal_mask(seq: int, device=None) -> torch.Tensor:
    """(seq, seq) booleans, True where position i may look at position j (j <= i)."""
    return torch.ones(seq, seq, dtype=torch.bool, device=device).tril()


def _query_key_value(gpt: GPT2Model, layer: int, x: torch.Tensor):
    qkv = projection(x, gpt.h[layer].attn.c_attn)  # (batch, seq, 3 * n_embd)
    q, k, v = qkv.split(gpt.config.n_embd, dim=-1)  # 3 x (batch, seq, n_embd)
    n_head = gpt.config.n_head
    return split_heads(q, n_head), split_heads(k, n_head), split_heads(v, n_head)  # 3 x (batch, n_head, seq, head_dim)


def _attention_scale(config, layer: int) -> float:
    scale = (config.n_embd // config.n_head) ** -0.5 if config.scale_attn_weights else 1.0
    if config.scale_attn_by_inverse_layer_idx:
        scale /= float(layer + 1)
    return scale


def _attention_probabilities(q: torch.Tensor, k: torch.Tensor, scale: float) -> torch.Tensor:
    scores = (q @ k.transpose(-1, -2)) * scale  # (batch, n_head, seq, seq)
    allowed = causal_mask(q.shape[-2], device=q.device)  # (seq, seq)
    scores = scores.masked_fill(~allowed, float("-inf"))  # a later position gets weight exp(-inf) = 0
    return torch.softmax(scores, dim=-1)  # (batch, n_head, seq, seq)


def _attention(gpt: GPT2Model, layer: int, x: torch.Tensor) -> torch.Tensor:
    q, k, v = _query_key_value(gpt, layer, x)  # 3 x (batch, n_head, seq, head_dim)
    weights = _attention_probabilities(q, k, _attention_scale(gpt.config, layer))  # (batch, n_head, seq, seq)
    mixed = weights @ v  # (batch, n_head, seq, head_dim): each position's weighted sum of values
    return projection(merge_heads(mixed), gpt.h[layer].attn.c_proj)  # (batch, seq, n_embd)


def activation(config):
    """The MLP's non-linearity: ``gelu_new`` by hand for GPT-2, transformers' own for another config."""
    if config.activation_function == "gelu_new":
        return gelu_new
    from transformers.activations import ACT2FN

    return ACT2FN[config.activation_function]


def _mlp(gpt: GPT2Model, layer: int, x: torch.Tensor) -> torch.Tensor:
    wide = projection(x, gpt.h[layer].mlp.c_fc)  # (batch, seq, 4 * n_embd) unless n_inner is set
    return projection(activation(gpt.config)(wide), gpt.h[layer].mlp.c_proj)  # (batch, seq, n_embd)


def _block(gpt: GPT2Model, layer: int, x: torch.Tensor) -> torch.Tensor:
    h = gpt.h[layer]
    x = x + _attention(gpt, layer, _norm(x, h.ln_1))  # first residual connection
    return x + _mlp(gpt, layer, _norm(x, h.ln_2))  # second residual connection


def _block_outputs(gpt: GPT2Model, input_ids: torch.Tensor) -> list[torch.Tensor]:
    states = [_embed(gpt, input_ids)]  # (batch, seq, n_embd)
    for layer in range(gpt.config.n_layer):
        states.append(_block(gpt, layer, states[-1]))
    return states


def _head_weight(model) -> torch.Tensor:
    lm_head = getattr(model, "lm_head", None)
    return lm_head.weight if lm_head is not None else gpt2_body(model).wte.weight  # (vocab, n_embd)


# -- the steps, as the reader calls them: check once, then run the kernel ---------------------------

@torch.no_grad()
def embed(model, input_ids: torch.Tensor) -> torch.Tensor:
    """Token embedding plus position embedding: what the first block receives, (batch, seq, n_embd)."""
    gpt = gpt2_body(model)
    check_ids(input_ids, model=gpt)  # (batch, seq) ids of the vocabulary that fit the context
    return _embed(gpt, input_ids)


@torch.no_grad()
def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    """Layer normalization over the last axis: (x - mean) / sqrt(var + eps) * weight + bias."""
    for name, t in (("x", x), ("weight", weight), ("bias", bias)):
        if not isinstance(t, torch.Tensor):
            raise WrongType(name, f"expected a tensor, got {type(t).__name__}")
    if weight.shape != x.shape[-1:] or bias.shape != x.shape[-1:]:
        raise WrongValue("weight, bias", f"expected shape ({x.shape[-1]},) to match x's last axis, got "
                         f"{tuple(weight.shape)} and {tuple(bias.shape)}")
    check_number(eps, "eps", positive=True, why=" (a small number such as config.layer_norm_epsilon, 1e-5)")
    return _layer_norm(x, weight, bias, eps)


@torch.no_grad()
def query_key_value(model, layer: int, x: torch.Tensor):
    """The queries, keys and values of block ``layer`` for its normed input ``x``, each (batch, n_head, seq, head_dim).

    The keys and values are what the KV cache stores for this block.
    """
    return _query_key_value(_checked_step(model, layer, x), layer, x)


def attention_scale(model, layer: int) -> float:
    """What q·kᵀ is multiplied by: 1/sqrt(head_dim) for GPT-2 (and 1/(layer+1) more if the config asks)."""
    gpt = gpt2_body(model)
    return _attention_scale(gpt.config, _check_layer(gpt, layer))


@torch.no_grad()
def attention_probabilities(model, layer: int, q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """softmax(q·kᵀ / sqrt(head_dim)) under the causal mask: (batch, n_head, seq, seq), rows sum to 1."""
    return _attention_probabilities(q, k, attention_scale(model, layer))


@torch.no_grad()
def attention(model, layer: int, x: torch.Tensor) -> torch.Tensor:
    """Causal multi-head self-attention of block ``layer`` on its normed input ``x``: (batch, seq, n_embd)."""
    return _attention(_checked_step(model, layer, x), layer, x)


@torch.no_grad()
def mlp(model, layer: int, x: torch.Tensor) -> torch.Tensor:
    """The MLP of block ``layer`` on its normed input ``x``: widen 4x, GELU, narrow back. (batch, seq, n_embd)."""
    return _mlp(_checked_step(model, layer, x), layer, x)


@torch.no_grad()
def block(model, layer: int, x: torch.Tensor) -> torch.Tensor:
    """One transformer block, pre-LN: x + attention(ln_1(x)), then + mlp(ln_2(...)). (batch, seq, n_embd)."""
    return _block(_checked_step(model, layer, x), layer, x)


@torch.no_grad()
def block_outputs(model, input_ids: torch.Tensor) -> list[torch.Tensor]:
    """The residual stream before each block and after the last: n_layer + 1 tensors (batch, seq, n_embd).

    Unlike transformers' ``output_hidden_states``, whose last entry is already normed by ``ln_f``,
    the last entry here is the raw output of the last block.
    """
    gpt = gpt2_body(model)
    check_ids(input_ids, model=gpt)
    return _block_outputs(gpt, input_ids)


@torch.no_grad()
def final_norm(model, x: torch.Tensor) -> torch.Tensor:
    """``ln_f``, the layer norm after the last block. (batch, seq, n_embd)."""
    gpt = gpt2_body(model)
    return _norm(_check_hidden(gpt, x), gpt.ln_f)


@torch.no_grad()
def body(model, input_ids: torch.Tensor) -> torch.Tensor:
    """The whole body: embeddings, every block, ``ln_f``. Equals ``last_hidden_state``, (batch, seq, n_embd)."""
    gpt = gpt2_body(model)
    check_ids(input_ids, model=gpt)
    return _norm(_block_outputs(gpt, input_ids)[-1], gpt.ln_f)


@torch.no_grad()
def head(model, hidden: torch.Tensor) -> torch.Tensor:
    """The LM head on hidden states: their dot product with every row of the token embedding (tied), (..., vocab)."""
    weight = _head_weight(model)  # (vocab, n_embd)
    check_float_tensor(hidden, "hidden", "(..., n_embd)")
    if hidden.dim() == 0 or hidden.shape[-1] != weight.shape[1]:
        raise WrongValue("hidden", f"expected shape (..., {weight.shape[1]}) (n_embd), got {tuple(hidden.shape)}")
    return hidden @ weight.T  # (..., n_embd) @ (n_embd, vocab) -> (..., vocab)


@torch.no_grad()
def logit_lens(model, input_ids: torch.Tensor) -> torch.Tensor:
    """``ln_f`` and the head applied to the residual stream before each block and after the last.

    Returns (n_layer + 1, batch, seq, vocab); the last entry is the model's own logits.
    References: nostalgebraist, "interpreting GPT: the logit lens" (2020).
    """
    gpt = gpt2_body(model)
    check_ids(input_ids, model=gpt)
    weight = _head_weight(model)  # (vocab, n_embd)
    return torch.stack([_norm(x, gpt.ln_f) @ weight.T for x in _block_outputs(gpt, input_ids)])


@torch.no_grad()
def attention_weights(model, input_ids: torch.Tensor, layer: int) -> torch.Tensor:
    """The attention weights of block ``layer`` on ``input_ids``: (batch, n_head, seq, seq).

    Equal to ``model(input_ids, output_attentions=True).attentions[layer]`` with eager attention.
    """
    gpt = gpt2_body(model)
    check_ids(input_ids, model=gpt)
    _check_layer(gpt, layer)
    x = _embed(gpt, input_ids)  # (batch, seq, n_embd)
    for earlier in range(layer):
        x = _block(gpt, earlier, x)
    q, k, _ = _query_key_value(gpt, layer, _norm(x, gpt.h[layer].ln_1))
    return _attention_probabilities(q, k, _attention_scale(gpt.config, layer))  # (batch, n_head, seq, seq)


# -- what the model itself computes, for comparison ------------------------------------------------

def capture(model, input_ids: torch.Tensor, names) -> dict:
    """Run the model once and return ``{name: output}`` of the named submodules of its body.

    ``names`` are module names inside the ``GPT2Model`` as in its state dict, without the
    parameter suffix: ``"h.0.ln_1"``, ``"h.0.attn.c_attn"``, ``"h.0.attn"``, ``"h.0.mlp.act"``, ...
    A forward hook on each records what that module returned (an attention module returns a tuple
    whose first item is its output; that item is kept). References: torch
    ``Module.register_forward_hook``.
    """
    gpt = gpt2_body(model)
    ids = check_ids(input_ids, model=gpt).to(gpt.wte.weight.device)  # (batch, seq)
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise WrongType("names", "expected a list of module names such as ['h.0.ln_1', 'h.0.attn']")
    outputs: dict = {}
    handles = []
    try:
        for name in names:
            try:
                module = gpt.get_submodule(name)
            except AttributeError:
                raise WrongValue("names", f"the body has no module {name!r}; see [n for n, _ in "
                                 "model.named_modules()] for the names") from None

            def keep(_module, _inputs, output, name=name):
                outputs[name] = output[0] if isinstance(output, tuple) else output

            handles.append(module.register_forward_hook(keep))
        with torch.no_grad():
            gpt(ids)
    finally:
        for handle in handles:
            handle.remove()
    return outputs
