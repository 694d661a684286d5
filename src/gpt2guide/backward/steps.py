"""The backward pass of each step of GPT-2, one short function per step, each the chain rule written out.

Each function takes the gradient of the loss with respect to a step's output (``d_out``, the
same shape as the output) and what the forward step read, and returns the gradients with
respect to that step's inputs and weights. Nothing here uses autograd: every line is plain
tensor arithmetic, and tests/test_backward.py checks each function against
``torch.autograd.grad`` of the same forward step.

    logits -> loss        cross_entropy_backward   (softmax - one_hot) / n_predictions
    y = x @ W + b         linear_backward          dx = dy @ Wᵀ, dW = xᵀ dy, db = Σ dy
    layer norm            layer_norm_backward      through the mean and the variance
    gelu_new              gelu_new_backward        the tanh form's derivative
    softmax               softmax_backward         the Jacobian-vector product p * (dp - Σ p dp)
    attention             attention_backward       through p @ v, the softmax and q·kᵀ
    wte[ids] + wpe[pos]   embedding_backward       rows added back where they were read

Shapes as in ``gpt2guide.anatomy``: ``(batch, seq, n_embd)`` for hidden states,
``(batch, n_head, seq, head_dim)`` for queries, keys and values; transformers' ``Conv1D``
weights are ``(in, out)``. References: karpathy/llm.c ``train_gpt2.c`` (``*_backward``) and
``doc/layernorm/layernorm.md``; Andrej Karpathy, "Yes you should understand backprop" (2016);
openai/gpt-2 ``src/model.py`` (``gelu``).
"""

from __future__ import annotations

import torch

from ..anatomy import GELU_A, GELU_C  # the tanh GELU's constants, as anatomy.gelu_new uses them


def cross_entropy_backward(logits: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
    """d(mean next-token loss)/d(logits): (softmax - one_hot(next token)) / n_predictions. (batch, seq, vocab).

    The loss averages over ``batch * (seq - 1)`` predictions; the last position predicts nothing,
    so its gradient is 0.
    """
    batch, seq, _ = logits.shape
    n = batch * (seq - 1)  # the number of predictions the mean is taken over
    d_logits = torch.zeros_like(logits)  # (batch, seq, vocab)
    probs = torch.softmax(logits[:, :-1], dim=-1)  # (batch, seq - 1, vocab)
    answers = input_ids[:, 1:].unsqueeze(-1)  # (batch, seq - 1, 1): the token that came next
    probs.scatter_add_(-1, answers, torch.full_like(answers, -1, dtype=probs.dtype))  # minus the one-hot
    d_logits[:, :-1] = probs / n
    return d_logits


def linear_backward(d_out: torch.Tensor, x: torch.Tensor, weight: torch.Tensor):
    """``y = x @ W + b`` backwards: ``(dx, dW, db)``; W is ``(in, out)`` as Conv1D stores it."""
    dx = d_out @ weight.T  # (..., out) @ (out, in) -> (..., in)
    dw = x.reshape(-1, x.shape[-1]).T @ d_out.reshape(-1, d_out.shape[-1])  # (in, out): summed over every position
    db = d_out.reshape(-1, d_out.shape[-1]).sum(0)  # (out,)
    return dx, dw, db


def layer_norm_backward(d_out: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, eps: float):
    """Layer norm backwards: ``(dx, dweight, dbias)`` for ``y = (x - mean) / sqrt(var + eps) * weight + bias``."""
    mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
    rstd = torch.rsqrt(x.var(dim=-1, keepdim=True, unbiased=False) + eps)  # (..., 1): 1 / standard deviation
    x_hat = (x - mean) * rstd  # (..., n_embd): the normalized input
    d_weight = (d_out * x_hat).reshape(-1, x.shape[-1]).sum(0)  # (n_embd,)
    d_bias = d_out.reshape(-1, x.shape[-1]).sum(0)  # (n_embd,)
    d_hat = d_out * weight  # (..., n_embd): through the gain
    # Through the mean (every x moves it: - mean(d_hat)) and the variance (- x_hat * mean(d_hat * x_hat)).
    dx = (d_hat - d_hat.mean(-1, keepdim=True) - x_hat * (d_hat * x_hat).mean(-1, keepdim=True)) * rstd
    return dx, d_weight, d_bias


def gelu_new_backward(d_out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``0.5 x (1 + tanh(c (x + a x³)))`` backwards: d_out times its derivative at ``x``."""
    t = torch.tanh(GELU_C * (x + GELU_A * x**3))  # (..., n_inner)
    # product rule: d/dx [0.5 x] (1 + t)  +  0.5 x  d/dx [t],  with tanh' = 1 - tanh²
    slope = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * GELU_C * (1.0 + 3.0 * GELU_A * x * x)
    return d_out * slope


def softmax_backward(d_probs: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """The softmax's Jacobian-vector product over the last axis: ``p * (dp - Σ_j p_j dp_j)``.

    The Jacobian ``diag(p) - p pᵀ`` is never built. A masked position has p = 0, so its gradient
    is 0: the causal mask needs no extra step backwards.
    """
    return probs * (d_probs - (d_probs * probs).sum(-1, keepdim=True))


def attention_backward(d_out: torch.Tensor, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                       probs: torch.Tensor, scale: float):
    """``softmax(scale · q kᵀ, causal) @ v`` backwards: ``(dq, dk, dv)``, each (batch, n_head, seq, head_dim)."""
    d_probs = d_out @ v.transpose(-1, -2)  # (batch, n_head, seq, seq): through the weighted sum
    dv = probs.transpose(-1, -2) @ d_out  # (batch, n_head, seq, head_dim)
    d_scores = softmax_backward(d_probs, probs) * scale  # (batch, n_head, seq, seq)
    dq = d_scores @ k  # (batch, n_head, seq, head_dim)
    dk = d_scores.transpose(-1, -2) @ q  # (batch, n_head, seq, head_dim)
    return dq, dk, dv


def embedding_backward(d_out: torch.Tensor, input_ids: torch.Tensor, vocab_size: int, n_positions: int):
    """``wte[ids] + wpe[positions]`` backwards: ``(d_wte, d_wpe)``, full-size, 0 in the rows never read.

    A token that occurs several times gets the sum of its positions' gradients (``index_add_``);
    a position's row gets the sum over the batch.
    """
    batch, seq, n_embd = d_out.shape
    d_wte = torch.zeros(vocab_size, n_embd, dtype=d_out.dtype, device=d_out.device)  # (vocab, n_embd)
    d_wte.index_add_(0, input_ids.reshape(-1), d_out.reshape(-1, n_embd))
    d_wpe = torch.zeros(n_positions, n_embd, dtype=d_out.dtype, device=d_out.device)  # (n_positions, n_embd)
    d_wpe[:seq] = d_out.sum(0)  # every batch row reads the same positions 0 .. seq - 1
    return d_wte, d_wpe
