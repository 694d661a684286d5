"""The trainer's one-kernel GELU is GPT-2's gelu_new: the same outputs and gradients, to rounding."""

import copy

import torch

from gpt2guide.train.activation import use_one_kernel_gelu
from gpt2guide.train.config import fresh_model, shape_of


def test_a_model_with_the_one_kernel_gelu_computes_what_gelu_new_computes():
    plain = fresh_model(shape_of("tiny", width=16, heads=2, context=16), vocab_size=300, seed=5).double()
    fused = copy.deepcopy(plain)
    use_one_kernel_gelu(fused)
    assert type(fused.transformer.h[0].mlp.act).__name__ != type(plain.transformer.h[0].mlp.act).__name__
    assert fused.config.activation_function == "gelu_new"  # what the checkpoint says
    ids = torch.randint(0, 300, (2, 16), generator=torch.Generator().manual_seed(0))
    for model in (plain, fused):
        model(input_ids=ids).logits.square().mean().backward()
    assert torch.allclose(fused(input_ids=ids).logits, plain(input_ids=ids).logits, rtol=0, atol=1e-12)
    for (name, a), b in zip(fused.named_parameters(), plain.parameters(), strict=True):
        assert torch.allclose(a.grad, b.grad, rtol=1e-9, atol=1e-14), name


def test_another_activation_is_left_alone():
    model = fresh_model(shape_of("tiny", width=16, heads=2, context=16), vocab_size=300, seed=5)
    model.config.activation_function = "relu"
    before = type(model.transformer.h[0].mlp.act)
    use_one_kernel_gelu(model)
    assert type(model.transformer.h[0].mlp.act) is before
