"""Sampling filters equal transformers' logits processors exactly: on continuous random logits
(many vectors), on logits full of ties, and composed in generate's own order."""

import functools

import pytest
import torch
from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel, LogitsProcessorList, MinPLogitsWarper, TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper

from gpt2guide.decoding import apply_filters, apply_temperature, min_p_filter, sampling_filters, top_k_filter, top_p_filter

INF = float("-inf")


def random_logits(rows=200, vocab=500, seed=0, scale=3.0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(rows, vocab, generator=generator) * scale  # (rows, vocab), continuous: no ties


def tied_logits(rows=200, vocab=60, seed=1):
    return torch.round(random_logits(rows, vocab, seed, scale=1.5))  # integers: many ties everywhere


def theirs(processor, logits):
    return processor(None, logits.clone())


@pytest.mark.parametrize("logits", [random_logits(), tied_logits()], ids=["continuous", "ties"])
class TestEqualsTransformers:
    @pytest.mark.parametrize("temperature", [0.3, 0.7, 1.0, 1.5, 4.0])
    def test_temperature(self, logits, temperature):
        assert torch.equal(apply_temperature(logits, temperature), theirs(TemperatureLogitsWarper(temperature), logits))

    @pytest.mark.parametrize("top_k", [1, 2, 5, 50, 499, 500, 5000])
    def test_top_k(self, logits, top_k):
        assert torch.equal(top_k_filter(logits, top_k), theirs(TopKLogitsWarper(top_k), logits))

    @pytest.mark.parametrize("top_p", [0.0, 0.01, 0.1, 0.5, 0.9, 0.95, 0.999, 1.0])
    def test_top_p(self, logits, top_p):
        assert torch.equal(top_p_filter(logits, top_p), theirs(TopPLogitsWarper(top_p), logits))

    @pytest.mark.parametrize("min_p", [0.0, 0.001, 0.05, 0.1, 0.5, 1.0])
    def test_min_p(self, logits, min_p):
        assert torch.equal(min_p_filter(logits, min_p), theirs(MinPLogitsWarper(min_p), logits))

    @pytest.mark.parametrize(("temperature", "top_k", "top_p", "min_p"), [
        (0.7, 0, 1.0, None), (1.0, 50, 1.0, None), (0.8, 40, 0.9, None), (1.3, 0, 0.9, 0.05), (0.5, 20, 0.95, 0.1)])
    @pytest.mark.slow  # generate's whole warper list, 10 cases (not in the quick loop)
    def test_composition_in_generates_order(self, logits, temperature, top_k, top_p, min_p):
        """generate's own processor list for these settings gives the same logits as our filter list."""
        config = GenerationConfig(do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
        processors = _processor_list(config)
        mine = apply_filters(logits, sampling_filters(temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p))
        assert torch.equal(mine, processors(None, logits.clone()))


@functools.cache
def _tiny_model():
    return GPT2LMHeadModel(GPT2Config(n_layer=1, n_embd=8, n_head=2, vocab_size=16, n_positions=8))


def _processor_list(config) -> LogitsProcessorList:
    """The warpers generate builds, from transformers' own ``_get_logits_processor`` (order included)."""
    return _tiny_model()._get_logits_processor(generation_config=config, input_ids_seq_length=1)


def test_filters_are_pure_and_keep_shape():
    logits = random_logits(3, 50)
    before = logits.clone()
    for out in (apply_temperature(logits, 0.5), top_k_filter(logits, 5), top_p_filter(logits, 0.5),
                min_p_filter(logits, 0.2), top_k_filter(logits[0], 5)):
        assert out.shape[-1] == 50
    assert torch.equal(logits, before)  # inputs untouched
    assert torch.equal(top_k_filter(logits, 0), logits)  # 0: off, as in transformers
    assert torch.equal(top_p_filter(logits, 1.0), logits)
    assert sampling_filters() == []  # the defaults change nothing (generate would add top-k 50)


def test_order_of_the_list():
    settings = [f.keywords for f in sampling_filters(temperature=0.7, top_k=10, top_p=0.9, min_p=0.1)]
    assert settings == [{"temperature": 0.7}, {"top_k": 10}, {"top_p": 0.9}, {"min_p": 0.1}]


# ties, explicitly: the rules the page explains
def test_top_k_keeps_every_token_tied_with_the_kth():
    logits = torch.tensor([[3.0, 2.0, 2.0, 2.0, 1.0]])
    kept = top_k_filter(logits, 2) > INF
    assert kept.tolist() == [[True, True, True, True, False]]  # k=2 keeps four tokens
    assert torch.equal(top_k_filter(logits, 2), theirs(TopKLogitsWarper(2), logits))


def test_top_p_cuts_through_equal_probabilities():
    logits = torch.zeros(1, 4)  # four tokens of probability exactly 0.25
    for top_p, n_kept in ((0.5, 2), (0.6, 3), (0.75, 3), (0.76, 4), (0.25, 1), (0.2, 1)):
        filtered = top_p_filter(logits, top_p)
        assert (filtered > INF).sum().item() == n_kept, top_p  # a tail of mass exactly 1 - top_p is dropped
        assert torch.equal(filtered, theirs(TopPLogitsWarper(top_p), logits))  # the same ones as transformers


def test_top_p_always_keeps_the_top_token():
    logits = torch.tensor([[5.0, 1.0, 0.0]])
    assert (top_p_filter(logits, 0.01) > INF).tolist() == [[True, False, False]]


def test_min_p_keeps_tokens_at_the_threshold():
    logits = torch.tensor([[2.0, 2.0, 1.0]])
    assert (min_p_filter(logits, 1.0) > INF).tolist() == [[True, True, False]]
    assert torch.equal(min_p_filter(logits, 1.0), theirs(MinPLogitsWarper(1.0), logits))
