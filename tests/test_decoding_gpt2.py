"""The full gpt2 (124M) architecture with random weights: greedy, beam search and sampling by hand
equal generate (a few short cases; the wider coverage runs on smaller models)."""

import pytest
import torch

from gpt2guide.checkpoints import random_model
from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import beam_search, encode, greedy_cached, greedy_naive, sample

pytestmark = [pytest.mark.usefixtures("one_thread"), pytest.mark.slow]  # the full 124M architecture


@pytest.fixture(scope="module")
def gpt2():
    return random_model("gpt2", seed=1)  # 12 layers, width 768, 12 heads, context 1024


@pytest.fixture(scope="module")
def prompt(tokenizer):
    return encode(tokenizer, RUNNING_PROMPT)


def test_architecture(gpt2):
    assert (gpt2.config.n_layer, gpt2.config.n_embd, gpt2.config.n_head, gpt2.config.n_positions) == (12, 768, 12, 1024)
    assert sum(p.numel() for p in gpt2.parameters()) == 124_439_808


def test_greedy(hf_generate, gpt2, prompt):
    expected = hf_generate(gpt2, prompt, 6, do_sample=False)
    assert torch.equal(greedy_naive(gpt2, prompt, 6), expected)
    assert torch.equal(greedy_cached(gpt2, prompt, 6), expected)


def test_beam_search(hf_generate, gpt2, prompt):
    expected = hf_generate(gpt2, prompt, 4, do_sample=False, num_beams=3, output_scores=True, return_dict_in_generate=True)
    found = beam_search(gpt2, prompt, 4, num_beams=3)
    assert found.ids.tolist() == expected.sequences.tolist()
    assert found.score == pytest.approx(expected.sequences_scores.item(), rel=1e-5)


def test_sampling(hf_generate, gpt2, prompt):
    torch.manual_seed(5)
    expected = hf_generate(gpt2, prompt, 6, do_sample=True, temperature=0.8, top_k=40, top_p=0.9)
    assert torch.equal(sample(gpt2, prompt, 6, temperature=0.8, top_k=40, top_p=0.9, seed=5), expected)
