"""`pytest --checkpoint NAME` runs the pages against another checkpoint.

Where the hub is reachable that is `--checkpoint gpt2`, and the weekly workflow
(.github/workflows/real-checkpoints.yml) runs every page on the real gpt2 and distilgpt2. Here,
offline, the same path runs on a checkpoint folder of gpt2's shape with random weights: every
block that does not print a pocket-model output must still run and check, and the pocket outputs
are skipped with their reason.

The folder has gpt2's width (768), heads (12, so 64 per head), context (1024) and vocabulary
(50,257, tied head), all unlike the pocket model's, and 2 of its 12 layers: the smallest model
that still takes every gpt2 code path a page has (a folder given as `--checkpoint`, another
shape than the pocket's, sums as long as gpt2's), at about 40 % of the 124M model's parameters
and compute. The 12-layer gpt2 itself runs weekly.

Every run takes the folder path through one page (`SMOKE_PAGES`: the first chapter, which loads
the checkpoint by name in most of its blocks and skips the pocket outputs); every page runs on it
weekly with `--heavy` (about 100 s on 2 cores, a second run of code the page tests already ran),
beside the real gpt2 and distilgpt2 runs of the same workflow.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow  # every page, once more


N_LAYER = 2  # of gpt2's 12 (see the module docstring)


def random_gpt2_checkpoint(folder: Path, n_layer: int = N_LAYER) -> Path:
    """A checkpoint of gpt2's shape with ``n_layer`` layers and random weights, with GPT-2's tokenizer."""
    from transformers import AutoTokenizer, GenerationConfig

    from gpt2guide.checkpoints import random_model
    from gpt2guide.constants import END_OF_TEXT_ID, POCKET_DIR

    with torch.random.fork_rng():  # random_model seeds torch's global generator
        random_model("gpt2", n_layer=n_layer, seed=0).save_pretrained(folder)
    GenerationConfig(bos_token_id=END_OF_TEXT_ID, eos_token_id=END_OF_TEXT_ID,
                     pad_token_id=END_OF_TEXT_ID).save_pretrained(folder)
    AutoTokenizer.from_pretrained(POCKET_DIR).save_pretrained(folder)
    return folder


SMOKE_PAGES = ["docs/llm.ja.md"]  # every run; every page (docs/) with --heavy, weekly


@pytest.fixture(scope="module")
def gpt2_shaped(tmp_path_factory) -> Path:
    """The random gpt2-shaped checkpoint folder, written once for the module."""
    return random_gpt2_checkpoint(tmp_path_factory.mktemp("checkpoint") / "gpt2-random")


@pytest.mark.parametrize("pages", [
    pytest.param(SMOKE_PAGES, id="smoke"),
    pytest.param(["docs"], marks=pytest.mark.heavy, id="every-page"),
])
def test_pages_run_on_a_gpt2_architecture_checkpoint(gpt2_shaped, pages):
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *pages, "--checkpoint", str(gpt2_shaped), "-q", "-rs",
         "-p", "no:cacheprovider", "-o", "addopts=-p no:doctest"],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    skipped = int(re.search(r"(\d+) skipped", summary).group(1))
    # Most blocks hold for any checkpoint; the pocket model's outputs are the skipped ones.
    assert passed > skipped > 0, summary
    assert "output of the pocket model" in result.stdout
