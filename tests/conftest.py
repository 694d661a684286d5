"""Shared fixtures of the unit tests. The tests never touch the network: the hub is switched off
before anything imports huggingface_hub."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402

# Browser fixtures (Chromium serving the built site), shared by every tests/test_browser*.py.
from browser_support import (  # noqa: E402,F401
    browser,
    hosted_site_url,
    hosted_visit,
    site_url,
    sync_api,
    visit,
)


@pytest.fixture(scope="session")
def pocket():
    """``(model, tokenizer)`` of the bundled pocket checkpoint, loaded once per session."""
    from gpt2guide import load

    return load("pocket")


@pytest.fixture(scope="session")
def tokenizer(pocket):
    """GPT-2's tokenizer, as shipped with the pocket checkpoint."""
    return pocket[1]


@pytest.fixture(scope="session")
def small_gpt2():
    """gpt2's width, heads and vocabulary with 2 of its 12 layers, random weights (seed 0)."""
    from gpt2guide.checkpoints import random_model

    return random_model("gpt2", n_layer=2, seed=0)


def _hf_generate(model, input_ids, max_new_tokens: int, **settings):
    import torch

    from gpt2guide.constants import END_OF_TEXT_ID

    return model.generate(input_ids, attention_mask=torch.ones_like(input_ids), max_new_tokens=max_new_tokens,
                          pad_token_id=END_OF_TEXT_ID, **settings)


@pytest.fixture(scope="session")
def hf_generate():
    """transformers' ``generate`` as the tests call it: one prompt, its full attention mask and
    ``<|endoftext|>`` as the padding token (GPT-2 has none); the settings are passed on."""
    return _hf_generate


@pytest.fixture(scope="module")
def one_thread():
    """Torch on one thread for a test module (small models; the same sums on every run)."""
    from gpt2guide.threads import one_thread

    with one_thread():
        yield


# Logits of two tokens this close are a tie that another CPU's float sums may break the other way.
TIE = 1e-4


def assert_greedy_up_to_ties(model, prompt_ids, new_ids, tie: float = TIE) -> None:
    """``new_ids`` is a greedy continuation of ``prompt_ids`` by ``model``, up to near-ties.

    Greedy decoding takes an argmax at every step; where two logits differ in their last bits
    (an AMD EPYC and an Intel Xeon sum in other orders), another CPU may take the other token and
    continue differently. So the given tokens are fed to the model (teacher forcing) and each must
    be within ``tie`` of the best logit at its step.
    """
    import torch

    new = torch.as_tensor(new_ids).reshape(1, -1)  # (1, new)
    with torch.no_grad():
        logits = model(torch.cat([prompt_ids, new], dim=1)).logits[0]  # (seq + new, vocab)
    steps = logits[prompt_ids.shape[1] - 1:-1]  # (new, vocab): the logits that chose each new token
    gaps = steps.max(dim=-1).values - steps.gather(1, new[0][:, None])[:, 0]  # (new,)
    assert float(gaps.max()) <= tie, (
        f"not this model's greedy output (a token {float(gaps.max()):.3g} below the best at step "
        f"{int(gaps.argmax())}, beyond a near-tie of {tie:g}): the weights or the decoding changed")


@pytest.fixture(scope="session")
def greedy_up_to_ties():
    """``assert_greedy_up_to_ties(model, prompt_ids, new_ids)``: the one tie-tolerant greedy check."""
    return assert_greedy_up_to_ties
