"""MkDocs hook: the playground page gets the pocket checkpoint, in the form the browser runs.

Loaded by `hooks:` in mkdocs.yml. The browser runs the bundled checkpoint itself: a
.safetensors file is an 8-byte header length, a JSON header and the raw tensors, which
docs/assets/playground/safetensors.js reads directly (float16 -> float32), and the forward pass
is a small hand-written JS module (docs/assets/playground/model.js). So the "form the browser
runs" is the checkpoint as shipped in the package, copied at build time, never committed twice.

Why not onnxruntime-web: the pocket model is tiny (4 layers, width 120, 6.8 M parameters), so a
plain JS forward pass with a key/value cache is fast enough, needs no multi-megabyte wasm
runtime, is exact to float32 rounding, and mirrors the Python code (and the anatomy chapter)
step by step, so it stays easy to keep right; tests/test_playground.py proves it equal to the
Python library. Only the head's product (50257 x 120 multiply-adds a token, most of the work)
runs in a WebAssembly SIMD kernel of a few hundred bytes, assembled by simd-head.js and
wasm-bytes.js themselves (no compiler, no download), with the plain-JS head as fallback.

1. `on_files` (after the i18n plugin): add the checkpoint's files (FILES below) from
   src/gpt2guide/pocket/checkpoint/ to the build as assets/playground/<name>, so that
   `mkdocs build` copies them and `mkdocs serve` serves them.
2. `on_page_markdown`: on the page that holds the placeholders (the playground, both
   languages), write the relative URL of assets/playground/, the file list with sizes (for the
   progress bar) and the download size measured from those files, so no number is typed by
   hand, and the seconds benchmarks/playground_speed.py measured loading distilgpt2's shape
   (benchmarks/playground_speed.json), and the Train part's speed against PyTorch that
   benchmarks/browser_train_speed.py measured (benchmarks/browser_train_speed.json). A placeholder
   on any other page, or a playground page without them, is an error.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs.utils import get_relative_url

CHECKPOINT = Path(__file__).resolve().parent.parent / "src" / "gpt2guide" / "pocket" / "checkpoint"
# What the browser fetches, in the order docs/assets/playground/pocket.js reads them.
FILES = ("config.json", "generation_config.json", "vocab.json", "merges.txt", "model.safetensors")
DEST = "assets/playground"
PAGE = "playground"  # docs/playground.<lang>.md
PLACEHOLDERS = {
    "assets": "{{ playground_assets }}",  # relative URL of assets/playground/, ending in /
    "files": "{{ playground_files }}",  # JSON: [[name, bytes], ...]
    "download": "{{ playground_download }}",  # e.g. "15.3 MB"
    "own_seconds": "{{ playground_own_seconds }}",  # distilgpt2's shape loaded, as measured
    "own_machine": "{{ playground_own_machine }}",  # where it was measured
    "train_ratio": "{{ playground_train_ratio }}",  # training speed, browser / PyTorch (1 thread), default size
    "train_warmup_ratio": "{{ playground_train_warmup_ratio }}",  # the same over the browser's first steps
    "train_warmup_steps": "{{ playground_train_warmup_steps }}",  # how many first steps
    "train_machine": "{{ playground_train_machine }}",  # where that was measured
}
# What benchmarks/playground_speed.py --write measured (the page states the largest checkpoint
# measured to load, and how long it took); rerun it to update the figure.
MEASURED = Path(__file__).resolve().parent.parent / "benchmarks" / "playground_speed.json"
# What benchmarks/browser_train_speed.py --write measured (the Train part's speed against PyTorch).
TRAIN_MEASURED = MEASURED.with_name("browser_train_speed.json")


def measured() -> dict:
    """From the benchmark's record: the seconds distilgpt2's shape took to load (one decimal), and
    the machine."""
    try:
        record = json.loads(MEASURED.read_text(encoding="utf-8"))
        return {"own_seconds": f"{float(record['own_checkpoint']['load_s']):.1f}",
                "own_machine": str(record["machine"])}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise PluginError(f"playground: {MEASURED} lacks own_checkpoint.load_s or machine ({error}); "
                          "run benchmarks/playground_speed.py --write") from None


def train_measured() -> dict:
    """From the browser-training benchmark's record: the default size's tokens/s in the browser over
    PyTorch's with one thread (two decimals), once warmed up and over the first steps, and the machine."""
    try:
        record = json.loads(TRAIN_MEASURED.read_text(encoding="utf-8"))
        machine, default = record["machine"], record["configs"][0]
        speeds = default["tokens_per_second"]
        return {"train_ratio": f"{float(default['browser_vs_torch_1_thread']):.2f}",
                "train_warmup_ratio": f"{float(speeds['browser_warmup']) / float(speeds['torch_1_thread']):.2f}",
                "train_warmup_steps": str(int(record["warmup_steps"])),
                "train_machine": f"{machine['cpu']}, {int(machine['logical_cpus'])} CPUs"}
    except (OSError, ValueError, KeyError, TypeError, IndexError, ZeroDivisionError) as error:
        raise PluginError(f"playground: {TRAIN_MEASURED} lacks configs[0]'s speeds, warmup_steps or machine "
                          f"({error}); run benchmarks/browser_train_speed.py --write") from None


def checkpoint_files() -> list[tuple[str, int]]:
    """(name, size in bytes) of each file the browser fetches."""
    missing = [name for name in FILES if not (CHECKPOINT / name).is_file()]
    if missing:
        raise PluginError(f"playground: {', '.join(missing)} missing from {CHECKPOINT}")
    return [(name, (CHECKPOINT / name).stat().st_size) for name in FILES]


def download_size(files: list[tuple[str, int]]) -> str:
    """The total as a reader reads it: megabytes (10**6 bytes), one decimal."""
    return f"{sum(size for _, size in files) / 1e6:.1f} MB"


# Fetched only when the reader picks the Austen preset of the Train part (train-ui.js).
TRAIN_TEXT = CHECKPOINT.parent / "held_out.txt"


@event_priority(-150)
def on_files(files, config):
    for name, _ in checkpoint_files():
        files.append(File.generated(config, f"{DEST}/{name}", abs_src_path=str(CHECKPOINT / name)))
    files.append(File.generated(config, f"{DEST}/{TRAIN_TEXT.name}", abs_src_path=str(TRAIN_TEXT)))
    return files


def _is_playground(page) -> bool:
    stem = Path(page.file.src_uri).name.split(".")[0]
    return stem == PAGE and Path(page.file.src_uri).parent == Path(".")


def on_page_markdown(markdown, page, config, files):
    present = [key for key, mark in PLACEHOLDERS.items() if mark in markdown]
    if not _is_playground(page):
        if present:
            raise PluginError(f"playground: {page.file.src_uri} uses the playground placeholders; "
                              "only docs/playground.<lang>.md may")
        return markdown
    missing = [PLACEHOLDERS[key] for key in PLACEHOLDERS if key not in present]
    if missing:
        raise PluginError(f"playground: {page.file.src_uri} lacks {', '.join(missing)}")
    sizes = checkpoint_files()
    values = {
        "assets": get_relative_url(f"{DEST}/", page.url).rstrip("/") + "/",
        "files": json.dumps(sizes, separators=(",", ":")),
        "download": download_size(sizes),
        **measured(),
        **train_measured(),
    }
    for key, mark in PLACEHOLDERS.items():
        markdown = markdown.replace(mark, values[key])
    return markdown
