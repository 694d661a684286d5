"""The playground's speed (JS in headless Chromium) next to Python: decoding, readiness, inspect.

Both decode the pocket model, batch 1, the same prompt, 64 new tokens (the prompt's greedy
continuation has no end-of-sequence token in 64), measured side by side in one run: each round
times the browser's `pocket.generate({strategy: "greedy"})` (timed inside the page with
performance.now(), yields between tokens included), then `gpt2guide.decoding.greedy_cached` with
torch's default threads and with one thread (the page runs on one). A run's tokens/s is its new
tokens over the wall time of the whole call (prompt included); each figure is the median of the
rounds. The figures are for the report; nothing here is a timed test.

Also measured, each the median of the rounds (and the worst where it says so):
- ready: a fresh tab's time from navigation to `pocket.ready`, and from the files' arrival to
  ready (pocket.timings); the longest main-thread task from the page's module's start to a moment
  after ready (a `longtask` observer; the theme's own script runs before and is not counted);
- inspect: `pocket.inspect` on a 64-token prompt next to Python's anatomy (attention_weights for
  every layer plus logit_lens and its top-1), the longest main-thread task while it runs;
- own checkpoint: distilgpt2's shape (6 layers, 12 heads, width 768) with random weights, saved
  in F16 by save_pretrained, loaded with `pocket.loadCheckpoint` (the largest size measured).
With --write the record goes to benchmarks/playground_speed.json, whose own-checkpoint seconds
the playground page states (site_hooks/playground.py reads it).

    PYTHONPATH=src:.:tests python benchmarks/playground_speed.py [--site DIR] [--rounds 5] [--write]

Without --site it builds the site into a temporary folder first (mkdocs build --strict). The
browser is the browser tests' (tests/browser_support.py: the same Chromium, flags and static
server), the machine is described as the decoding bench describes it (``tools.bench.machine``).
References: nanoGPT ``bench.py``; the Long Tasks API (``PerformanceObserver``, ``longtask``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "It is a truth universally acknowledged"
NEW_TOKENS = 64


def build_site(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(dest)],
                   cwd=ROOT, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return dest


def python_run(model, ids, threads: int | None) -> float:
    import torch

    from gpt2guide.decoding import greedy_cached

    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        start = time.perf_counter()
        out = greedy_cached(model, ids, NEW_TOKENS, eos_token_id=[])
        seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(before)
    return (out.shape[1] - ids.shape[1]) / seconds


JS_RUN = """async ([prompt, n]) => {
    const start = performance.now();
    const result = await pocket.generate({prompt, strategy: "greedy", maxNewTokens: n});
    return {ids: result.ids, seconds: (performance.now() - start) / 1000};
}"""


LONG_TASKS = """window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]); })
  .observe({type: "longtask", buffered: true});"""
RECORD = ROOT / "benchmarks" / "playground_speed.json"
INSPECT_TOKENS = 64

JS_INSPECT = """async (prompt) => {
    window.__long = [];
    const start = performance.now();
    const result = await pocket.inspect({prompt});
    const seconds = (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 100));  // the observer reports a moment later
    return {seconds, n: result.ids.length, longest: Math.max(0, ...window.__long.map(([, d]) => d))};
}"""


def ready_run(browser, base: str) -> dict:
    """A fresh tab: navigation to ready, files arrived to ready, the longest task while loading."""
    page = browser.new_page()
    page.add_init_script(LONG_TASKS)
    page.goto(base + "/en/playground/")
    page.wait_for_function("document.getElementById('pocket-playground').dataset.ready === 'true'", timeout=120_000)
    page.wait_for_timeout(300)
    timings = page.evaluate("pocket.timings")
    # the page's own tasks: from its module's start on (Material's bundle runs before it)
    longest = page.evaluate("""() => { const start = performance.getEntriesByName("playground-start")[0].startTime;
        return Math.max(0, ...window.__long.filter(([at]) => at >= start).map(([, d]) => d)); }""")
    page.close()
    return {"ready_s": timings["ready"] / 1000, "after_files_s": (timings["ready"] - timings["filesArrived"]) / 1000,
            "longest_task_ms": longest}


def inspect_prompt(tokenizer) -> str:
    """A prompt of exactly INSPECT_TOKENS tokens (Jane Austen's first sentence, repeated and cut)."""
    ids = tokenizer(" ".join([PROMPT + ", that a single man in possession of a good fortune"] * 8))["input_ids"]
    return tokenizer.decode(ids[:INSPECT_TOKENS])


def python_inspect(model, ids) -> float:
    from gpt2guide import anatomy

    start = time.perf_counter()
    for layer in range(model.config.n_layer):
        anatomy.attention_weights(model, ids, layer)
    anatomy.logit_lens(model, ids).argmax(-1)
    return time.perf_counter() - start


def own_checkpoint_run(browser, site: Path, folder: Path) -> dict:
    """distilgpt2's shape, random weights, F16: the seconds loadCheckpoint takes in a fresh tab.

    The two files are served beside the site, from the same origin (the page may fetch them so):
    ``folder`` holds links to the site's top-level entries and the checkpoint in own-checkpoint/."""
    import torch
    from browser_support import serve
    from transformers import GPT2Config, GPT2LMHeadModel

    with torch.random.fork_rng():  # the caller's random state stays as it was
        torch.manual_seed(0)
        model = GPT2LMHeadModel(GPT2Config(n_layer=6, n_head=12, n_embd=768))
    model.to(torch.float16).save_pretrained(folder / "own-checkpoint", safe_serialization=True)
    for entry in site.iterdir():
        (folder / entry.name).symlink_to(entry.resolve())
    with serve(folder) as base:
        page = browser.new_page()
        page.goto(base + "/en/playground/")
        page.wait_for_function("document.getElementById('pocket-playground').dataset.ready === 'true'",
                               timeout=120_000)
        result = page.evaluate("""async (url) => {
            const config = await (await fetch(url + "/config.json")).json();
            const weights = await (await fetch(url + "/model.safetensors")).arrayBuffer();
            const loaded = await pocket.loadCheckpoint({config, weights});
            const start = performance.now();
            await pocket.generate({prompt: "It is", maxNewTokens: 8});
            return {...loaded, bytes: weights.byteLength, generate8_s: (performance.now() - start) / 1000};
        }""", base + "/own-checkpoint")
        page.close()
    return {"shape": "distilgpt2 (6 layers, 12 heads, width 768)", "values_M": round(result["values"] / 1e6, 1),
            "file_MB": round(result["bytes"] / 1e6, 1), "load_s": round(result["seconds"], 2),
            "generate_8_tokens_s": round(result["generate8_s"], 2)}


def measure(site: Path, rounds: int) -> dict:
    """Every timing of the benchmark, in the rounds' order (see the module docstring)."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS, serve  # the browser tests' harness
    from playwright.sync_api import sync_playwright

    import gpt2guide
    from gpt2guide.decoding import encode, greedy_cached

    model, tokenizer = gpt2guide.load("pocket")
    ids = encode(tokenizer, PROMPT)
    expected = greedy_cached(model, ids, NEW_TOKENS)[0, ids.shape[1]:].tolist()
    rates = {"js": [], "python": [], "python_1_thread": []}
    with serve(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.add_init_script(LONG_TASKS)
        page.goto(base + "/en/playground/")
        page.wait_for_function("window.pocket !== undefined")
        page.evaluate("() => pocket.ready.then(() => true)")
        page.evaluate(JS_RUN, [PROMPT, 8])  # warm-up: the JIT compiles the loops
        python_run(model, ids, None)
        for _ in range(rounds):
            run = page.evaluate(JS_RUN, [PROMPT, NEW_TOKENS])
            if run["ids"] != expected or len(run["ids"]) != NEW_TOKENS:
                raise SystemExit("the browser's greedy tokens differ from greedy_cached's")
            rates["js"].append(NEW_TOKENS / run["seconds"])
            rates["python"].append(python_run(model, ids, None))
            rates["python_1_thread"].append(python_run(model, ids, 1))
        # inspect on a 64-token prompt, the browser and Python in turn
        prompt64 = inspect_prompt(tokenizer)
        ids64 = encode(tokenizer, prompt64)
        page.evaluate(JS_INSPECT, prompt64)  # warm-up
        inspect = {"js_s": [], "python_s": [], "longest_task_ms": []}
        for _ in range(rounds):
            run = page.evaluate(JS_INSPECT, prompt64)
            if run["n"] != INSPECT_TOKENS:
                raise SystemExit(f"inspect read {run['n']} tokens, not {INSPECT_TOKENS}")
            inspect["js_s"].append(run["seconds"])
            inspect["longest_task_ms"].append(run["longest"])
            inspect["python_s"].append(python_inspect(model, ids64))
        ready = [ready_run(browser, base) for _ in range(rounds)]
        print(json.dumps({"ready": ready, "inspect": inspect, "rates": rates}), flush=True)
        with tempfile.TemporaryDirectory() as folder:
            own = own_checkpoint_run(browser, Path(site), Path(folder))
        version = browser.version
        browser.close()
    return {"rates": rates, "inspect": inspect, "ready": ready, "own": own, "chromium": version, "rounds": rounds}


def summarise(raw: dict) -> dict:
    """The record: medians (and the worst where it says so) of the measured rounds."""
    import torch

    from tools.bench import machine

    rates, inspect, ready = raw["rates"], raw["inspect"], raw["ready"]
    medians = {name: round(statistics.median(values), 1) for name, values in rates.items()}
    here = machine()
    return {
        "tokens_per_second": medians,
        "js_over_python": round(medians["js"] / medians["python"], 2),
        "js_over_python_1_thread": round(medians["js"] / medians["python_1_thread"], 2),
        "new_tokens": NEW_TOKENS, "rounds": raw["rounds"], "prompt": PROMPT,
        "ready": {"navigation_to_ready_s": round(statistics.median(r["ready_s"] for r in ready), 2),
                  "files_to_ready_s": round(statistics.median(r["after_files_s"] for r in ready), 2),
                  "files_to_ready_worst_s": round(max(r["after_files_s"] for r in ready), 2),
                  "longest_task_ms": round(statistics.median(r["longest_task_ms"] for r in ready)),
                  "longest_task_worst_ms": round(max(r["longest_task_ms"] for r in ready))},
        "inspect_64_tokens": {"js_s": round(statistics.median(inspect["js_s"]), 3),
                              "python_anatomy_s": round(statistics.median(inspect["python_s"]), 3),
                              "longest_task_worst_ms": round(max(inspect["longest_task_ms"]))},
        "own_checkpoint": raw["own"],
        "chromium": raw["chromium"], "torch_threads": torch.get_num_threads(),
        "machine": f"{here['cpu']}, {here['logical_cpus']} CPUs ({platform.machine()})",
    }


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help=f"write the record to {RECORD.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error(f"--rounds: at least 1, got {args.rounds}")
    with tempfile.TemporaryDirectory() as tmp:
        record = summarise(measure(args.site or build_site(Path(tmp) / "site"), args.rounds))
    print(json.dumps(record, indent=2))
    if args.write:
        RECORD.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
