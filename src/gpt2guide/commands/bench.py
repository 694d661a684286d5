"""``gpt2guide bench``: batch-1 decoding speed of the naive loop, the cached loop and generate."""

from __future__ import annotations

import json
from pathlib import Path


def _bench(args):
    from ..bench import BenchConfig, check_bench_record, format_bench, run_benchmark

    config = BenchConfig(model=args.model, n_layer=args.layers, new_tokens=tuple(args.new_tokens),
                         repeats=args.repeats, threads=args.threads)
    record = run_benchmark(config, progress=not args.no_progress)
    check_bench_record(record)
    if args.out:
        path = Path(args.out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1) + "\n")
    return {**record, "text": format_bench(record) + (f"\nwrote {args.out}" if args.out else "")}


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="decoding speed, batch 1: naive loop, cached loop, generate")
    parser.add_argument("--model", default="gpt2", choices=("gpt2", "distilgpt2", "gpt2-medium"),
                        help="architecture to build with random weights (default gpt2)")
    parser.add_argument("--layers", type=int, default=None, help="fewer layers for a quick trial run")
    parser.add_argument("--new-tokens", type=int, nargs="+", default=[64, 128], help="lengths to measure (default 64 128)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per method and length (default 5; median)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--out", default=None, help="also write the JSON record here, e.g. benchmarks/bench.json")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--json", action="store_true", help="print the JSON record")
    parser.set_defaults(handler=_bench)
