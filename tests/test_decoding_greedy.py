"""Greedy decoding by hand (naive and cached) equals generate(do_sample=False), token for token."""

import pytest
import torch

from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import encode, greedy_cached, greedy_naive

PROMPTS = [RUNNING_PROMPT, "Hello", "こんにちは、世界", "The meaning of life is"]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("prompt", PROMPTS)
@pytest.mark.slow  # greedy loops against generate (not in the quick loop)
def test_naive_and_cached_equal_generate(hf_generate, decoding_model, pocket, prompt):
    model = decoding_model
    ids = encode(pocket[1], prompt)
    expected = hf_generate(model, ids, 12, do_sample=False)
    assert torch.equal(greedy_naive(model, ids, 12), expected)
    assert torch.equal(greedy_cached(model, ids, 12), expected)


def test_end_of_sequence_stops_like_generate(hf_generate, decoding_model, pocket):
    model = decoding_model
    ids = encode(pocket[1], PROMPTS[0])
    free = greedy_cached(model, ids, 8)
    eos = free[0, ids.shape[1] + 2].item()  # make the 3rd new token the end of sequence: the loops must stop there
    expected = hf_generate(model, ids, 8, do_sample=False, eos_token_id=eos)
    first_eos = free[0, ids.shape[1]:].tolist().index(eos)  # it may also appear earlier
    assert expected.shape[1] == ids.shape[1] + first_eos + 1
    assert torch.equal(greedy_naive(model, ids, 8, eos_token_id=eos), expected)
    assert torch.equal(greedy_cached(model, ids, 8, eos_token_id=eos), expected)


def test_zero_new_tokens_returns_the_prompt(pocket):
    ids = encode(pocket[1], PROMPTS[0])
    assert torch.equal(greedy_naive(pocket[0], ids, 0), ids)
    assert torch.equal(greedy_cached(pocket[0], ids, 0), ids)
