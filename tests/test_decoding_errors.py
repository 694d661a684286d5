"""Bad input: one clear error naming the argument, raised before any work is done."""

import math

import pytest
import torch

from gpt2guide.cli import main
from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import (
    apply_temperature,
    beam_search,
    encode,
    greedy_cached,
    greedy_naive,
    min_p_filter,
    next_token_logits,
    sample,
    sampling_filters,
    sequence_log_probability,
    top_k_filter,
    top_p_filter,
)
from gpt2guide.decoding.filters import apply_filters
from gpt2guide.validation import WrongValue


@pytest.fixture(scope="module")
def ids(pocket):
    return encode(pocket[1], RUNNING_PROMPT)  # 7 tokens


@pytest.mark.parametrize("temperature", [0, 0.0, -1.0, math.inf, math.nan])
def test_temperature(pocket, ids, temperature):
    with pytest.raises(ValueError, match="temperature"):
        sample(pocket[0], ids, 3, temperature=temperature)
    with pytest.raises(ValueError, match="temperature"):
        apply_temperature(torch.zeros(3), temperature)


@pytest.mark.parametrize("top_k", [-1, -50])
def test_top_k(pocket, ids, top_k):
    with pytest.raises(ValueError, match="top_k"):
        sample(pocket[0], ids, 3, top_k=top_k)
    with pytest.raises(ValueError, match="top_k"):
        top_k_filter(torch.zeros(3), top_k)


@pytest.mark.parametrize("value", [-0.1, 1.01, 2, math.nan, math.inf])
def test_top_p_and_min_p(pocket, ids, value):
    with pytest.raises(ValueError, match="top_p"):
        sample(pocket[0], ids, 3, top_p=value)
    with pytest.raises(ValueError, match="min_p"):
        sample(pocket[0], ids, 3, min_p=value)
    with pytest.raises(ValueError, match="top_p"):
        top_p_filter(torch.zeros(3), value)
    with pytest.raises(ValueError, match="min_p"):
        min_p_filter(torch.zeros(3), value)


def test_wrong_types():
    with pytest.raises(TypeError, match="^top_k"):
        sampling_filters(top_k=2.5)
    with pytest.raises(TypeError, match="^temperature"):
        sampling_filters(temperature="hot")


@pytest.mark.parametrize(("settings", "named"), [
    ({"length_penalty": "long"}, "length_penalty"), ({"early_stopping": 1}, "early_stopping"),
    ({"early_stopping": None}, "early_stopping"), ({"num_beams": 2.0}, "num_beams"),
])
def test_wrong_types_of_beam_settings_are_type_errors(pocket, ids, settings, named):
    with pytest.raises(TypeError, match=f"^{named}: ") as raised:
        beam_search(pocket[0], ids, 3, **settings)
    assert not isinstance(raised.value, ValueError)


@pytest.mark.parametrize(("settings", "named"), [
    ({"seed": "7"}, "seed"), ({"seed": 1.5}, "seed"), ({"generator": 7}, "generator"), ({"eos_token_id": "."}, "eos_token_id"),
])
def test_wrong_types_of_sampling_settings_are_type_errors(pocket, ids, settings, named):
    with pytest.raises(TypeError, match=f"^{named}: ") as raised:
        sample(pocket[0], ids, 3, **settings)
    assert not isinstance(raised.value, ValueError)


def test_a_negative_seed_is_a_value_error(pocket, ids):
    with pytest.raises(ValueError, match="^seed: must be at least 0") as raised:
        sample(pocket[0], ids, 3, seed=-1)
    assert not isinstance(raised.value, TypeError)


@pytest.mark.parametrize(("settings", "named"), [
    ({"temperature": 0}, "temperature"), ({"top_k": -1}, "top_k"), ({"top_p": 1.5}, "top_p"), ({"min_p": -0.1}, "min_p"),
])
def test_a_bad_sampling_setting_is_one_error_before_any_step(pocket, ids, settings, named, monkeypatch):
    """``sample`` checks its settings at the door: one error naming the setting, and the model never runs."""
    model = pocket[0]
    monkeypatch.setattr(model, "forward", lambda *a, **k: pytest.fail("the model ran before the settings were checked"))
    with pytest.raises(ValueError) as raised:
        sample(model, ids, 8, seed=0, **settings)
    assert isinstance(raised.value, WrongValue) and raised.value.argument == named
    assert "\n" not in str(raised.value)


def test_the_filters_sample_runs_equal_the_public_filters(pocket, ids):
    """``sampling_filters`` checks once and lists the unchecked kernels; they compute what the public filters do."""
    logits = torch.randn(2, 50, generator=torch.Generator().manual_seed(0))
    listed = sampling_filters(temperature=0.7, top_k=5, top_p=0.9, min_p=0.1)
    by_hand = min_p_filter(top_p_filter(top_k_filter(apply_temperature(logits, 0.7), 5), 0.9), 0.1)
    assert torch.equal(apply_filters(logits, listed), by_hand)


@pytest.mark.parametrize("num_beams", [0, -2])
def test_num_beams(pocket, ids, num_beams):
    with pytest.raises(ValueError, match="num_beams"):
        beam_search(pocket[0], ids, 3, num_beams=num_beams)


@pytest.mark.parametrize("decode", [greedy_naive, greedy_cached, sample, beam_search])
def test_max_new_tokens(pocket, ids, decode):
    with pytest.raises(ValueError, match="max_new_tokens"):
        decode(pocket[0], ids, -1)


@pytest.mark.parametrize("decode", [greedy_naive, greedy_cached, sample, beam_search])
def test_beyond_the_context(pocket, ids, decode):
    context = pocket[0].config.n_positions
    with pytest.raises(ValueError, match=f"max_new_tokens.*context of {context}"):
        decode(pocket[0], ids, context - ids.shape[1] + 1)
    with pytest.raises(ValueError, match="max_new_tokens"):
        sequence_log_probability(pocket[0], ids, torch.zeros(1, context, dtype=torch.long))


@pytest.mark.parametrize("decode", [greedy_naive, greedy_cached, sample, beam_search])
def test_prompt_longer_than_the_context(pocket, decode):
    context = pocket[0].config.n_positions
    too_long = torch.zeros(1, context + 1, dtype=torch.long)
    with pytest.raises(ValueError, match=rf"^prompt: {context + 1} tokens do not fit .*context of {context}"):
        decode(pocket[0], too_long, 1)
    with pytest.raises(ValueError, match=rf"^prompt: {context + 1} tokens do not fit"):
        next_token_logits(pocket[0], too_long)


def test_empty_prompt(pocket):
    model, tokenizer = pocket
    with pytest.raises(ValueError, match="prompt"):
        encode(tokenizer, "")
    for decode in (greedy_naive, greedy_cached, sample, beam_search):
        with pytest.raises(ValueError, match="input_ids.*empty"):
            decode(model, torch.zeros(1, 0, dtype=torch.long), 3)


def test_batch_of_one(pocket, ids):
    with pytest.raises(ValueError, match=r"input_ids.*\(1, seq\)"):
        greedy_cached(pocket[0], ids.repeat(2, 1), 3)


def test_other_beam_arguments(pocket, ids):
    with pytest.raises(ValueError, match="length_penalty"):
        beam_search(pocket[0], ids, 3, length_penalty=math.inf)
    with pytest.raises(ValueError, match="early_stopping"):
        beam_search(pocket[0], ids, 3, early_stopping="sometimes")
    with pytest.raises(ValueError, match="max_new_tokens"):
        beam_search(pocket[0], ids, 0)
    with pytest.raises(ValueError, match="seed"):
        sample(pocket[0], ids, 3, seed=1, generator=torch.Generator())


@pytest.mark.parametrize(("argv", "named"), [
    (["--strategy", "sample", "--temperature", "0"], "--temperature"),
    (["--strategy", "sample", "--top-k", "-1"], "--top-k"),
    (["--strategy", "sample", "--top-p", "1.5"], "--top-p"),
    (["--strategy", "sample", "--min-p", "1.5"], "--min-p"),
    (["--strategy", "sample", "--top-p", "-0.5"], "--top-p"),
    (["--strategy", "beam", "--num-beams", "30000"], "--num-beams"),  # more beams than the vocabulary allows
    (["--strategy", "sample", "--seed", "-3"], "--seed"),
    (["--strategy", "beam", "--num-beams", "0"], "--num-beams"),
    (["--strategy", "beam", "--max-new-tokens", "0"], "--max-new-tokens"),
    (["--max-new-tokens", "-1"], "--max-new-tokens"),
    (["--max-new-tokens", "1000"], "--max-new-tokens"),
    (["--checkpoint", "gpt5"], "--checkpoint"),
    (["--temperature", "0.7"], "--temperature"),  # a sampling option with greedy decoding
    (["--strategy", "sample", "--num-beams", "2"], "--num-beams"),  # a beam option with sampling
])
@pytest.mark.slow  # the CLI loads the model for each case (not in the quick loop)
def test_cli_exits_2_with_one_line(capsys, argv, named):
    assert main(["generate", "Hello", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and len(err.splitlines()) == 1, err  # the whole of stderr is one line
    assert err.startswith(f"gpt2guide generate: error: {named}: ")


def test_cli_empty_prompt(capsys):
    assert main(["generate", ""]) == 2
    assert capsys.readouterr().err == "gpt2guide generate: error: PROMPT: the text is empty; pass at least one character\n"


# -- transformers' ranges: what generate accepts, the library accepts -------------------------------

@pytest.mark.slow  # generate (not in the quick loop)
def test_min_p_zero_is_off_as_in_transformers(pocket, ids):
    from transformers import MinPLogitsWarper

    logits = torch.randn(2, 50)
    assert sampling_filters(min_p=0) == sampling_filters(min_p=0.0) == []  # no filter at all
    assert torch.equal(min_p_filter(logits, 0), logits)
    assert torch.equal(MinPLogitsWarper(0.0)(None, logits), logits)  # what transformers does with 0
    assert torch.equal(sample(pocket[0], ids, 6, min_p=0, seed=3), sample(pocket[0], ids, 6, seed=3))


@pytest.mark.slow  # generate (not in the quick loop)
def test_top_p_zero_keeps_the_most_probable_token_as_in_transformers(pocket, ids):
    from transformers import TopPLogitsWarper

    logits = torch.randn(3, 50)
    kept = top_p_filter(logits, 0.0)
    assert torch.equal(kept, TopPLogitsWarper(0.0)(None, logits))
    assert (kept > -math.inf).sum(dim=-1).tolist() == [1, 1, 1]
    assert torch.equal(sample(pocket[0], ids, 6, top_p=0.0, seed=3), greedy_cached(pocket[0], ids, 6))


def test_ranges_that_differ_from_generate_say_why(pocket, ids):
    with pytest.raises(ValueError, match=r"^temperature: .*> 0 \(for the most probable token use greedy decoding\)"):
        sample(pocket[0], ids, 3, temperature=0)
    with pytest.raises(ValueError, match=r"^length_penalty: .*the score divides by length \*\* it"):
        beam_search(pocket[0], ids, 3, length_penalty=math.nan)
    with pytest.raises(ValueError, match=r"^num_beams: 30000 beams rank 60000 candidates .* at most 25128 beams"):
        beam_search(pocket[0], ids, 3, num_beams=30_000)


# -- token ids: every function that takes them checks their range, with the same message ------------

BAD_IDS = [50257, 99_999, -1]


def bad(ids, value):
    """``ids`` with its third id replaced by ``value``."""
    out = ids.clone()
    out[0, 2] = value
    return out


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize("decode", [greedy_naive, greedy_cached, sample, beam_search])
def test_ids_outside_the_vocabulary_are_caught_by_every_decoder(pocket, ids, decode, value):
    with pytest.raises(ValueError, match=rf"^input_ids: id {value} is not in the vocabulary of 50257 tokens "
                                         r"\(0 to 50256\)"):
        decode(pocket[0], bad(ids, value), 3)


@pytest.mark.parametrize("value", BAD_IDS)
def test_ids_outside_the_vocabulary_elsewhere(pocket, ids, value):
    from gpt2guide import anatomy, loss
    from gpt2guide.decoding import next_token_probabilities, token_log_probabilities

    model = pocket[0]
    named = rf"^input_ids: id {value} is not in the vocabulary"
    calls = [lambda: next_token_logits(model, bad(ids, value)), lambda: next_token_probabilities(model, bad(ids, value)),
             lambda: loss.token_losses(model, bad(ids, value)), lambda: loss.perplexity(model, bad(ids, value)),
             lambda: loss.per_token_losses(torch.zeros(1, 7, 50257), bad(ids, value)),
             lambda: sequence_log_probability(model, bad(ids, value), ids),
             lambda: anatomy.embed(model, bad(ids, value)), lambda: anatomy.body(model, bad(ids, value)),
             lambda: anatomy.block_outputs(model, bad(ids, value)), lambda: anatomy.logit_lens(model, bad(ids, value)),
             lambda: anatomy.attention_weights(model, bad(ids, value), 0),
             lambda: anatomy.capture(model, bad(ids, value), ["h.0.ln_1"])]
    for call in calls:
        with pytest.raises(ValueError, match=named):
            call()
    with pytest.raises(ValueError, match=rf"^continuation_ids: id {value} is not in the vocabulary"):
        token_log_probabilities(model, ids, bad(ids, value))


def test_per_token_losses_checks_ids_against_the_logits_vocabulary():
    from gpt2guide.loss import per_token_losses

    with pytest.raises(ValueError, match=r"^input_ids: id 10 is not in the vocabulary of 10 tokens"):
        per_token_losses(torch.zeros(1, 3, 10), torch.tensor([[1, 10, 2]]))


@pytest.mark.parametrize("decode", [greedy_naive, greedy_cached, sample, beam_search])
def test_not_a_model(ids, decode):
    with pytest.raises(TypeError, match=r"^model: expected a GPT-2 model"):
        decode("gpt2", ids, 3)


@pytest.mark.parametrize("eos", [50257, -1, [50256, 60000]])
@pytest.mark.parametrize("decode", [greedy_naive, greedy_cached, sample, beam_search])
def test_an_end_of_sequence_id_outside_the_vocabulary(pocket, ids, decode, eos):
    with pytest.raises(ValueError, match=r"^eos_token_id: id -?\d+ is not in the vocabulary of 50257 tokens"):
        decode(pocket[0], ids, 3, eos_token_id=eos)


@pytest.mark.slow  # runs every decoder (not in the quick loop)
def test_each_decoder_checks_the_ids_once(pocket, ids, monkeypatch):
    """One shared check, once per call: not again per step, nor by the filters inside sample."""
    import gpt2guide.validation

    calls = []
    real = gpt2guide.validation.check_ids
    monkeypatch.setattr(gpt2guide.validation, "check_ids", lambda *a, **k: calls.append(1) or real(*a, **k))
    for decode in (greedy_naive, greedy_cached, sample, beam_search):
        calls.clear()
        decode(pocket[0], ids, 4)
        assert len(calls) == 1, decode.__name__


@pytest.mark.parametrize("argv", [["--min-p", "0"], ["--top-p", "0"], ["--top-k", "0"]])
@pytest.mark.slow  # the CLI generates (not in the quick loop)
def test_cli_takes_transformers_ranges(capsys, argv):
    assert main(["generate", "Hello", "--strategy", "sample", "--max-new-tokens", "2", *argv]) == 0
    assert capsys.readouterr().out.startswith("Hello")
