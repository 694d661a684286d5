"""``gpt2guide generate``: the same ids as the library, JSON for scripts, text for people, and only
the options a user gives passed on to the library."""

import functools
import json

import pytest

import gpt2guide.decoding
from gpt2guide.cli import main
from gpt2guide.constants import RUNNING_PROMPT as PROMPT
from gpt2guide.decoding import beam_search, encode, greedy_cached, sample

# Each test runs the command's decoding on the pocket model: the full run only.
pytestmark = pytest.mark.slow


def run(capsys, *argv):
    assert main(["generate", PROMPT, *argv]) == 0
    return capsys.readouterr().out


def test_greedy_json(capsys, pocket):
    out = json.loads(run(capsys, "--max-new-tokens", "5", "--json"))
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    assert out["ids"] == greedy_cached(model, ids, 5)[0, ids.shape[1]:].tolist()
    assert len(out["ids"]) == 5
    assert out["text"] == PROMPT + tokenizer.decode(out["ids"])
    assert out["strategy"] == "greedy" and "score" not in out and out["settings"] == {}


def test_beam_json_has_score(capsys, pocket):
    out = json.loads(run(capsys, "--strategy", "beam", "--num-beams", "3", "--max-new-tokens", "4",
                         "--length-penalty", "2.0", "--early-stopping", "--json"))
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    found = beam_search(model, ids, 4, num_beams=3, length_penalty=2.0, early_stopping=True)
    assert out["ids"] == found.ids[0, ids.shape[1]:].tolist()
    assert out["score"] == found.score
    assert out["settings"] == {"num_beams": 3, "length_penalty": 2.0, "early_stopping": True}


def test_sample_is_reproducible(capsys, pocket):
    argv = ("--strategy", "sample", "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95", "--min-p", "0.01",
            "--seed", "4", "--max-new-tokens", "6", "--json")
    first, second = json.loads(run(capsys, *argv)), json.loads(run(capsys, *argv))
    assert first["ids"] == second["ids"] and first["seed"] == 4
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    expected = sample(model, ids, 6, temperature=0.9, top_k=40, top_p=0.95, min_p=0.01, seed=4)
    assert first["ids"] == expected[0, ids.shape[1]:].tolist()


def test_text_output_is_the_prompt_and_its_greedy_continuation(capsys, pocket):
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    continuation = tokenizer.decode(greedy_cached(model, ids, 3)[0, ids.shape[1]:])
    assert continuation.strip()  # three tokens of text, not nothing
    assert run(capsys, "--max-new-tokens", "3") == PROMPT + continuation + "\n"


@pytest.mark.parametrize(("argv", "function", "passed"), [
    ([], "greedy_cached", {}),
    (["--strategy", "beam"], "beam_search", {}),
    (["--strategy", "beam", "--num-beams", "2"], "beam_search", {"num_beams": 2}),
    (["--strategy", "sample"], "sample", {"seed": 0}),  # the command's own default seed
    (["--strategy", "sample", "--top-p", "0.5", "--seed", "3"], "sample", {"top_p": 0.5, "seed": 3}),
])
def test_only_the_options_given_are_passed_on(capsys, monkeypatch, argv, function, passed):
    calls = []
    real = getattr(gpt2guide.decoding, function)

    @functools.wraps(real)  # the same signature: the command reads the library's defaults from it
    def recording(model, ids, max_new_tokens, **settings):
        calls.append((max_new_tokens, settings))
        return real(model, ids, max_new_tokens, **settings)

    monkeypatch.setattr(gpt2guide.decoding, function, recording)
    assert main(["generate", PROMPT, "--max-new-tokens", "2", *argv]) == 0
    assert calls == [(2, passed)]


def test_help_shows_the_library_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "beams kept at each step (default 4)" in help_text  # beam_search's num_beams=4
    assert "(default 1.0)" in help_text and "at most this many new tokens (default 20)" in help_text
