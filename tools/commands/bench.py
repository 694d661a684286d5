"""``python -m tools bench``: batch-1 decoding speed of the naive loop, the cached loop and generate.

Options left out stay out: the defaults are ``tools.bench.BenchConfig``'s, and the help reads them there.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

# option -> the BenchConfig field it sets
FIELDS = {"model": "model", "layers": "n_layer", "new_tokens": "new_tokens", "repeats": "repeats", "threads": "threads"}


def _bench(args):
    from gpt2guide.bench import RECORD, check_bench_record, format_bench
    from gpt2guide.commands import given
    from tools.bench import BenchConfig, run_benchmark

    settings = {FIELDS[option]: value for option, value in given(args, FIELDS).items()}
    if "new_tokens" in settings:
        settings["new_tokens"] = tuple(settings["new_tokens"])
    record = run_benchmark(BenchConfig(**settings), progress=not args.no_progress)
    check_bench_record(record)
    written = []
    for path in ([Path(args.out)] if args.out else []) + ([RECORD] if args.record else []):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record, indent=1) + "\n")
        written.append(f"\nwrote {path}")
    return {**record, "text": format_bench(record) + "".join(written)}


class _ConfigDefaults(argparse.HelpFormatter):
    """Help that shows BenchConfig's default of each option, read when help is shown."""

    def _get_help_string(self, action):
        if action.dest not in FIELDS:
            return action.help
        from tools.bench import BenchConfig

        default = getattr(BenchConfig(), FIELDS[action.dest])
        return f"{action.help} (default {default})"


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="decoding speed, batch 1: naive loop, cached loop, generate",
                                   formatter_class=_ConfigDefaults)
    hide = argparse.SUPPRESS  # left out: BenchConfig's default applies
    parser.add_argument("--model", default=hide, choices=("gpt2", "distilgpt2", "gpt2-medium"),
                        help="architecture to build with random weights")
    parser.add_argument("--layers", type=int, default=hide, help="fewer layers for a quick trial run")
    parser.add_argument("--new-tokens", type=int, nargs="+", default=hide, help="lengths to measure")
    parser.add_argument("--repeats", type=int, default=hide, help="timed runs per method and length (median)")
    parser.add_argument("--threads", type=int, default=hide, help="torch CPU threads (None: torch's choice)")
    parser.add_argument("--out", default=None, help="also write the JSON record to this file")
    parser.add_argument("--record", action="store_true",
                        help="write the record the pages read (src/gpt2guide/bench.json, shipped in the wheel)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--json", action="store_true", help="print the JSON record")
    parser.set_defaults(handler=_bench, options={"n_layer": "--layers"})
