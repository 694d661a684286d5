"""The LM head and its cross-entropy in one pass over the vocabulary, a slice of tokens at a time.

A small model spends nearly all of a training step in its head: each token's hidden state times the
50,257 rows of ``wte``, a softmax over them, and the two products of the backward pass. Done the
plain way (``lm_head``, then ``F.cross_entropy``), the logits of the whole batch, ``tokens x
50,257`` floats (200 MB for 16 windows of 64 tokens), are written, read and written again several
times over, each time into freshly allocated memory. Here a slice of ``CHUNK`` tokens at a time goes
through the whole of it while its logits are still in the cache, in one reused buffer:

    logits = h W^T,   loss = logsumexp(logits) - logits[target],
    dlogits = softmax(logits) - onehot(target),   dh = dlogits W,   dW += dlogits^T h

(chapter 6's backward pass of the head, written out in ``gpt2guide.backward``). The gradients are
computed in the forward pass and handed back, scaled, when autograd asks for them. Targets equal to
``IGNORE`` (``F.cross_entropy``'s ``ignore_index``) count for nothing. ``head_loss_sum`` equals
``F.cross_entropy(h @ W.T, targets, reduction="sum")`` and its gradients (tests/test_head_loss.py).
References: Liger Kernel's fused linear cross entropy; Wijmans et al. (2024), "Cut your losses in
large-vocabulary language models".
"""

from __future__ import annotations

import torch

CHUNK = 64  # tokens per slice: 64 x 50,257 float32 logits, 12.9 MB, reused for every slice
IGNORE = -100  # the target that counts for nothing (F.cross_entropy's default ignore_index)


class _HeadLoss(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden, weight, targets):  # hidden (tokens, width), weight (vocab, width), targets (tokens,)
        wants_grad = ctx.needs_input_grad[0] or ctx.needs_input_grad[1]
        total = hidden.new_zeros(())
        grad_hidden = torch.empty_like(hidden) if wants_grad else None
        grad_weight = torch.zeros_like(weight) if wants_grad else None
        buffer = hidden.new_empty(min(CHUNK, hidden.shape[0]), weight.shape[0])
        for start in range(0, hidden.shape[0], CHUNK):
            h, target = hidden[start:start + CHUNK], targets[start:start + CHUNK]
            logits = buffer[:h.shape[0]]
            torch.mm(h, weight.T, out=logits)  # (chunk, vocab)
            counted = target != IGNORE
            rows = torch.arange(h.shape[0], device=h.device)[counted]
            columns = target[counted]  # (rows, columns): each counted row's target
            picked = logits[rows, columns]  # the targets' logits, before the buffer is overwritten
            # softmax in place, with one exp per logit: subtract the row's largest logit, exp, divide by the sum
            largest = logits.amax(dim=1, keepdim=True)  # (chunk, 1)
            logits.sub_(largest).exp_()
            sums = logits.sum(dim=1, keepdim=True)  # (chunk, 1)
            lse = (largest + sums.log()).squeeze(1)  # logsumexp of each row, (chunk,)
            total += (lse[counted] - picked).sum()
            if wants_grad:
                logits.div_(sums)  # the softmax
                logits[rows, columns] -= 1  # minus the one-hot target
                if rows.numel() < h.shape[0]:
                    logits[~counted] = 0  # ignored targets: no gradient (a pass over the buffer: only when any)
                torch.mm(logits, weight, out=grad_hidden[start:start + CHUNK])  # (chunk, width)
                grad_weight.addmm_(logits.T, h)  # (vocab, width)
        ctx.save_for_backward(grad_hidden, grad_weight)
        return total

    @staticmethod
    def backward(ctx, grad_total):
        grad_hidden, grad_weight = ctx.saved_tensors  # used once: scaled in place, no new 13 MB tensor
        return grad_hidden.mul_(grad_total), grad_weight.mul_(grad_total), None


def head_loss_sum(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """The summed cross-entropy of ``hidden @ weight.T`` against ``targets`` (``IGNORE`` skipped).

    hidden (tokens, width), weight (vocab, width), targets (tokens,) of int64."""
    return _HeadLoss.apply(hidden.contiguous(), weight, targets)
