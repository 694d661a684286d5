"""Training speed in the browser (docs/assets/playground/train.js in headless Chromium) next to
``gpt2guide.train`` (PyTorch), on the same configurations, the same tokens and the same machine.

Each configuration (layers x width, heads, context, batch; GPT-2's vocabulary) trains for
``--steps`` steps on the pocket's held-out Austen text, tokenized once in Python and handed to both
sides as ids. The browser side runs train.js's ``Trainer`` on the page's main thread of a blank page
served with docs/assets/playground/'s files (no site build; the playground runs the same code in a
worker) by the browser tests' harness (tests/browser_support.py: Chromium, its flags, the static server);
the Python side is ``gpt2guide.train(ids=...)`` with one thread (a browser tab computes on one) and with
torch's default threads, its card's tokens/s (the first step and the evaluations left out, as loop.py
does). Rounds alternate the two sides, so a busy moment hits both; each figure is the median of the
rounds. Nothing here is a timed test.

The browser's figure is its steady speed: the first ``WARMUP_STEPS`` steps are timed apart
(``browser_warmup``), for V8 compiles the page's JavaScript and WebAssembly in tiers while they run,
and they are slower; a run of a minute spends a second or two there. PyTorch, compiled ahead of time,
has no such phase beyond its first step. Each round runs in a fresh browser context, so no round
reuses code an earlier one compiled. The worker's figure is the page's own (every step but the first).

The browser also trains each configuration in a Web Worker (train-worker.js, as the playground does),
while a PerformanceObserver ('longtask') on the page's main thread records its longest task; the
worker's tokens/s is its "done" message's. With ``--write`` the record goes to
benchmarks/browser_train_speed.json (``check_record`` below checks its fields; tests/test_browser_train_record.py
checks the committed one).

    PYTHONPATH=src:.:tests python benchmarks/browser_train_speed.py [--steps 24] [--rounds 2] [--write] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from gpt2guide.validation import RecordFields
from tools.bench import machine  # the machine's description, as the decoding bench records it

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "benchmarks" / "browser_train_speed.json"
SCHEMA = 1
ASSETS = ROOT / "docs" / "assets" / "playground"
WARMUP_STEPS = 5  # the browser's first steps, timed apart (V8 compiling)
# (layers, width, heads, context, batch): the page's default first
CONFIGS = [(1, 16, 2, 16, 4), (1, 32, 2, 32, 4), (2, 64, 2, 64, 8)]
PAGE = b"<!doctype html><meta charset=utf-8><title>train speed</title>"
JS = """async (a) => {
    const train = await import("/train.js");
    const o = train.checkTrainOptions({ids: a.ids, config: a.config, steps: a.warmup + a.steps, batchSize: a.batch,
                                       seed: 0, evalTokens: 64});
    const trainer = new train.Trainer(o);
    const timed = (steps) => {  // tokens per second of the next `steps` steps
        let tokens = 0;
        const started = performance.now();
        for (let i = 0; i < steps; i++) tokens += trainer.takeStep(trainer.step / (a.warmup + a.steps)).tokens;
        return tokens / ((performance.now() - started) / 1000);
    };
    const warmup = timed(a.warmup);  // V8 compiling as it goes
    return {tokensPerSecond: timed(a.steps), warmupTokensPerSecond: warmup, simd: trainer.simd !== null};
}"""
# The same run in the training worker, as the playground runs it, the main thread's long tasks observed.
WORKER_JS = """async (a) => {
    const train = await import("/train.js");
    const o = train.checkTrainOptions({ids: a.ids, config: a.config, steps: a.steps + 1, batchSize: a.batch,
                                       seed: 0, evalTokens: 64, evalEvery: 1000, sampleTokens: 4});
    const long = [];
    const observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); });
    observer.observe({type: "longtask"});
    const worker = new Worker("/train-worker.js", {type: "module"});
    const done = await new Promise((resolve, reject) => {
        worker.onmessage = ({data}) => data.type === "done" ? resolve(data)
            : data.type === "error" ? reject(new Error(data.message)) : null;
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage({type: "start", options: o});
    });
    await new Promise((resolve) => setTimeout(resolve, 200));  // the last entries come in
    observer.disconnect();
    worker.terminate();
    return {tokensPerSecond: done.tokensPerSecond, longestTaskMs: Math.max(0, ...long)};
}"""


@contextlib.contextmanager
def serve():
    """The playground's files and a blank page (index.html), served as the browser tests serve a site."""
    from browser_support import serve as serve_site

    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        shutil.copytree(ASSETS, site)
        (site / "index.html").write_bytes(PAGE)
        with serve_site(site) as base:
            yield base + "/"


def python_speed(ids, config, steps, threads) -> float:
    from gpt2guide.train import train

    layers, width, heads, context, batch = config
    run = train(ids=[ids], layers=layers, width=width, heads=heads, context=context, steps=steps + 1,
                batch_size=batch, quiet=True, eval_every=10_000, eval_tokens=64, sample_tokens=1, threads=threads)
    return run.card["tokens_per_second"]


def check_record(record) -> None:
    """Raise ``WrongValue`` (argument ``record``) naming every field of a --write record that is missing or wrong."""
    fields = RecordFields.of(record, SCHEMA)
    need, problems = fields.need, fields.problems
    number = (int, float)
    machine_ = need(record, "machine", dict, "") or {}
    for key in ("cpu", "torch"):
        need(machine_, key, str, "machine.")
    need(machine_, "logical_cpus", int, "machine.")
    need(record, "chromium", str, "")
    for key in ("steps", "warmup_steps", "rounds", "torch_threads"):
        need(record, key, int, "")
    configs = need(record, "configs", list, "") or []
    if "configs" in record and not configs:
        problems.append("configs: empty")
    for i, entry in enumerate(configs):
        where = f"configs[{i}]."
        for key in ("layers", "width", "heads", "context", "batch"):
            need(entry, key, int, where)
        need(entry, "simd", bool, where)
        speeds = need(entry, "tokens_per_second", dict, where) or {}
        for key in ("browser", "browser_warmup", "browser_worker", "torch_1_thread", "torch_default_threads"):
            need(speeds, key, number, f"{where}tokens_per_second.")
        need(entry, "browser_vs_torch_1_thread", number, where)
        need(entry, "longest_main_thread_task_ms", number, where)
    fields.check("write a fresh record with `PYTHONPATH=src:.:tests python benchmarks/browser_train_speed.py --write`")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=24, help="steps timed on each side")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--configs", type=int, default=len(CONFIGS), help="how many of CONFIGS to run")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--write", action="store_true", help=f"write the record to {RECORD.relative_to(ROOT)}")
    args = parser.parse_args()

    import torch
    from playwright.sync_api import sync_playwright

    from gpt2guide.pocket.held_out import held_out_text
    from gpt2guide.train.data import gpt2_tokenizer, tokenize

    ids = tokenize(gpt2_tokenizer(), [held_out_text()[:60_000]]).tolist()
    default_threads = torch.get_num_threads()
    results = []
    with serve() as url, sync_playwright() as playwright:
        from browser_support import CHROMIUM, CHROMIUM_ARGS

        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for config in CONFIGS[:args.configs]:
            layers, width, heads, context, batch = config
            js_config = {"n_layer": layers, "n_embd": width, "n_head": heads, "n_positions": context}
            found = {"browser": [], "browser_warmup": [], "browser_worker": [], "torch_1_thread": [],
                     "torch_default_threads": []}
            longest, simd = [], True
            arguments = {"ids": ids, "config": js_config, "steps": args.steps, "batch": batch, "warmup": WARMUP_STEPS}
            for _ in range(args.rounds):
                # a fresh page each round (its own context: nothing compiled by an earlier round is reused)
                fresh = browser.new_context()
                page = fresh.new_page()
                page.goto(url)
                main_thread = page.evaluate(JS, arguments)
                found["browser"].append(main_thread["tokensPerSecond"])
                found["browser_warmup"].append(main_thread["warmupTokensPerSecond"])
                simd = simd and main_thread["simd"]
                in_worker = page.evaluate(WORKER_JS, arguments)
                found["browser_worker"].append(in_worker["tokensPerSecond"])
                longest.append(in_worker["longestTaskMs"])
                fresh.close()
                found["torch_1_thread"].append(python_speed(ids, config, args.steps, 1))
                found["torch_default_threads"].append(python_speed(ids, config, args.steps, None))
            medians = {key: round(statistics.median(values), 1) for key, values in found.items()}
            entry = {"layers": layers, "width": width, "heads": heads, "context": context, "batch": batch,
                     "simd": simd, "tokens_per_second": medians,
                     "browser_vs_torch_1_thread": round(medians["browser"] / medians["torch_1_thread"], 3),
                     "browser_vs_torch_default_threads": round(medians["browser"] / medians["torch_default_threads"],
                                                               3),
                     "longest_main_thread_task_ms": round(max(longest), 1)}
            results.append(entry)
            print(json.dumps(entry), flush=True)
        chromium = browser.version
        browser.close()
    record = {"schema": SCHEMA, "machine": machine(), "chromium": chromium, "torch_threads": default_threads,
              "steps": args.steps, "warmup_steps": WARMUP_STEPS, "rounds": args.rounds, "configs": results}
    check_record(record)
    print(json.dumps(record, indent=1))
    if args.json:
        args.json.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    if args.write:
        RECORD.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
