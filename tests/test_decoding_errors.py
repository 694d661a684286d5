"""Bad input: one clear error naming the argument, raised before any work is done."""

import math

import pytest
import torch

import gpt2guide.decoding.filters
from gpt2guide.cli import main
from gpt2guide.constants import RUNNING_PROMPT
from gpt2guide.decoding import (next_token_logits, apply_temperature, beam_search, encode, greedy_cached, greedy_naive,
                                min_p_filter, sample, sampling_filters, sequence_log_probability, top_k_filter,
                                top_p_filter)


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


@pytest.mark.parametrize("value", [0.0, -0.1, 1.01, 2, math.nan])
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


def test_sampling_checks_each_setting_once_not_on_every_step(pocket, ids, monkeypatch):
    counted = {"temperature": 0, "top_k": 0, "probability": 0}
    for name, key in (("check_temperature", "temperature"), ("check_top_k", "top_k"), ("check_probability", "probability")):
        real = getattr(gpt2guide.decoding.filters, name)

        def counting(*args, real=real, key=key, **kwargs):
            counted[key] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(gpt2guide.decoding.filters, name, counting)
    out = sample(pocket[0], ids, 8, temperature=0.7, top_k=5, top_p=0.9, min_p=0.1, seed=0)
    assert out.shape[1] > ids.shape[1] + 1  # several steps ran
    assert counted == {"temperature": 1, "top_k": 1, "probability": 2}  # top_p and min_p, once each


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
    (["--strategy", "sample", "--min-p", "0"], "--min-p"),
    (["--strategy", "sample", "--seed", "-3"], "--seed"),
    (["--strategy", "beam", "--num-beams", "0"], "--num-beams"),
    (["--strategy", "beam", "--max-new-tokens", "0"], "--max-new-tokens"),
    (["--max-new-tokens", "-1"], "--max-new-tokens"),
    (["--max-new-tokens", "1000"], "--max-new-tokens"),
    (["--checkpoint", "gpt5"], "--checkpoint"),
    (["--temperature", "0.7"], "--temperature"),  # a sampling option with greedy decoding
    (["--strategy", "sample", "--num-beams", "2"], "--num-beams"),  # a beam option with sampling
])
def test_cli_exits_2_with_one_line(capsys, argv, named):
    assert main(["generate", "Hello", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.endswith("\n") and len(err.splitlines()) == 1, err  # the whole of stderr is one line
    assert err.startswith(f"gpt2guide generate: error: {named}: ")


def test_cli_empty_prompt(capsys):
    assert main(["generate", ""]) == 2
    assert capsys.readouterr().err == "gpt2guide generate: error: PROMPT: the text is empty; pass at least one character\n"
