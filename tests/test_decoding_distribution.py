"""The next-token distribution: last position's logits, softmax, the top-k table."""

import pytest
import torch

from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import TokenProbability, encode, format_top_tokens, next_token_logits, next_token_probabilities, top_tokens

# Each test runs the pocket model on the running prompt (a second under load): the full run only.
pytestmark = pytest.mark.slow


def test_encode_gives_batch_one(pocket):
    ids = encode(pocket[1], RUNNING_PROMPT)
    assert ids.tolist() == [[40, 460, 470, 6044, 345, 11, 329]]


def test_logits_are_the_last_position(pocket):
    model, tokenizer = pocket
    ids = encode(tokenizer, RUNNING_PROMPT)
    with torch.inference_mode():
        full = model(ids).logits  # (1, seq, vocab)
    logits = next_token_logits(model, ids)
    assert logits.shape == (model.config.vocab_size,)
    assert torch.allclose(logits, full[0, -1], atol=1e-5)


def test_probabilities_are_softmax(pocket):
    model, tokenizer = pocket
    ids = encode(tokenizer, "Hello")
    probs = next_token_probabilities(model, ids)
    assert probs.shape == (model.config.vocab_size,)
    assert torch.all(probs > 0)
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5)
    assert torch.allclose(probs, torch.softmax(next_token_logits(model, ids), -1))


def test_top_tokens_table(pocket):
    model, tokenizer = pocket
    probs = next_token_probabilities(model, encode(tokenizer, RUNNING_PROMPT))
    rows = top_tokens(probs, tokenizer, k=5)
    assert len(rows) == 5 and all(isinstance(r, TokenProbability) for r in rows)
    assert [r.id for r in rows] == probs.topk(5).indices.tolist()
    assert [r.probability for r in rows] == sorted((r.probability for r in rows), reverse=True)
    assert all(r.token == tokenizer.decode([r.id]) for r in rows)
    assert all(abs(r.probability - probs[r.id].item()) < 1e-7 for r in rows)
    table = format_top_tokens(rows)
    assert len(table.splitlines()) == 6 and str(rows[0].id) in table
