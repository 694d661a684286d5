"""Shared fixtures of the unit tests. The tests never touch the network: the hub is switched off
before anything imports huggingface_hub.

Built once per session and shared: the pocket model (`pocket`) and Chromium serving the site
(tests/browser_support.py); built once per run, shared by pytest-xdist's workers: the site
(`built_site`, one `mkdocs build --strict`) and the wheel (`built_wheel`)."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import subprocess  # noqa: E402
import sys  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tools import workers  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# Browser fixtures (Chromium serving the built site), shared by every tests/test_browser*.py
# (`pytest_plugins` would be the idiom, but pytest accepts it only in the root conftest).
from browser_support import (  # noqa: E402,F401
    browser,
    hosted_site_url,
    hosted_visit,
    site_url,
    sync_api,
    visit,
)


@pytest.fixture(scope="module", autouse=True)
def isolated_module():
    """Each test module leaves the process as it found it (threads, grad mode, default dtype,
    random state, deterministic flags, log levels): the pages get the same from the root conftest."""
    from tools.isolation import GlobalState

    saved = GlobalState.save()
    yield
    saved.restore()


@dataclass(frozen=True)
class BuiltSite:
    """The output of one `mkdocs build --strict` (judged by its exit status)."""

    path: Path
    returncode: int
    log: str

    def require(self) -> Path:
        if self.returncode != 0:
            pytest.fail(
                f"mkdocs build --strict failed (exit {self.returncode}); "
                f"see test_build_strict:\n{self.log[-3000:]}"
            )
        return self.path


# CI sets this to keep the site the tests built and checked: the Pages job publishes that folder
# (.github/workflows/ci.yml) instead of building the site a second time.
SITE_DIR_VARIABLE = "GPT2GUIDE_SITE_DIR"


def _once_per_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, make):
    """`make(folder)`'s result, made once per run and shared by pytest-xdist's workers (tools/workers.py)."""
    run_folder = None if worker_id == workers.NO_WORKER else tmp_path_factory.getbasetemp().parent
    return workers.once_per_run(run_folder, name, make, lambda: tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> BuiltSite:
    """Build the site once per test run, into a temporary folder (or $GPT2GUIDE_SITE_DIR)."""

    def build(folder: Path) -> dict:
        kept = os.environ.get(SITE_DIR_VARIABLE)
        site = Path(kept).resolve() if kept else folder
        result = subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
            # Material's end-of-life banner is noise here; the exit status is the verdict.
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        return {"path": str(site), "returncode": result.returncode, "log": result.stdout + result.stderr}

    built = _once_per_run(tmp_path_factory, worker_id, "site", build)
    return BuiltSite(Path(built["path"]), built["returncode"], built["log"])


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The package's wheel, built once per test run (tests/test_packaging.py reads it,
    tests/test_reader_copy.py installs it); built from the checkout, no build isolation."""

    def build(folder: Path) -> str:
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                               "-w", str(folder), str(ROOT)], capture_output=True, text=True, timeout=600,
                              env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"})
        assert done.returncode == 0, done.stderr[-3000:]
        (wheel,) = folder.glob("gpt2guide-*.whl")
        return str(wheel)

    return Path(_once_per_run(tmp_path_factory, worker_id, "dist", build))


@pytest.fixture(scope="session")
def pocket():
    """``(model, tokenizer)`` of the bundled pocket checkpoint, loaded once per session."""
    from gpt2guide import load

    return load("pocket")


@pytest.fixture(scope="session")
def tokenizer(pocket):
    """GPT-2's tokenizer, as shipped with the pocket checkpoint."""
    return pocket[1]


def pytest_collection_modifyitems(items: list) -> None:
    """A test on `small_gpt2` (gpt2's width and vocabulary: seconds a test) is `slow`, whether it
    asks for the fixture or names it as a parameter: the full run has it, and the quick loop its
    twin on the pocket model."""
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "small_gpt2" in getattr(item, "fixturenames", ()) or any(
                isinstance(value, str) and value == "small_gpt2" for value in params.values()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def small_gpt2():
    """gpt2's width, heads and vocabulary with 2 of its 12 layers, random weights (seed 0)."""
    from gpt2guide.checkpoints import random_model

    return random_model("gpt2", n_layer=2, seed=0)


@pytest.fixture(params=["pocket", "small_gpt2"])
def decoding_model(request):
    """The model a decoding test runs on, each in turn: the pocket model, and gpt2's shape with
    random weights (`small_gpt2`). A test that pairs models with its own cases parametrizes it by
    name: `@pytest.mark.parametrize(("decoding_model", ...), CASES, indirect=["decoding_model"])`."""
    if request.param == "pocket":
        return request.getfixturevalue("pocket")[0]
    return request.getfixturevalue(request.param)


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
