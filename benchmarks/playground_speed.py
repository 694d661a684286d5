"""Greedy decoding speed of the playground (JS in headless Chromium) next to Python's cached loop.

Both decode the pocket model, batch 1, the same prompt, 64 new tokens (the prompt's greedy
continuation has no end-of-sequence token in 64), measured side by side in one run: each round
times the browser's `pocket.generate({strategy: "greedy"})` (timed inside the page with
performance.now(), yields between tokens included), then `gpt2guide.decoding.greedy_cached` with
torch's default threads and with one thread (the page runs on one). A run's tokens/s is its new
tokens over the wall time of the whole call (prompt included); each figure is the median of the
rounds. The figures are for the report; nothing here is a timed test.

    PYTHONPATH=src python benchmarks/playground_speed.py [--site DIR] [--rounds 5]

Without --site it builds the site into a temporary folder first (mkdocs build --strict).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "It is a truth universally acknowledged"
NEW_TOKENS = 64
CHROMIUM = os.environ.get("GPT2GUIDE_CHROMIUM", "/usr/bin/chromium")


def cpu_name() -> str:
    """The CPU's model name (Linux), else what platform says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.platform()


def build_site(dest: Path) -> Path:
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(dest)],
                   cwd=ROOT, check=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    return dest


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


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


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    import torch
    from playwright.sync_api import sync_playwright

    import gpt2guide
    from gpt2guide.decoding import encode, greedy_cached

    model, tokenizer = gpt2guide.load("pocket")
    ids = encode(tokenizer, PROMPT)
    expected = greedy_cached(model, ids, NEW_TOKENS)[0, ids.shape[1]:].tolist()
    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or build_site(Path(tmp) / "site")
        server, base = serve(site)
        rates = {"js": [], "python": [], "python_1_thread": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox"])
            page = browser.new_page()
            page.goto(base + "/en/playground/")
            page.wait_for_function("window.pocket !== undefined")
            page.evaluate("() => pocket.ready.then(() => true)")
            page.evaluate(JS_RUN, [PROMPT, 8])  # warm-up: the JIT compiles the loops
            python_run(model, ids, None)
            for _ in range(args.rounds):
                run = page.evaluate(JS_RUN, [PROMPT, NEW_TOKENS])
                if run["ids"] != expected or len(run["ids"]) != NEW_TOKENS:
                    raise SystemExit("the browser's greedy tokens differ from greedy_cached's")
                rates["js"].append(NEW_TOKENS / run["seconds"])
                rates["python"].append(python_run(model, ids, None))
                rates["python_1_thread"].append(python_run(model, ids, 1))
            version = browser.version
            browser.close()
        server.shutdown()
    medians = {name: round(statistics.median(values), 1) for name, values in rates.items()}
    record = {
        "tokens_per_second": medians,
        "js_over_python": round(medians["js"] / medians["python"], 2),
        "js_over_python_1_thread": round(medians["js"] / medians["python_1_thread"], 2),
        "new_tokens": NEW_TOKENS, "rounds": args.rounds, "prompt": PROMPT,
        "chromium": version, "torch_threads": torch.get_num_threads(),
        "machine": f"{cpu_name()}, {os.cpu_count()} CPUs ({platform.machine()})",
    }
    print(json.dumps(record, indent=2))
    return record


if __name__ == "__main__":
    main()
