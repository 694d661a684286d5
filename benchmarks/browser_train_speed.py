"""Training speed in the browser (docs/assets/playground/train.js in headless Chromium) next to
``gpt2guide.train`` (PyTorch), on the same configurations, the same tokens and the same machine.

Each configuration (layers x width, heads, context, batch; GPT-2's vocabulary) trains for
``--steps`` steps on the pocket's held-out Austen text, tokenized once in Python and handed to both
sides as ids. The browser side runs train.js's ``Trainer`` on the page's main thread of a blank page
served from docs/assets/playground/ (no site build; the playground runs the same code in a worker),
the first step untimed, as loop.py does; the Python side is ``gpt2guide.train(ids=...)`` with one
thread (a browser tab computes on one) and with torch's default threads, its card's tokens/s (the
first step and the evaluations left out). Rounds alternate the two sides, so a busy moment hits
both; each figure is the median of the rounds. Nothing here is a timed test.

    PYTHONPATH=src:. python benchmarks/browser_train_speed.py [--steps 8] [--rounds 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import statistics
import threading
from pathlib import Path

from tools.bench import machine  # the CPU's name, as the decoding bench records it

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "docs" / "assets" / "playground"
CHROMIUM = os.environ.get("GPT2GUIDE_CHROMIUM", "/usr/bin/chromium")
# (layers, width, heads, context, batch): the page's default first
CONFIGS = [(1, 16, 2, 16, 4), (1, 32, 2, 32, 4), (2, 64, 2, 64, 8)]
PAGE = b"<!doctype html><meta charset=utf-8><title>train speed</title>"
JS = """async (a) => {
    const train = await import("/train.js");
    const o = train.checkTrainOptions({ids: a.ids, config: a.config, steps: a.steps + 1, batchSize: a.batch,
                                       seed: 0, evalTokens: 64});
    const trainer = new train.Trainer(o);
    trainer.takeStep(0);  // warming up, untimed (loop.py leaves the first step out too)
    let tokens = 0;
    const started = performance.now();
    for (let i = 0; i < a.steps; i++) tokens += trainer.takeStep((i + 1) / a.steps).tokens;
    return tokens / ((performance.now() - started) / 1000);
}"""


@contextlib.contextmanager
def serve():
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path in ("/", "/index.html"):
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(PAGE)
            else:
                super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(ASSETS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def python_speed(ids, config, steps, threads) -> float:
    from gpt2guide.train import train

    layers, width, heads, context, batch = config
    run = train(ids=[ids], layers=layers, width=width, heads=heads, context=context, steps=steps + 1,
                batch_size=batch, quiet=True, eval_every=10_000, eval_tokens=64, sample_tokens=1, threads=threads)
    return run.card["tokens_per_second"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--configs", type=int, default=len(CONFIGS), help="how many of CONFIGS to run")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    import torch
    from playwright.sync_api import sync_playwright

    from gpt2guide.pocket.held_out import held_out_text
    from gpt2guide.train.data import gpt2_tokenizer, tokenize

    ids = tokenize(gpt2_tokenizer(), [held_out_text()[:60_000]]).tolist()
    default_threads = torch.get_num_threads()
    results = []
    with serve() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        page.goto(url)
        for config in CONFIGS[:args.configs]:
            layers, width, heads, context, batch = config
            js_config = {"n_layer": layers, "n_embd": width, "n_head": heads, "n_positions": context}
            found = {"browser": [], "torch_1_thread": [], f"torch_{default_threads}_threads": []}
            for _ in range(args.rounds):
                found["browser"].append(page.evaluate(JS, {"ids": ids, "config": js_config, "steps": args.steps,
                                                           "batch": batch}))
                found["torch_1_thread"].append(python_speed(ids, config, args.steps, 1))
                found[f"torch_{default_threads}_threads"].append(python_speed(ids, config, args.steps, None))
            medians = {key: round(statistics.median(values), 1) for key, values in found.items()}
            entry = {"layers": layers, "width": width, "heads": heads, "context": context, "batch": batch,
                     "tokens_per_second": medians,
                     "browser_vs_torch_1_thread": round(medians["browser"] / medians["torch_1_thread"], 3)}
            results.append(entry)
            print(json.dumps(entry), flush=True)
        browser.close()
    record = {"machine": f"{machine()['cpu']}, {os.cpu_count()} cores", "load_average": os.getloadavg(),
              "steps": args.steps, "rounds": args.rounds, "configs": results}
    print(json.dumps(record, indent=1))
    if args.json:
        args.json.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
