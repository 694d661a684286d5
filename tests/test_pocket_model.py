"""The shipped pocket weights: frozen, described by their data card, and writing words.

Every output the pages show was produced by these exact weights; retraining changes them all,
so the checksum below is pinned. After a deliberate retrain: `python -m tools pocket export`, then
`python -m tools figures`, refresh the pages' pocket outputs, and update the checksum.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from gpt2guide.checkpoints import POCKET_DIR
from gpt2guide.decoding import greedy_cached
from gpt2guide.pocket.held_out import CARD_FILE
from tools.pocket_build.build import SAMPLE_PROMPTS

FROZEN_SHA256 = "16e63641d59ccc21c93bb681efc4222c566338bbcc0d097d88cd8a99284adabf"
CARD = json.loads(CARD_FILE.read_text())


def test_weights_are_frozen():
    digest = hashlib.sha256((POCKET_DIR / "model.safetensors").read_bytes()).hexdigest()
    assert digest == FROZEN_SHA256, "the pocket weights changed: every output on the pages is stale"


def test_card_describes_the_run():
    assert CARD["steps"] == CARD["config"]["steps"]
    assert CARD["history"][-1]["step"] == CARD["steps"]
    assert CARD["corpus"]["train_tokens"] > 500_000
    assert re.fullmatch(r"[0-9a-f]{64}", CARD["corpus"]["sha256_train_text"])
    # Far below an untrained model's held-out loss (ln 50257 ~ 10.8): at least 5 nats better.
    assert CARD["held_out_loss"] < CARD["untrained_held_out_loss"] - 5


def test_config_matches_card(pocket):
    model, _ = pocket
    for field in ("n_layer", "n_embd", "n_head", "n_positions"):
        assert getattr(model.config, field) == CARD["config"][field]


def words_of(text: str) -> list[str]:
    return re.findall(r"[A-Za-z']+", text)


def card_ids(tokenizer, text: str) -> list[int]:
    """The ids of a continuation on the card (which round-trips through the tokenizer)."""
    ids = tokenizer.encode(text)
    assert tokenizer.decode(ids) == text
    return ids


@pytest.mark.slow  # teacher-forced checks of every card prompt (not in the quick loop)
def test_card_check_tolerates_ties_only(pocket, greedy_up_to_ties):
    model, tokenizer = pocket
    for prompt in SAMPLE_PROMPTS:
        ids = tokenizer(prompt, return_tensors="pt").input_ids
        greedy_up_to_ties(model, ids, card_ids(tokenizer, CARD["samples"]["greedy"][prompt]))
    with pytest.raises(AssertionError, match="not this model's greedy output"):
        greedy_up_to_ties(model, ids, card_ids(tokenizer, " and the weather was very fine"))


@pytest.mark.slow  # greedy decoding of every card prompt (not in the quick loop)
def test_greedy_continuations_are_words_and_match_the_card(pocket, greedy_up_to_ties):
    model, tokenizer = pocket
    vocabulary = tokenizer.get_vocab()
    for prompt in SAMPLE_PROMPTS:
        ids = tokenizer(prompt, return_tensors="pt").input_ids
        new = greedy_cached(model, ids, max_new_tokens=24)[0, ids.shape[1]:]
        text = tokenizer.decode(new)
        if text != CARD["samples"]["greedy"][prompt]:
            greedy_up_to_ties(model, ids, card_ids(tokenizer, CARD["samples"]["greedy"][prompt]))
        words = words_of(text)
        # Mostly whole English words, each a single GPT-2 token with its leading space: not
        # whitespace, not fragments of random tokens.
        assert len(words) >= 12, text
        whole = [w for w in words if "Ġ" + w in vocabulary or w in vocabulary]
        assert len(whole) / len(words) >= 0.9, text
        assert text.strip() and "\n\n" not in text
