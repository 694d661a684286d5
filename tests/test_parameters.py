"""Parameter counts: unique vs summed over the state_dict, on meta-device skeletons (no weights)."""

import dataclasses

import pytest
import torch

from gpt2guide import count_parameters, parameter_table, skeleton, state_dict_numel, tied_parameters
from gpt2guide.checkpoints import SIZES

VOCAB, CONTEXT = 50257, 1024


@pytest.fixture(scope="module")
def gpt2():
    return skeleton("gpt2")


@pytest.fixture(scope="module")
def gpt2_body():
    return skeleton("gpt2", head=False)


def test_gpt2_body_count(gpt2_body):
    assert len(gpt2_body.state_dict()) == 148
    assert state_dict_numel(gpt2_body) == 124_439_808
    assert count_parameters(gpt2_body) == 124_439_808


def test_gpt2_xl_body_count():
    body = skeleton("gpt2-xl", head=False)
    assert len(body.state_dict()) == 580
    assert state_dict_numel(body) == 1_557_611_200
    assert count_parameters(body) == 1_557_611_200


def test_gpt2_with_head_unique_vs_summed(gpt2):
    assert count_parameters(gpt2) == 124_439_808
    assert state_dict_numel(gpt2) == 163_037_184
    # The difference is exactly the tied LM head, listed a second time.
    assert state_dict_numel(gpt2) - count_parameters(gpt2) == VOCAB * 768


@pytest.mark.parametrize("name", sorted(SIZES))
def test_body_count_matches_the_formula(name):
    # Embeddings V*d + P*d; per block 12d^2 + 13d (attention 4d^2+4d, MLP 8d^2+5d, two LayerNorms 4d);
    # the final LayerNorm 2d.
    n_layer, d, _ = SIZES[name]
    expected = VOCAB * d + CONTEXT * d + n_layer * (12 * d * d + 13 * d) + 2 * d
    assert count_parameters(skeleton(name, head=False)) == expected


def test_tied_parameters(gpt2, gpt2_body):
    assert tied_parameters(gpt2) == [["transformer.wte.weight", "lm_head.weight"]]
    assert tied_parameters(gpt2_body) == []


def test_tied_parameters_of_a_hand_tied_module():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.Linear(4, 4))
    model[1].weight = model[0].weight
    assert tied_parameters(model) == [["0.weight", "1.weight"]]
    assert count_parameters(model) == 16 + 4 + 4
    assert state_dict_numel(model) == 16 + 4 + 16 + 4


def test_parameter_table(gpt2_body, gpt2):
    rows = parameter_table(gpt2_body)
    assert len(rows) == 148
    assert (rows[0].name, rows[0].shape, rows[0].numel) == ("wte.weight", (VOCAB, 768), VOCAB * 768)
    assert (rows[1].name, rows[1].shape) == ("wpe.weight", (CONTEXT, 768))
    assert rows[-1].name == "ln_f.bias"
    assert [r.name for r in rows] == list(gpt2_body.state_dict())
    assert sum(r.numel for r in rows) == state_dict_numel(gpt2_body)
    assert parameter_table(gpt2)[-1].name == "lm_head.weight"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].numel = 0


def test_skeleton_counts_equal_the_pocket_structure(pocket):
    model, _ = pocket
    d = model.config.n_embd
    assert state_dict_numel(model) - count_parameters(model) == VOCAB * d
    assert tied_parameters(model) == [["transformer.wte.weight", "lm_head.weight"]]


@pytest.mark.parametrize("function", [count_parameters, state_dict_numel, parameter_table, tied_parameters])
def test_non_module_is_a_type_error(function):
    with pytest.raises(TypeError, match=r"^model: expected a torch.nn.Module .* got str"):
        function("gpt2")
