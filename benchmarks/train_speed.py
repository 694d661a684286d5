"""Training speed on a CPU: ``gpt2guide.train`` next to nanoGPT's CPU recipe, on the same text and machine.

The anchor is nanoGPT's README recipe for a laptop CPU (``config/train_shakespeare_char.py`` with
``--device=cpu --compile=False --eval_iters=20 --log_interval=1 --block_size=64 --batch_size=12
--n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0``): a
character-level GPT. Both train on the pocket model's Austen corpus (Debian's r-cran-janeaustenr, read
by ``tools/pocket_build/corpus.py``) and are scored on the pocket's held-out text, which neither
trains on. nanoGPT's character vocabulary is made from both texts (as its ``prepare.py`` does).

Per character is the fair unit between a character model and GPT-2's byte-level BPE: both models
score the held-out text in non-overlapping windows of their own context (each window predicts all
its tokens but the first), and

    bits per character = loss per token x held-out tokens / held-out characters / ln 2.

Points, run one after another in one process on the same machine (so a busy moment is recorded,
not hidden: the load average is kept with each point):
1. nanoGPT's recipe as written (2,000 iterations); its training seconds are the sum of the per-iteration
   times that its ``train.py`` prints (evaluations included, start-up not);
2. ``gpt2guide.train`` given that many seconds (``minutes=``);
3. for each of ``--minutes`` (1 and 3 by default; 10 with ``--long``): both given that time.
   nanoGPT has no clock stop, so it gets the iterations that its recipe's measured rate fits in the
   time (a multiple of its evaluation interval, 250), with ``--lr_decay_iters`` set to them.
Tokens per second are training tokens (the model's own tokens: characters for nanoGPT, GPT-2 tokens
for gpt2guide) over training seconds; characters per second put both in the same unit.

nanoGPT's code is run from a folder outside the repository (``--nanogpt``: its ``train.py``,
``model.py``, ``configurator.py`` and ``config/train_shakespeare_char.py``); it is never copied here.

    PYTHONPATH=src:. python benchmarks/train_speed.py --nanogpt /tmp/nanogpt [--long] [--write]

With --write the record goes to src/gpt2guide/train_bench.json (package data: the training page's
"what to expect" table reads it). References: nanoGPT (karpathy/nanoGPT) README and train.py.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.util
import json
import math
import os
import pickle
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from tools.bench import machine  # the CPU's name, as the decoding bench records it

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "src" / "gpt2guide" / "train_bench.json"
SCHEMA = 1
NANOGPT_RECIPE = {  # nanoGPT README's CPU command, on top of config/train_shakespeare_char.py
    "device": "cpu", "compile": False, "eval_iters": 20, "log_interval": 1, "block_size": 64,
    "batch_size": 12, "n_layer": 4, "n_head": 4, "n_embd": 128, "max_iters": 2000,
    "lr_decay_iters": 2000, "dropout": 0.0,
}
NANOGPT_CONFIG = "config/train_shakespeare_char.py"
NANOGPT_EVAL_INTERVAL = 250  # the config's eval_interval: time-matched runs stop on a multiple of it


def load_average() -> float:
    """The 1-minute load average (the machine is shared: a figure comes with how busy it was)."""
    return round(os.getloadavg()[0], 2)


def corpus(janeaustenr: Path | None) -> tuple[str, str]:
    """The pocket's training text and its held-out text (the one shipped in the package)."""
    from gpt2guide.pocket.held_out import held_out_text
    from tools.pocket_build.corpus import build_corpus

    train_text, held_out = build_corpus(janeaustenr)
    if held_out != held_out_text():
        raise SystemExit("the corpus' held-out part is not the package's held_out.txt: rebuild the pocket data")
    return train_text, held_out


# --- scoring, the same for both models -------------------------------------------------------------

@torch.no_grad()
def mean_window_loss(logits_of, ids: list[int], context: int, batch: int = 32) -> float:
    """Mean loss per predicted token over non-overlapping windows of ``context`` tokens."""
    windows = [ids[start : start + context] for start in range(0, len(ids), context)]
    windows = [w for w in windows if len(w) >= 2]
    total, count = 0.0, 0
    # Full windows go in batches; the shorter last one alone (no padding to mask).
    full = [w for w in windows if len(w) == context]
    groups = [full[i : i + batch] for i in range(0, len(full), batch)] + [[w] for w in windows[len(full):]]
    for group in groups:
        group = torch.tensor(group)  # (n, <= context)
        logits = logits_of(group[:, :-1])  # (n, len - 1, vocab): predicts group[:, 1:]
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1).float(), group[:, 1:].flatten(),
                                                 reduction="sum")
        total, count = total + loss.item(), count + group[:, 1:].numel()
    return total / count


def bits_per_character(loss_per_token: float, tokens: int, characters: int) -> float:
    return loss_per_token * tokens / characters / math.log(2)


def score_gpt2(model, tokenizer, held_out: str) -> dict:
    """Held-out loss per token and bits per character of a transformers GPT-2."""
    ids = tokenizer(held_out)["input_ids"]
    loss = mean_window_loss(lambda x: model(input_ids=x).logits, ids, model.config.n_positions)
    return {"held_out_loss": round(loss, 4), "held_out_tokens": len(ids),
            "bits_per_character": round(bits_per_character(loss, len(ids), len(held_out)), 4)}


# --- nanoGPT -------------------------------------------------------------------------------------

def nanogpt_commit(nanogpt: Path) -> str | None:
    marker = nanogpt / "COMMIT"  # written by whoever extracted the files (git show has no .git here)
    return marker.read_text().strip() if marker.exists() else None


def nanogpt_data(work: Path, train_text: str, held_out: str) -> dict:
    """nanoGPT's data folder (train.bin, val.bin, meta.pkl) as its shakespeare_char/prepare.py writes it."""
    chars = sorted(set(train_text + held_out))
    stoi = {ch: i for i, ch in enumerate(chars)}
    data = work / "data" / "austen"
    data.mkdir(parents=True, exist_ok=True)
    for name, text in (("train", train_text), ("val", held_out)):
        np.array([stoi[c] for c in text], dtype=np.uint16).tofile(data / f"{name}.bin")
    with open(data / "meta.pkl", "wb") as f:
        pickle.dump({"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": stoi}, f)
    return stoi


def nanogpt_run(nanogpt: Path, work: Path, stoi: dict, held_out: str, iterations: int) -> dict:
    """nanoGPT's own train.py, the README's CPU recipe for ``iterations``; then its held-out score."""
    out = work / f"out-{iterations}"
    settings = {**NANOGPT_RECIPE, "max_iters": iterations, "lr_decay_iters": iterations, "dataset": "austen",
                "out_dir": str(out), "always_save_checkpoint": True,
                "eval_interval": min(NANOGPT_EVAL_INTERVAL, iterations)}  # the last model, not the best on held-out
    command = [sys.executable, str(nanogpt / "train.py"), str(nanogpt / NANOGPT_CONFIG)]
    command += [f"--{key}={value}" for key, value in settings.items()]
    if not (work / "configurator.py").exists():  # train.py exec()s ./configurator.py from where it runs
        (work / "configurator.py").symlink_to(nanogpt / "configurator.py")
    started, load = time.perf_counter(), load_average()
    # cwd=work: train.py reads data/<dataset>/ relative to where it runs.
    log = subprocess.run(command, cwd=work, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    times = [float(ms) for ms in re.findall(r"^iter \d+: loss [\d.]+, time ([\d.]+)ms", log, re.M)]
    seconds = sum(times) / 1000  # the training loop (its evaluations included), not python's start-up

    # Its checkpoint holds plain dicts and tensors: weights_only loading reads it.
    checkpoint = torch.load(out / "ckpt.pt", map_location="cpu", weights_only=True)
    spec = importlib.util.spec_from_file_location("nanogpt_model", nanogpt / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.GPT(module.GPTConfig(**checkpoint["model_args"]))
    model.load_state_dict({k.removeprefix("_orig_mod."): v for k, v in checkpoint["model"].items()})
    model.eval()
    ids = [stoi[c] for c in held_out]
    # nanoGPT's forward returns only the last position's logits without targets: pass them (contiguous: it views them).
    loss = mean_window_loss(lambda x: model(x, targets=x.contiguous())[0], ids, NANOGPT_RECIPE["block_size"])
    tokens = iterations * NANOGPT_RECIPE["batch_size"] * NANOGPT_RECIPE["block_size"]
    return {"iterations": iterations, "seconds": round(seconds, 1), "process_seconds": round(wall, 1),
            "load_average": load, "tokens_per_second": round(tokens / seconds),
            "characters_per_second": round(tokens / seconds),  # one token is one character
            "held_out_loss": round(loss, 4),
            "bits_per_character": round(bits_per_character(loss, len(ids), len(held_out)), 4)}


# --- gpt2guide --------------------------------------------------------------------------------------

def gpt2guide_run(train_text: str, held_out: str, seconds: float, options: dict, chars_per_token: float) -> dict:
    """``gpt2guide.train`` stopped by the clock after ``seconds``; then the same held-out score."""
    from gpt2guide.train import train

    load = load_average()
    run = train(train_text, held_out=held_out, minutes=seconds / 60, quiet=True, **options)
    card = run.card
    score = score_gpt2(run.model, run.tokenizer, held_out)
    tokens_per_second = card["tokens_per_second"]
    return {"steps": card["steps"], "seconds": round(card["wall_seconds"], 1), "load_average": load,
            "tokens_per_second": round(tokens_per_second),
            "characters_per_second": round(tokens_per_second * chars_per_token),
            "parameters": sum(p.numel() for p in run.model.parameters()),
            **score, "card_bits_per_character": card.get("held_out_bits_per_character"),
            "history": [{"step": h["step"], "held_out_loss": h["held_out_loss"]} for h in run.history]}


def parse_options(pairs: list[str]) -> dict:
    """``key=value`` pairs for ``gpt2guide.train`` (values read as JSON where they parse)."""
    options = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nanogpt", type=Path, required=True, help="folder with nanoGPT's train.py, model.py, "
                        "configurator.py and config/ (outside this repository)")
    parser.add_argument("--janeaustenr", type=Path, help="janeaustenr's unpacked data folder (default: apt-get download)")
    parser.add_argument("--minutes", type=float, nargs="+", default=[1, 3], help="time points for both")
    parser.add_argument("--long", action="store_true", help="add the 10-minute point (20+ minutes more)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="an argument of gpt2guide.train (repeatable), e.g. size=tiny")
    parser.add_argument("--no-recipe", action="store_true", help="skip nanoGPT's own 2,000-iteration point; its "
                        "rate for the time points then comes from --nanogpt-rate")
    parser.add_argument("--nanogpt-rate", type=float, help="nanoGPT iterations per second (with --no-recipe)")
    parser.add_argument("--only", choices=("both", "gpt2guide", "nanogpt"), default="both")
    parser.add_argument("--write", action="store_true", help=f"write the record to {RECORD.relative_to(ROOT)}")
    parser.add_argument("--out", type=Path, help="also write the record to this file")
    args = parser.parse_args(argv)
    options = parse_options(args.option)
    minutes = list(args.minutes) + [10] * (args.long and 10 not in args.minutes)

    from transformers import AutoTokenizer

    import gpt2guide
    from gpt2guide.checkpoints import POCKET_DIR

    train_text, held_out = corpus(args.janeaustenr)
    tokenizer = AutoTokenizer.from_pretrained(POCKET_DIR)
    train_tokens = len(tokenizer(train_text)["input_ids"])
    chars_per_token = len(train_text) / train_tokens
    pocket = score_gpt2(gpt2guide.load("pocket")[0], tokenizer, held_out)
    record = {
        "schema": SCHEMA,
        "date": datetime.date.today().isoformat(),
        "machine": {"cpu": machine()["cpu"], "cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
                    "python": platform.python_version(), "torch": torch.__version__},
        "text": {"train_characters": len(train_text), "train_tokens": train_tokens,
                 "held_out_characters": len(held_out), "held_out_tokens": pocket["held_out_tokens"],
                 "held_out_sha256": hashlib.sha256(held_out.encode()).hexdigest()},
        "pocket": pocket,
        "nanogpt": {"recipe": NANOGPT_RECIPE, "config": NANOGPT_CONFIG, "commit": nanogpt_commit(args.nanogpt)},
        "gpt2guide": {"version": gpt2guide.__version__, "options": options},
        "points": [],
        "complete": False,  # True once every point asked for is measured
    }
    print(f"pocket: {pocket}", file=sys.stderr)

    with tempfile.TemporaryDirectory(prefix="nanogpt-") as tmp:
        work = Path(tmp)
        stoi = nanogpt_data(work, train_text, held_out)
        rate = args.nanogpt_rate
        if not args.no_recipe:
            point = {"label": "nanoGPT recipe", "minutes": None}
            point["nanogpt"] = nanogpt_run(args.nanogpt, work, stoi, held_out, NANOGPT_RECIPE["max_iters"])
            rate = NANOGPT_RECIPE["max_iters"] / point["nanogpt"]["seconds"]
            point["minutes"] = round(point["nanogpt"]["seconds"] / 60, 2)
            print(f"nanoGPT recipe: {point['nanogpt']}", file=sys.stderr)
            if args.only != "nanogpt":
                point["gpt2guide"] = gpt2guide_run(train_text, held_out, point["nanogpt"]["seconds"], options,
                                                   chars_per_token)
                print(f"gpt2guide: {point['gpt2guide']}", file=sys.stderr)
            record["points"].append(point)
            save(record, args)
        for m in minutes:
            point = {"label": f"{m:g} min", "minutes": m}
            if args.only != "nanogpt":
                point["gpt2guide"] = gpt2guide_run(train_text, held_out, 60 * m, options, chars_per_token)
                print(f"{m} min gpt2guide: {point['gpt2guide']}", file=sys.stderr)
            if args.only != "gpt2guide" and rate:
                iterations = max(1, round(rate * 60 * m / NANOGPT_EVAL_INTERVAL)) * NANOGPT_EVAL_INTERVAL
                point["nanogpt"] = nanogpt_run(args.nanogpt, work, stoi, held_out, iterations)
                print(f"{m} min nanoGPT: {point['nanogpt']}", file=sys.stderr)
            record["points"].append(point)
            save(record, args)
    record["load_average_end"] = load_average()
    record["complete"] = True
    print(save(record, args))
    return record


def save(record: dict, args) -> str:
    """The record so far, to --out and (with --write) the package's file: a cut-short run keeps its points."""
    text = json.dumps(record, indent=1) + "\n"
    for path in [args.out] * bool(args.out) + [RECORD] * args.write:
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)
    return text


if __name__ == "__main__":
    main()
