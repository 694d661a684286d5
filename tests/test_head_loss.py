"""The head's cross-entropy a slice at a time equals F.cross_entropy of the whole logits, and its gradients."""

import pytest
import torch
import torch.nn.functional as F

from gpt2guide.train import evaluate, head_loss
from gpt2guide.train.config import fresh_model, shape_of
from gpt2guide.train.head_loss import IGNORE, head_loss_sum


def _inputs(tokens, width, vocab, dtype, seed=0):
    generator = torch.Generator().manual_seed(seed)
    hidden = torch.randn(tokens, width, generator=generator, dtype=dtype).requires_grad_()
    weight = (torch.randn(vocab, width, generator=generator, dtype=dtype) * 0.5).requires_grad_()
    targets = torch.randint(0, vocab, (tokens,), generator=generator)
    return hidden, weight, targets


def _loss_and_grads(loss_of, hidden, weight, targets, scale=1.0):
    hidden.grad = weight.grad = None
    loss = loss_of(hidden, weight, targets)
    (loss * scale).backward()
    return loss.detach(), hidden.grad.clone(), weight.grad.clone()


def _plain(hidden, weight, targets):
    return F.cross_entropy(hidden @ weight.T, targets, reduction="sum", ignore_index=IGNORE)


@pytest.mark.parametrize("dtype, tolerance", [(torch.float32, 1e-5), (torch.float64, 1e-12)])
@pytest.mark.parametrize("ignored", [False, True])
def test_loss_and_gradients_equal_cross_entropy(monkeypatch, dtype, tolerance, ignored):
    monkeypatch.setattr(head_loss, "CHUNK", 8)  # 21 tokens: two whole slices and a short one
    hidden, weight, targets = _inputs(21, 12, 300, dtype)
    if ignored:
        targets[::4] = IGNORE
    mine = _loss_and_grads(head_loss_sum, hidden, weight, targets, scale=0.37)
    theirs = _loss_and_grads(_plain, hidden, weight, targets, scale=0.37)
    for a, b in zip(mine, theirs, strict=True):
        assert torch.allclose(a, b, rtol=tolerance, atol=tolerance), (a - b).abs().max()


def test_every_target_ignored_counts_nothing():
    hidden, weight, targets = _inputs(5, 4, 50, torch.float64)
    loss, grad_hidden, grad_weight = _loss_and_grads(head_loss_sum, hidden, weight, torch.full_like(targets, IGNORE))
    assert loss.item() == 0 and not grad_hidden.any() and not grad_weight.any()


def test_without_gradients_the_loss_is_the_same():
    hidden, weight, targets = _inputs(70, 8, 120, torch.float64)
    with torch.no_grad():
        loss = head_loss_sum(hidden, weight, targets)
    assert torch.allclose(loss, _plain(hidden, weight, targets).detach(), rtol=1e-12)


def test_a_models_loss_sum_equals_cross_entropy_of_its_logits():
    """The training loss through the model (hidden states after ln_f, the tied head) is the loss of
    the model's own logits, and so are the gradients of every parameter."""
    model = fresh_model(shape_of("tiny", width=16, heads=2, context=16), vocab_size=500, seed=3).double()
    batch = torch.randint(0, 500, (3, 12), generator=torch.Generator().manual_seed(1))
    scored = torch.rand(3, 12, generator=torch.Generator().manual_seed(2)) > 0.3
    total, count = evaluate.loss_sum(model, batch, scored)
    total.backward()
    mine = {name: p.grad.clone() for name, p in model.named_parameters()}
    model.zero_grad()
    targets = batch[:, 1:].masked_fill(~scored[:, 1:], IGNORE)
    logits = model(input_ids=batch[:, :-1]).logits
    theirs = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="sum")
    theirs.backward()
    assert count == int(scored[:, 1:].sum())
    assert torch.allclose(total, theirs, rtol=1e-12)
    for name, p in model.named_parameters():
        assert torch.allclose(mine[name], p.grad, rtol=1e-9, atol=1e-12), name
