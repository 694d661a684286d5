"""gpt2guide.backward: the hand-written backward pass equals autograd, AdamW equals torch.optim.AdamW.

Each step's backward function against ``torch.autograd.grad`` of the same forward step (float64,
relative 1e-10); ``gradients`` against ``loss.backward()`` on the pocket model and on random
configs (layers, width, heads, n_inner, batch > 1) in float32 (relative 1e-4: float32 rounding over a whole model)
and float64 (relative 1e-10: the maths is exact, the rest is rounding); AdamW over several steps
with non-default hyperparameters; clipping; accumulation; the tiny run of chapter 6; bad input.
The largest relative difference per config goes to ``DIFFERENCES`` (printed with ``-s``).
Everything runs on one thread: small tensors lose much to a second, busy core.
"""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from transformers import GPT2Config, GPT2LMHeadModel

from gpt2guide import backward
from gpt2guide.backward import passage
from gpt2guide.threads import one_thread

F64 = 1e-10  # float64: relative difference that only rounding leaves
F32 = 1e-4  # float32: rounding summed over every step of a whole model stays well below this
DIFFERENCES: dict = {}

CONFIGS = {
    "1 layer, 16 wide, 1 head": dict(n_layer=1, n_embd=16, n_head=1),
    "2 layers, 48 wide, 6 heads, n_inner 100": dict(n_layer=2, n_embd=48, n_head=6, n_inner=100),
    "3 layers, 64 wide, 8 heads": dict(n_layer=3, n_embd=64, n_head=8),
    "2 layers, 24 wide, 2 heads, eps 1e-3, 1/(layer+1), untied": dict(
        n_layer=2, n_embd=24, n_head=2, layer_norm_epsilon=1e-3, scale_attn_by_inverse_layer_idx=True,
        tie_word_embeddings=False),
    "1 layer, 20 wide, 4 heads, unscaled attention, upcast": dict(
        n_layer=1, n_embd=20, n_head=4, scale_attn_weights=False, reorder_and_upcast_attn=True),
}


@pytest.fixture(autouse=True)
def single_thread():
    with one_thread():
        yield


def random_lm(seed: int = 0, vocab_size: int = 97, n_positions: int = 32, **overrides) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=vocab_size, n_positions=n_positions, bos_token_id=None, eos_token_id=None,
                        **overrides)
    model = GPT2LMHeadModel(config).eval()
    with torch.no_grad():  # GPT-2's init leaves biases and layer-norm weights at 0 and 1: move them off
        for name, p in model.named_parameters():
            if name.endswith("bias") or ".ln_" in name:
                p.add_(0.1 * torch.randn_like(p))
    return model


def autograd_gradients(model, ids) -> dict:
    """The reference: F.cross_entropy (in the model's dtype; transformers' own loss upcasts to float32)."""
    model.zero_grad()
    logits = model(ids).logits  # (batch, seq, vocab)
    F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten()).backward()
    return {name: p.grad.clone() for name, p in model.named_parameters()}


def grad_of(f, *inputs):
    """autograd's gradient of sum(f(inputs) * d_out) for a fixed random d_out: a vector-Jacobian product."""
    inputs = [x.detach().requires_grad_() for x in inputs]
    out = f(*inputs)
    d_out = torch.randn_like(out)
    return d_out, torch.autograd.grad(out, inputs, d_out)


def rel(a, b) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


# -- each step ----------------------------------------------------------------------------------

def test_cross_entropy_backward():
    torch.manual_seed(0)
    logits = torch.randn(3, 6, 11, dtype=torch.float64, requires_grad=True)
    ids = torch.randint(0, 11, (3, 6))
    loss = F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten())
    (expected,) = torch.autograd.grad(loss, logits)
    assert rel(backward.cross_entropy_backward(logits.detach(), ids), expected) < F64
    assert backward.cross_entropy_backward(logits.detach(), ids)[:, -1].abs().max() == 0  # the last predicts nothing


def test_linear_layer_norm_and_gelu_backward():
    torch.manual_seed(1)
    x, w, b = torch.randn(2, 5, 8, dtype=torch.float64), torch.randn(8, 3, dtype=torch.float64), torch.randn(3, dtype=torch.float64)
    d_out, expected = grad_of(lambda x, w, b: x @ w + b, x, w, b)
    for mine, theirs in zip(backward.linear_backward(d_out, x, w), expected):
        assert rel(mine, theirs) < F64
    g, beta = 1 + 0.3 * torch.randn(8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    d_out, expected = grad_of(lambda x, g, beta: F.layer_norm(x, (8,), g, beta, 1e-5), x, g, beta)
    for mine, theirs in zip(backward.layer_norm_backward(d_out, x, g, 1e-5), expected):
        assert rel(mine, theirs) < F64
    wide = 3 * torch.randn(2, 5, 32, dtype=torch.float64)
    d_out, (expected,) = grad_of(lambda x: F.gelu(x, approximate="tanh"), wide)
    assert rel(backward.gelu_new_backward(d_out, wide), expected) < F64


def test_attention_backward_under_the_causal_mask():
    torch.manual_seed(2)
    q, k, v = (torch.randn(2, 3, 6, 4, dtype=torch.float64) for _ in range(3))
    mask = torch.ones(6, 6, dtype=torch.bool).tril()

    def attend(q, k, v):
        scores = (q @ k.transpose(-1, -2) * 0.5).masked_fill(~mask, float("-inf"))
        return scores.softmax(-1) @ v

    d_out, expected = grad_of(attend, q, k, v)
    probs = (q @ k.transpose(-1, -2) * 0.5).masked_fill(~mask, float("-inf")).softmax(-1)
    for mine, theirs in zip(backward.attention_backward(d_out, q, k, v, probs, 0.5), expected):
        assert rel(mine, theirs) < F64
    # The key of the last position gets nothing from any earlier query: a masked entry has no gradient.
    dq, dk, _ = backward.attention_backward(d_out, q, k, v, probs, 0.5)
    assert not torch.allclose(dk[..., -1, :], dk[..., -2, :])


def test_embedding_backward_sums_repeated_tokens():
    d_out = torch.randn(2, 3, 4, dtype=torch.float64)
    ids = torch.tensor([[5, 1, 5], [5, 2, 0]])
    d_wte, d_wpe = backward.embedding_backward(d_out, ids, 7, 10)
    assert torch.allclose(d_wte[5], d_out[0, 0] + d_out[0, 2] + d_out[1, 0])
    assert d_wte[3].abs().max() == 0 and d_wpe[3:].abs().max() == 0
    assert torch.allclose(d_wpe[:3], d_out.sum(0))


# -- the whole model --------------------------------------------------------------------------

def check_model_gradients(name, model, ids, tolerance):
    mine = backward.gradients(model, ids)
    reference = autograd_gradients(model, ids)
    assert list(mine) == [n for n, _ in model.named_parameters()]
    difference = backward.relative_difference(mine, reference)
    DIFFERENCES[name] = difference
    print(f"{name}: largest relative difference {difference:.1e}")
    assert difference < tolerance, name


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
@pytest.mark.slow  # the backward pass of the pocket model (not in the quick loop)
def test_gradients_equal_autograd_on_the_pocket_model(pocket, dtype):
    model = copy.deepcopy(pocket[0]).to(dtype)
    texts = ["I can't forget you, for she was the best of sisters.",
             "Elizabeth walked to Meryton with her sister, and bought a hat."]
    ids = torch.tensor([pocket[1].encode(text)[:14] for text in texts])  # (2, 14): batch 2
    check_model_gradients(f"pocket, {dtype}", model, ids, F32 if dtype == torch.float32 else F64)
    assert "lm_head.weight" not in backward.gradients(model, ids)  # tied: its gradient is in wte's


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_gradients_equal_autograd_on_random_configs(name, dtype):
    model = random_lm(seed=len(name), **CONFIGS[name]).to(dtype)
    ids = torch.randint(0, 97, (3, 12), generator=torch.Generator().manual_seed(0))  # batch 3
    check_model_gradients(f"{name}, {dtype}", model, ids, F32 if dtype == torch.float32 else F64)


def test_untied_head_gets_its_own_gradient():
    model = random_lm(n_layer=1, n_embd=16, n_head=2, tie_word_embeddings=False)
    grads = backward.gradients(model, torch.randint(0, 97, (2, 5)))
    assert "lm_head.weight" in grads and "transformer.wte.weight" in grads


def test_loss_and_gradients_gives_the_loss():
    model = random_lm(n_layer=1, n_embd=16, n_head=2).double()
    ids = torch.randint(0, 97, (2, 9))
    loss, _ = backward.loss_and_gradients(model, ids)
    with torch.no_grad():
        logits = model(ids).logits
    assert abs(loss.item() - F.cross_entropy(logits[:, :-1].flatten(0, 1), ids[:, 1:].flatten()).item()) < 1e-12


# -- AdamW, clipping, accumulation ----------------------------------------------------------------

def test_adamw_equals_torch_over_several_steps():
    model = random_lm(n_layer=2, n_embd=16, n_head=2)
    theirs = copy.deepcopy(model)
    settings = dict(lr=3e-3, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.2)
    mine = backward.AdamW(dict(model.named_parameters()), **settings)
    torch_adamw = torch.optim.AdamW(theirs.parameters(), **settings)
    generator = torch.Generator().manual_seed(0)
    for _ in range(5):
        ids = torch.randint(0, 97, (2, 10), generator=generator)
        grads = autograd_gradients(theirs, ids)
        mine.step({name: g.clone() for name, g in grads.items()})
        torch_adamw.step()
    assert mine.t == 5
    for (name, p), q in zip(model.named_parameters(), theirs.parameters()):
        assert (p - q).abs().max().item() < 1e-6, name
    assert not torch.equal(model.transformer.wte.weight, random_lm(n_layer=2, n_embd=16, n_head=2).transformer.wte.weight)


def test_clip_grad_norm_equals_torch():
    model = random_lm(n_layer=1, n_embd=16, n_head=2).double()
    ids = torch.randint(0, 97, (2, 8))
    for max_norm in (0.05, 1e6):  # clipped, and left alone
        grads = autograd_gradients(model, ids)
        expected = torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        total = backward.clip_grad_norm(grads, max_norm)
        assert abs(total.item() - expected.item()) < 1e-12
        for name, p in model.named_parameters():
            assert torch.allclose(grads[name], p.grad, rtol=1e-12, atol=0), name
    assert abs(torch.linalg.vector_norm(torch.cat([g.flatten() for g in grads.values()])).item()
               - total.item()) < 1e-9  # 1e6: unchanged


@pytest.mark.slow  # backward passes of the pocket model (not in the quick loop)
def test_accumulated_micro_batches_equal_one_large_batch():
    model = random_lm(n_layer=2, n_embd=16, n_head=2).double()
    ids = torch.randint(0, 97, (6, 10))
    whole = backward.gradients(model, ids)
    accumulated = backward.accumulated_gradients(model, list(ids.split(2)))  # 3 micro-batches of 2
    assert backward.relative_difference(accumulated, whole) < F64
    summed = {n: sum(backward.gradients(model, mb)[n] for mb in ids.split(2)) for n in whole}
    assert backward.relative_difference(summed, whole) > 1  # a sum, not a mean, is 3 times too large


# -- the tiny run of chapter 6 -------------------------------------------------------------------

@pytest.mark.slow  # training steps by hand and by autograd (not in the quick loop)
def test_the_run_by_hand_equals_autograd_and_torch_adamw():
    ids, vocabulary = passage.renumbered_tokens(passage.passage())
    assert len(vocabulary) == len(set(vocabulary)) and int(ids.max()) == len(vocabulary) - 1
    steps = 12
    hand = passage.run(steps)["losses"]
    model = passage.tiny_model(len(vocabulary))
    optimizer = torch.optim.AdamW(model.parameters(), lr=passage.LR, weight_decay=passage.WEIGHT_DECAY)
    generator = torch.Generator().manual_seed(passage.SEED)
    losses = []
    for _ in range(steps):
        batch = passage.random_windows(ids, generator)
        logits = model(batch).logits
        loss = F.cross_entropy(logits[:, :-1].flatten(0, 1), batch[:, 1:].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert max(abs(a - b) for a, b in zip(hand, losses)) < 1e-9
    assert hand[-1] < hand[0] - 1  # it learns


# -- bad input ------------------------------------------------------------------------------------

def test_bad_input_names_the_argument():
    model = random_lm(n_layer=1, n_embd=16, n_head=2)
    ids = torch.randint(0, 97, (2, 6))
    with pytest.raises(ValueError, match="^input_ids: need at least one row of at least 2 tokens"):
        backward.gradients(model, ids[:, :1])
    with pytest.raises(TypeError, match="^input_ids"):
        backward.gradients(model, [[1, 2, 3]])
    with pytest.raises(ValueError, match="^model: GPT2Model has no lm_head"):
        backward.gradients(model.transformer, ids)
    with pytest.raises(ValueError, match="^model: activation_function 'relu'"):
        backward.gradients(random_lm(n_layer=1, n_embd=16, n_head=2, activation_function="relu"), ids)
    with pytest.raises(ValueError, match="^model: the model is in training mode"):
        backward.gradients(copy.deepcopy(model).train(), ids)
    params = dict(model.named_parameters())
    with pytest.raises(TypeError, match="^params"):
        backward.AdamW(list(model.parameters()))
    with pytest.raises(ValueError, match="^lr"):
        backward.AdamW(params, lr=-1.0)
    with pytest.raises(ValueError, match="^betas"):
        backward.AdamW(params, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="^grads: expected the parameters' names"):
        backward.AdamW(params).step({"x": torch.zeros(1)})
    with pytest.raises(ValueError, match="^max_norm"):
        backward.clip_grad_norm(backward.gradients(model, ids), 0.0)
    with pytest.raises(ValueError, match="^micro_batches: expected micro-batches of one shape"):
        backward.accumulated_gradients(model, [ids, ids[:1]])
    with pytest.raises(TypeError, match="^micro_batches"):
        backward.accumulated_gradients(model, ids)
