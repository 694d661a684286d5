"""Sampling by hand: the same ids as generate(do_sample=True) from the same seed, reproducible,
and its draws follow the filtered distribution (a chi-square test)."""

import pytest
import torch

from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import apply_filters, encode, sample, sample_next_token, sampling_filters

PROMPTS = [RUNNING_PROMPT, "Hello"]
SETTINGS = [  # (temperature, top_k, top_p, min_p); top_k=0 is passed to generate too, or it applies top-k 50
    (0.7, 0, 1.0, None), (1.5, 0, 1.0, None), (1.0, 20, 1.0, None), (1.0, 0, 0.9, None),
    (1.0, 0, 1.0, 0.1), (0.8, 40, 0.95, 0.05)]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def generate_sampled(hf_generate):
    def generate(model, ids, n, seed, **kwargs):
        torch.manual_seed(seed)  # generate draws from torch's global random state
        return hf_generate(model, ids, n, do_sample=True, **kwargs)

    return generate


CASES = [("pocket", prompt, setting) for prompt in PROMPTS for setting in SETTINGS] + [
    ("small_gpt2", PROMPTS[0], SETTINGS[0]), ("small_gpt2", PROMPTS[1], SETTINGS[-1])]


@pytest.mark.parametrize(("decoding_model", "prompt", "setting"), CASES, indirect=["decoding_model"])
@pytest.mark.slow  # sampling against generate, 14 cases (not in the quick loop)
def test_equals_generate_from_the_same_seed(generate_sampled, decoding_model, pocket, prompt, setting):
    model = decoding_model
    temperature, top_k, top_p, min_p = setting
    ids = encode(pocket[1], prompt)
    expected = generate_sampled(model, ids, 10, seed=7, temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
    found = sample(model, ids, 10, temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p, seed=7)
    assert torch.equal(found, expected)


def test_generate_applies_top_k_50_unless_told(generate_sampled, pocket):
    """do_sample=True with only a temperature is temperature *and* top-k 50 in generate."""
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPTS[0])
    expected = generate_sampled(model, ids, 10, seed=3, temperature=1.5)  # top_k left unset
    assert torch.equal(sample(model, ids, 10, temperature=1.5, top_k=50, seed=3), expected)


@pytest.mark.slow  # samples twice (not in the quick loop)
def test_reproducible(pocket):
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPTS[0])
    first = sample(model, ids, 12, temperature=1.2, seed=11)
    assert torch.equal(sample(model, ids, 12, temperature=1.2, seed=11), first)
    generator = torch.Generator().manual_seed(11)
    assert torch.equal(sample(model, ids, 12, temperature=1.2, generator=generator), first)  # seed == fresh generator
    torch.manual_seed(11)
    assert torch.equal(sample(model, ids, 12, temperature=1.2), first)  # neither: torch's global random state


def test_end_of_sequence_stops(generate_sampled, pocket):
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPTS[0])
    free = sample(model, ids, 8, seed=2, top_k=5)
    eos = free[0, ids.shape[1] + 3].item()
    stopped = sample(model, ids, 8, seed=2, top_k=5, eos_token_id=eos)
    assert stopped[0, -1].item() == eos and stopped.shape[1] <= ids.shape[1] + 4
    assert torch.equal(stopped, free[:, :stopped.shape[1]])
    assert torch.equal(stopped, generate_sampled(model, ids, 8, seed=2, top_k=5, eos_token_id=eos))


def test_frequencies_follow_the_filtered_distribution():
    """20,000 draws: a chi-square test against softmax(filtered logits); filtered-out tokens never come."""
    logits = torch.randn(30, generator=torch.Generator().manual_seed(0))  # (vocab,) a small vocabulary
    filtered = apply_filters(logits, sampling_filters(temperature=0.8, top_k=12, top_p=0.95))  # (vocab,)
    probs = torch.softmax(filtered, dim=-1)
    draws = sample_next_token(filtered.expand(20_000, -1), torch.Generator().manual_seed(1))  # (20000, 1)
    counts = torch.bincount(draws[:, 0], minlength=30).double()
    kept = probs > 0
    assert counts[~kept].sum() == 0
    expected = probs[kept].double() * 20_000
    chi2 = ((counts[kept] - expected) ** 2 / expected).sum()
    dof = kept.sum().item() - 1  # degrees of freedom
    p_value = torch.special.gammaincc(torch.tensor(dof / 2, dtype=torch.float64), chi2 / 2).item()  # P(X >= chi2)
    assert 5 < kept.sum() < 12  # top-k kept 12, top-p cut further: both filters acted
    assert p_value > 1e-3
