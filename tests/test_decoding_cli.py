"""``gpt2guide generate``: the same ids as the library, JSON for scripts, text for people."""

import json

from gpt2guide.cli import main
from gpt2guide.decoding import beam_search, encode, greedy_cached, sample

PROMPT = "I can't forget you, for"


def run(capsys, *argv):
    assert main(["generate", PROMPT, *argv]) == 0
    return capsys.readouterr().out


def test_greedy_json(capsys, pocket):
    out = json.loads(run(capsys, "--max-new-tokens", "5", "--json"))
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    assert out["ids"] == greedy_cached(model, ids, 5)[0, ids.shape[1]:].tolist()
    assert out["text"] == PROMPT + tokenizer.decode(out["ids"])
    assert out["strategy"] == "greedy" and "score" not in out


def test_beam_json_has_score(capsys, pocket):
    out = json.loads(run(capsys, "--strategy", "beam", "--num-beams", "3", "--max-new-tokens", "4",
                         "--length-penalty", "2.0", "--early-stopping", "--json"))
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    found = beam_search(model, ids, 4, num_beams=3, length_penalty=2.0, early_stopping=True)
    assert out["ids"] == found.ids[0, ids.shape[1]:].tolist()
    assert out["score"] == found.score


def test_sample_is_reproducible(capsys, pocket):
    argv = ("--strategy", "sample", "--temperature", "0.9", "--top-k", "40", "--top-p", "0.95", "--min-p", "0.01",
            "--seed", "4", "--max-new-tokens", "6", "--json")
    first, second = json.loads(run(capsys, *argv)), json.loads(run(capsys, *argv))
    assert first["ids"] == second["ids"] and first["seed"] == 4
    model, tokenizer = pocket
    ids = encode(tokenizer, PROMPT)
    expected = sample(model, ids, 6, temperature=0.9, top_k=40, top_p=0.95, min_p=0.01, seed=4)
    assert first["ids"] == expected[0, ids.shape[1]:].tolist()


def test_text_output(capsys):
    out = run(capsys, "--max-new-tokens", "3")
    assert out.startswith(PROMPT) and not out.lstrip().startswith("{")
