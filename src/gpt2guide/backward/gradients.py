"""The gradient of GPT-2's mean next-token loss with respect to every parameter, by hand.

``gradients(model, input_ids)`` runs the forward pass once, with ``gpt2guide.anatomy``'s own kernels,
keeping what each step read, then
walks back from the loss to the embeddings with the functions of ``backward.steps``:

    loss -> logits            cross-entropy: (softmax - one_hot) / n
    logits -> ln_f output     the head (tied: its weight is wte, and gets a gradient here)
    ln_f                      layer norm backwards
    for each block, last first:
        x2 = x1 + mlp(ln_2(x1))     the residual passes d_x2 straight to x1, the MLP adds its part
        x1 = x + attn(ln_1(x))      likewise through attention
    x = wte[ids] + wpe[pos]   embeddings: the token rows summed with the head's gradient of wte

The result is keyed as ``model.named_parameters()``: the tied token embedding appears once, as
``transformer.wte.weight``, with both of its paths summed. Everything runs under
``torch.no_grad()``; tests/test_backward.py proves it equals ``loss.backward()``. Dropout is left
out, so the model must be in eval mode (or have every dropout probability 0).
References: karpathy/llm.c ``train_gpt2.c`` (``gpt2_backward``); karpathy/nanoGPT ``model.py``.
"""

from __future__ import annotations

import torch

from ..anatomy import _attention_probabilities, _attention_scale, _embed, _norm, _query_key_value, gelu_new, gpt2_body, merge_heads, projection, split_heads
from ..loss import _per_token_losses
from ..validation import WrongType, WrongValue, check_ids
from .steps import attention_backward, cross_entropy_backward, embedding_backward, gelu_new_backward, layer_norm_backward, linear_backward

# Activation names whose formula is 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
TANH_GELU = ("gelu_new", "gelu_pytorch_tanh")
DROPOUTS = ("embd_pdrop", "attn_pdrop", "resid_pdrop")


def _check_model(model):
    """The ``GPT2Model`` inside a ``GPT2LMHeadModel`` whose config the hand-written backward pass covers."""
    gpt = gpt2_body(model)
    if getattr(model, "lm_head", None) is None:
        raise WrongValue("model", f"{type(model).__name__} has no lm_head; the loss needs the head: pass a "
                         "GPT2LMHeadModel, e.g. gpt2guide.load('pocket')[0]")
    config = gpt.config
    if config.activation_function not in TANH_GELU:
        raise WrongValue("model", f"activation_function {config.activation_function!r} is not covered; the "
                         f"backward pass is written for GPT-2's {' or '.join(TANH_GELU)}")
    if getattr(config, "add_cross_attention", False):
        raise WrongValue("model", "add_cross_attention=True is not covered; GPT-2 has self-attention only")
    if model.training and any(getattr(config, name, 0.0) > 0 for name in DROPOUTS):
        raise WrongValue("model", "the model is in training mode with dropout on; the hand-written gradients "
                         "leave dropout out: call model.eval() first")
    return gpt


def _block_forward(gpt, layer: int, x: torch.Tensor):
    """One block forward with anatomy's kernels, returning its output and what the backward pass needs (a dict)."""
    h = gpt.h[layer]
    a = _norm(x, h.ln_1)  # (batch, seq, n_embd)
    q, k, v = _query_key_value(gpt, layer, a)  # 3 x (batch, n_head, seq, head_dim)
    scale = _attention_scale(gpt.config, layer)
    probs = _attention_probabilities(q, k, scale)  # (batch, n_head, seq, seq)
    mixed = merge_heads(probs @ v)  # (batch, seq, n_embd)
    x1 = x + projection(mixed, h.attn.c_proj)  # first residual connection
    b = _norm(x1, h.ln_2)  # (batch, seq, n_embd)
    wide = projection(b, h.mlp.c_fc)  # (batch, seq, n_inner)
    g = gelu_new(wide)
    x2 = x1 + projection(g, h.mlp.c_proj)  # second residual connection
    return x2, dict(x=x, a=a, q=q, k=k, v=v, probs=probs, scale=scale, mixed=mixed, x1=x1, b=b, wide=wide, g=g)


def _block_backward(gpt, layer: int, s: dict, d_x2: torch.Tensor, add) -> torch.Tensor:
    """One block backwards: from d(loss)/d(output) to d(loss)/d(input); weight gradients go to ``add``."""
    h = gpt.h[layer]
    # x2 = x1 + c_proj(gelu(c_fc(ln_2(x1)))): the residual hands d_x2 to x1 unchanged.
    d_g, dw, db = linear_backward(d_x2, s["g"], h.mlp.c_proj.weight)
    add(h.mlp.c_proj.weight, dw), add(h.mlp.c_proj.bias, db)
    d_wide = gelu_new_backward(d_g, s["wide"])  # (batch, seq, n_inner)
    d_b, dw, db = linear_backward(d_wide, s["b"], h.mlp.c_fc.weight)
    add(h.mlp.c_fc.weight, dw), add(h.mlp.c_fc.bias, db)
    d_x1, dw, db = layer_norm_backward(d_b, s["x1"], h.ln_2.weight, h.ln_2.eps)
    add(h.ln_2.weight, dw), add(h.ln_2.bias, db)
    d_x1 = d_x2 + d_x1  # the residual path plus the MLP path
    # x1 = x + c_proj(attention(ln_1(x))): the same again through attention.
    d_mixed, dw, db = linear_backward(d_x1, s["mixed"], h.attn.c_proj.weight)
    add(h.attn.c_proj.weight, dw), add(h.attn.c_proj.bias, db)
    d_heads = split_heads(d_mixed, gpt.config.n_head)  # (batch, n_head, seq, head_dim)
    dq, dk, dv = attention_backward(d_heads, s["q"], s["k"], s["v"], s["probs"], s["scale"])
    d_qkv = torch.cat([merge_heads(dq), merge_heads(dk), merge_heads(dv)], dim=-1)  # (batch, seq, 3 * n_embd)
    d_a, dw, db = linear_backward(d_qkv, s["a"], h.attn.c_attn.weight)
    add(h.attn.c_attn.weight, dw), add(h.attn.c_attn.bias, db)
    d_x, dw, db = layer_norm_backward(d_a, s["x"], h.ln_1.weight, h.ln_1.eps)
    add(h.ln_1.weight, dw), add(h.ln_1.bias, db)
    return d_x1 + d_x  # the residual path plus the attention path


@torch.no_grad()
def gradients(model, input_ids: torch.Tensor) -> dict[str, torch.Tensor]:
    """d(mean next-token loss)/d(parameter) for every parameter, keyed as ``model.named_parameters()``.

    ``input_ids`` is (batch, seq) with seq >= 2, every position a real token (no padding); the
    loss is the mean over the batch * (seq - 1) predictions, as ``model(ids, labels=ids).loss``.
    """
    return loss_and_gradients(model, input_ids)[1]


@torch.no_grad()
def loss_and_gradients(model, input_ids: torch.Tensor) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """``(loss, gradients(model, input_ids))``: the forward pass the gradients need also gives the loss."""
    gpt = _check_model(model)
    ids = check_ids(input_ids, model=gpt, min_tokens=2).to(gpt.wte.weight.device)  # (batch, seq)
    found: dict[int, torch.Tensor] = {}  # id(parameter) -> its gradient so far

    def add(param: torch.Tensor, grad: torch.Tensor) -> None:
        if id(param) in found:
            found[id(param)].add_(grad)  # a second path to the same tensor (the tied wte): sum in place
        else:
            found[id(param)] = grad  # every grad here is a fresh tensor, so adding to it in place is safe

    # Forward, keeping what each step read.
    x = _embed(gpt, ids)  # (batch, seq, n_embd)
    saved = []
    for layer in range(gpt.config.n_layer):
        x, s = _block_forward(gpt, layer, x)
        saved.append(s)
    f = _norm(x, gpt.ln_f)  # (batch, seq, n_embd)
    head = model.lm_head.weight  # (vocab, n_embd): wte itself when tied
    logits = f @ head.T  # (batch, seq, vocab)

    # Backward, from the loss to the embeddings.
    d_logits = cross_entropy_backward(logits, ids)  # (batch, seq, vocab)
    add(head, d_logits.reshape(-1, d_logits.shape[-1]).T @ f.reshape(-1, f.shape[-1]))  # (vocab, n_embd)
    d_f = d_logits @ head  # (batch, seq, n_embd)
    d_x, dw, db = layer_norm_backward(d_f, x, gpt.ln_f.weight, gpt.ln_f.eps)
    add(gpt.ln_f.weight, dw), add(gpt.ln_f.bias, db)
    for layer in reversed(range(gpt.config.n_layer)):
        d_x = _block_backward(gpt, layer, saved[layer], d_x, add)
    d_wte, d_wpe = embedding_backward(d_x, ids, gpt.wte.weight.shape[0], gpt.wpe.weight.shape[0])
    add(gpt.wte.weight, d_wte), add(gpt.wpe.weight, d_wpe)  # wte: summed with the head's part when tied
    loss = _per_token_losses(logits, ids).mean()  # 0-dim, as F.cross_entropy
    return loss, {name: found[id(p)] for name, p in model.named_parameters()}


def relative_difference(grads: dict, reference: dict) -> float:
    """The largest, over the tensors, of max|a - b| / max|b|: how far ``grads`` is from ``reference``."""
    for name, value in (("grads", grads), ("reference", reference)):
        if not isinstance(value, dict):
            raise WrongType(name, f"expected a dict of tensors such as gradients() returns, got {type(value).__name__}")
    if grads.keys() != reference.keys():
        raise WrongValue("grads", "expected the same keys as reference (one per named parameter)")
    return max(((grads[n] - reference[n]).abs().max() / reference[n].abs().max().clamp_min(1e-30)).item()
               for n in reference)
