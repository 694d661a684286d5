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


@pytest.fixture(scope="module")
def one_thread():
    """Torch on one thread for a test module (small models; the same sums on every run)."""
    from gpt2guide.threads import one_thread

    with one_thread():
        yield
