"""Beam search by hand equals generate(num_beams=..., do_sample=False): same ids, scores within 1e-5.

Random weights almost never emit end-of-sequence, so the end-of-sequence path is forced: a token the
model actually ranks high in some beam is declared the end-of-sequence token, for this model, at run
time (no assumption on the weights).
"""

import pytest
import torch

from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import beam_search, encode, greedy_cached, sequence_log_probability, token_log_probabilities

PROMPTS = [RUNNING_PROMPT, "Hello", "The meaning of life is"]


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture
def model(decoding_model):
    """Each decoding model in turn (tests/conftest.py: the pocket model, then gpt2's shape)."""
    return decoding_model


# every prompt and beam count on the pocket model; on gpt2's shape (slower: a 50257 x 768 head per beam),
# each beam count once, the prompts in turn
CASES = [("pocket", b, p) for b in (2, 3, 4, 5) for p in PROMPTS] + [
    ("small_gpt2", b, PROMPTS[b % len(PROMPTS)]) for b in (2, 3, 4, 5)]
SETTINGS = [(0.0, True), (2.0, True), (-1.0, True), (0.0, "never"), (2.0, "never"), (-1.0, "never")]
SETTING_CASES = [("pocket", lp, es) for lp, es in SETTINGS] + [("small_gpt2", 2.0, "never"), ("small_gpt2", -1.0, True)]


@pytest.fixture
def generate_beams(hf_generate):
    def generate(model, ids, n, **kwargs):
        return hf_generate(model, ids, n, do_sample=False, output_scores=True, return_dict_in_generate=True, **kwargs)

    return generate


def assert_same(found, expected):
    assert found.ids.tolist() == expected.sequences.tolist()
    assert found.score == pytest.approx(expected.sequences_scores.item(), rel=1e-5)


@pytest.mark.parametrize(("decoding_model", "num_beams", "prompt"), CASES, indirect=["decoding_model"])
@pytest.mark.slow  # beam search against generate, 16 cases (not in the quick loop)
def test_equals_generate(generate_beams, model, pocket, num_beams, prompt):
    ids = encode(pocket[1], prompt)
    assert_same(beam_search(model, ids, 6, num_beams=num_beams), generate_beams(model, ids, 6, num_beams=num_beams))


@pytest.mark.parametrize(("decoding_model", "length_penalty", "early_stopping"), SETTING_CASES,
                         indirect=["decoding_model"])
@pytest.mark.slow  # beam search against generate (not in the quick loop)
def test_equals_generate_with_settings(generate_beams, model, pocket, length_penalty, early_stopping):
    ids = encode(pocket[1], PROMPTS[0])
    settings = dict(num_beams=3, length_penalty=length_penalty, early_stopping=early_stopping)
    assert_same(beam_search(model, ids, 5, **settings), generate_beams(model, ids, 5, **settings))


def end_of_sequence_choices(model, ids):
    """Tokens this model ranks high: its most probable first token (so a beam ends at step 1 whatever the
    weights), then the newest tokens of the 2nd and 3rd running beams at steps 2 and 3."""
    steps = beam_search(model, ids, 4, num_beams=3).steps
    tokens = [steps[0].running[0].ids[-1], steps[1].running[1].ids[-1], steps[2].running[2].ids[-1]]
    return list(dict.fromkeys(tokens))  # without repeats, in this order


EOS_SETTINGS = [(lp, es) for es in (False, True, "never") for lp in (1.0, 0.0, 2.0, -1.0)]


@pytest.mark.slow  # beam search to the end, twice (not in the quick loop)
def test_end_of_sequence_path(generate_beams, model, pocket):
    ids = encode(pocket[1], PROMPTS[0])
    choices = end_of_sequence_choices(model, ids)
    # pocket: every setting for 2, 3 and 5 beams; gpt2's shape: a few settings, 3 beams
    cases = ([(b, *setting) for b in (2, 3, 5) for setting in EOS_SETTINGS] if model is pocket[0]
             else [(3, 1.0, False), (3, 2.0, "never"), (3, -1.0, True)])
    finished_early = 0
    for i, (num_beams, length_penalty, early_stopping) in enumerate(cases):
        eos = choices[i % len(choices)]  # each chosen end-of-sequence token in turn
        settings = dict(num_beams=num_beams, length_penalty=length_penalty,
                        early_stopping=early_stopping, eos_token_id=eos)
        found = beam_search(model, ids, 6, **settings)
        assert_same(found, generate_beams(model, ids, 6, **settings))
        finished_early += any(step.finished for step in found.steps[:-1])  # a beam ended before the limit
    assert finished_early > 0  # the end-of-sequence path really ran


@pytest.mark.parametrize("num_beams", [2, 4])
@pytest.mark.slow  # beam search against generate (not in the quick loop)
def test_a_text_that_ends_at_once_can_win(generate_beams, model, tokenizer, num_beams):
    """With the most probable first token as end-of-sequence and no length penalty (score = log-probability),
    the one-token text beats every longer one: each of those starts with a less probable token."""
    ids = encode(tokenizer, PROMPTS[0])
    eos = end_of_sequence_choices(model, ids)[0]
    settings = dict(num_beams=num_beams, length_penalty=0.0, eos_token_id=eos)
    found = beam_search(model, ids, 6, **settings)
    assert_same(found, generate_beams(model, ids, 6, **settings))
    assert found.best.ids == (eos,) and found.steps[0].finished[0].ids == (eos,)


def test_one_beam_is_greedy(model, pocket):
    ids = encode(pocket[1], PROMPTS[2])
    no_end = []  # no token ends the text, so both run the full length
    found = beam_search(model, ids, 6, num_beams=1, eos_token_id=no_end)
    assert torch.equal(found.ids, greedy_cached(model, ids, 6, eos_token_id=no_end))


def test_result_and_beam_tree(model, pocket):
    ids = encode(pocket[1], PROMPTS[0])
    found = beam_search(model, ids, 5, num_beams=3, length_penalty=2.0)
    assert len(found.steps) == 5 and len(found.finished) == 3
    assert found.best is found.finished[0] and found.score == found.best.score
    assert [b.score for b in found.finished] == sorted((b.score for b in found.finished), reverse=True)
    for earlier, later in zip(found.steps, found.steps[1:-1]):
        assert len(later.running) == 3
        assert all(beam.ids[:-1] in {b.ids for b in earlier.running} for beam in later.running)  # a tree
    for beam in found.finished:
        assert beam.score == pytest.approx(beam.log_probability / len(beam.ids) ** 2.0, rel=1e-6)
        # the joint log-probability is the sum over its tokens, recomputed in one pass
        continuation = torch.tensor([beam.ids])
        assert sequence_log_probability(model, ids, continuation) == pytest.approx(beam.log_probability, rel=1e-4, abs=1e-4)


@pytest.mark.slow  # beam search against generate (not in the quick loop)
def test_log_probabilities_match_compute_transition_scores(generate_beams, model, pocket):
    ids = encode(pocket[1], PROMPTS[0])
    out = generate_beams(model, ids, 6)
    expected = model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)[0]  # (6,)
    mine = token_log_probabilities(model, ids, out.sequences[:, ids.shape[1]:])
    # The full-sequence forward and generate's cached steps add in different orders: with two
    # threads the pocket model's log-probabilities differ by up to ~6e-4.
    assert torch.allclose(mine, expected, atol=1e-3)
    beams = generate_beams(model, ids, 6, num_beams=4)
    expected = model.compute_transition_scores(beams.sequences, beams.scores, beams.beam_indices)[0]
    assert beam_search(model, ids, 6, num_beams=4).best.log_probability == pytest.approx(expected.sum().item(), rel=1e-5)
