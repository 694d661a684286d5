"""The next-token loss by hand: what "training" makes small, and perplexity, its exponential.

At each position the model predicts the token that comes next, so the prediction made at
position ``i`` is scored against the token at ``i + 1``: the logits drop their last position and
the targets drop their first (the shift). Log-softmax turns each row of logits into
log-probabilities; the loss is the mean, over the predicted tokens, of minus the log-probability
of the token that really came (cross-entropy). ``exp(loss)`` is the perplexity: the model was as
unsure as if it had picked uniformly among that many tokens at every step.

``next_token_loss(logits, ids)`` equals transformers' ``model(ids, labels=ids).loss``
(``ForCausalLMLoss`` shifts the labels the same way).
References: nanoGPT ``model.py`` (``F.cross_entropy`` on the shifted targets); transformers
``loss/loss_utils.py``; Jurafsky & Martin, "Speech and Language Processing", chapter 3 (perplexity).
"""

from __future__ import annotations

import torch

from .validation import WrongValue, check_float_tensor, check_ids, check_int


def next_token_loss(logits: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each next token: a 0-dimensional tensor (keeps the graph for backward)."""
    return per_token_losses(logits, input_ids).mean()


def per_token_losses(logits: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
    """``-log p(token i+1 | tokens up to i)`` at every position, shape (batch, seq - 1)."""
    check_float_tensor(logits, "logits", "(batch, seq, vocab)")
    check_ids(input_ids, min_tokens=2, vocab_size=logits.shape[-1] if logits.dim() else None)
    if logits.dim() != 3 or logits.shape[:2] != input_ids.shape:
        raise WrongValue("logits", f"expected shape (batch, seq, vocab) with (batch, seq) = "
                         f"{tuple(input_ids.shape)} of input_ids, got {tuple(logits.shape)}")
    return _per_token_losses(logits, input_ids)


def _per_token_losses(logits: torch.Tensor, input_ids: torch.Tensor) -> torch.Tensor:
    """The kernel of ``per_token_losses``, unchecked (``token_losses`` and the backward pass call it)."""
    # (batch, seq-1, vocab): the last position predicts nothing we have; float16 is computed in float32
    predictions = logits[:, :-1, :].to(torch.promote_types(logits.dtype, torch.float32))
    targets = input_ids[:, 1:].to(logits.device)  # (batch, seq-1): the first token is nobody's prediction
    log_probs = predictions.log_softmax(dim=-1)  # (batch, seq-1, vocab)
    picked = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)  # (batch, seq-1): log p(true next token)
    return -picked


ROWS_PER_CALL = 4  # rows per forward pass: 4 x 256 x 50257 float logits are about 200 MB


@torch.no_grad()
def token_losses(model, input_ids: torch.Tensor) -> torch.Tensor:
    """The model's loss on each token it predicts, shape (batch, seq - 1): position j scores token j + 1.

    Rows go through the model a few at a time, so that a long text cut into many windows fits in memory.
    """
    check_ids(input_ids, model=model, min_tokens=2)  # (batch, seq): ids of its vocabulary that fit its context
    losses = []
    for rows in input_ids.split(ROWS_PER_CALL):
        logits = model(rows.to(model.device)).logits  # (rows, seq, vocab)
        losses.append(_per_token_losses(logits, rows).cpu())  # (rows, seq-1)
    return torch.cat(losses)  # (batch, seq-1)


def perplexity(model, input_ids: torch.Tensor) -> float:
    """``exp`` of the mean next-token loss over every predicted token of every row."""
    return torch.exp(token_losses(model, input_ids).mean()).item()


def windows(ids, size: int) -> torch.Tensor:
    """Consecutive, non-overlapping windows of ``size`` tokens, shape (n, size); the tail is dropped."""
    check_int(size, "size")
    ids = torch.as_tensor(ids)
    if ids.dim() != 1:
        raise WrongValue("ids", f"expected a flat list or 1-D tensor of token ids, got shape {tuple(ids.shape)}")
    if not 2 <= size <= ids.numel():
        raise WrongValue("size", f"must be between 2 and the number of ids ({ids.numel()}), got {size}")
    n = ids.numel() // size
    return ids[: n * size].reshape(n, size)  # (n, size)
