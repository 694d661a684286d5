"""PEFT's LoRA equals a hand-written LoRA wrapper; gpt2guide.lora moves the factors across.

The wrapper is the one on the LoRA page (x A B on GPT-2's Conv1D, B = 0 at the start).
"""

import warnings

import pytest
import torch

from gpt2guide import load
from gpt2guide.lora import factors, set_factors
from gpt2guide.validation import WrongType, WrongValue

peft = pytest.importorskip("peft")

R, ALPHA = 4, 8
# transformers 5.24 warns about a method it renamed that PEFT 0.21 still calls.
RENAMED = r"`(is_)?gradient_checkpointing\w*` is deprecated"


class LoRA(torch.nn.Module):
    """A frozen Conv1D plus a trainable low-rank update: base(x) + s * x A B."""

    def __init__(self, base, seed):
        super().__init__()
        d_in, d_out = base.weight.shape
        self.base = base.requires_grad_(False)
        g = torch.Generator().manual_seed(seed)
        self.A = torch.nn.Parameter(torch.randn(d_in, R, generator=g) / d_in**0.5)
        self.B = torch.nn.Parameter(torch.randn(R, d_out, generator=g))  # nonzero: it shows
        self.scale = ALPHA / R

    def forward(self, x):  # (batch, seq, d_in) -> (batch, seq, d_out)
        return self.base(x) + (x @ self.A @ self.B) * self.scale


def peft_model():
    model, _ = load("pocket")
    config = peft.LoraConfig(r=R, lora_alpha=ALPHA, target_modules=["c_attn"], fan_in_fan_out=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", RENAMED, FutureWarning)
        return model, peft.get_peft_model(model, config)


def peft_layers(wrapped):
    return [block.attn.c_attn for block in wrapped.base_model.model.transformer.h]


@pytest.fixture(scope="module")
def ids(tokenizer):
    return tokenizer("I can't forget you, for", return_tensors="pt").input_ids  # (1, 7)


@pytest.mark.slow  # PEFT on the pocket model (not in the quick loop)
def test_peft_starts_as_the_base_model_bit_for_bit(ids):
    model, _ = load("pocket")
    with torch.no_grad():
        before = model(ids).logits
    _, wrapped = peft_model()
    with torch.no_grad():
        assert torch.equal(wrapped(ids).logits, before)
    n_embd, n_layer = wrapped.config.n_embd, wrapped.config.n_layer
    trainable = sum(p.numel() for p in wrapped.parameters() if p.requires_grad)
    assert trainable == n_layer * R * (n_embd + 3 * n_embd) == 7_680


def test_factors_round_trip_in_the_page_layout():
    _, wrapped = peft_model()
    layer = peft_layers(wrapped)[0]
    d_in, d_out = layer.base_layer.weight.shape  # Conv1D: (in, out)
    A, B = torch.randn(d_in, R), torch.randn(R, d_out)
    set_factors(layer, A, B)
    got_a, got_b = factors(layer)
    assert torch.equal(got_a, A) and torch.equal(got_b, B)
    assert layer.lora_A["default"].weight.shape == (R, d_in)  # PEFT stores A transposed


@pytest.mark.slow  # PEFT on the pocket model, a training step (not in the quick loop)
def test_peft_equals_the_hand_written_wrapper_and_its_step(ids):
    hand, _ = load("pocket")
    hand.requires_grad_(False)
    for i, block in enumerate(hand.transformer.h):
        block.attn.c_attn = LoRA(block.attn.c_attn, seed=i)
    _, wrapped = peft_model()
    for block, layer in zip(hand.transformer.h, peft_layers(wrapped)):
        set_factors(layer, block.attn.c_attn.A, block.attn.c_attn.B)
    with torch.no_grad():
        assert torch.allclose(wrapped(ids).logits, hand(ids).logits, atol=1e-5)
    frozen = {n: p.detach().clone() for n, p in wrapped.named_parameters() if not p.requires_grad}
    for m in (wrapped, hand):
        optimizer = torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=0.1)
        m(ids, labels=ids).loss.backward()
        optimizer.step()
    for name, p in wrapped.named_parameters():
        if name in frozen:
            assert torch.equal(p, frozen[name]), name  # only the adapters moved
    for block, layer in zip(hand.transformer.h, peft_layers(wrapped)):
        A, B = factors(layer)
        assert torch.allclose(A, block.attn.c_attn.A, atol=1e-5)
        assert torch.allclose(B, block.attn.c_attn.B, atol=1e-5)


@pytest.mark.slow  # PEFT on the pocket model (not in the quick loop)
def test_merge_and_unload_is_w_plus_scaled_a_b():
    _, wrapped = peft_model()
    layers = peft_layers(wrapped)
    for layer in layers:
        d_in, d_out = layer.base_layer.weight.shape
        set_factors(layer, torch.randn(d_in, R), torch.randn(R, d_out))
    with torch.no_grad():
        by_hand = [
            layer.base_layer.weight + (ALPHA / R) * (factors(layer)[0] @ factors(layer)[1])
            for layer in layers
        ]
    merged = wrapped.merge_and_unload()
    for block, weight in zip(merged.transformer.h, by_hand):
        assert type(block.attn.c_attn).__name__ == "Conv1D"
        assert torch.allclose(block.attn.c_attn.weight, weight, atol=1e-6)


def test_the_helpers_check_their_arguments():
    model, wrapped = peft_model()
    layer = peft_layers(wrapped)[0]
    d_in, d_out = layer.base_layer.weight.shape
    with pytest.raises(TypeError, match="layer: expected a PEFT LoRA layer"):
        factors(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="adapter: no adapter named 'other'"):
        factors(layer, adapter="other")
    with pytest.raises(WrongValue, match=rf"^A: expected shape \({d_in}, {R}\)"):
        set_factors(layer, torch.zeros(R, d_in), torch.zeros(R, d_out))
    with pytest.raises(WrongType, match="^B: expected a tensor"):
        set_factors(layer, torch.zeros(d_in, R), [[0.0]])
