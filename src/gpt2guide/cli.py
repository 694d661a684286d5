"""The ``gpt2guide`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _pocket_train(args) -> dict:
    from .pocket.build import run_training
    from .pocket.train import TrainConfig

    config = TrainConfig(steps=args.steps, seed=args.seed)
    meta = run_training(Path(args.run_dir), config, stop_after=args.stop_after,
                        data_dir=Path(args.corpus_dir) if args.corpus_dir else None)
    if args.export:
        from .pocket.build import export

        export(Path(args.run_dir))
    return {"step": meta["step"], "history": meta["history"]}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gpt2guide", description="GPT-2 by running it.")
    commands = parser.add_subparsers(dest="command", required=True)
    pocket = commands.add_parser("pocket", help="the bundled pocket GPT-2").add_subparsers(dest="pocket_command", required=True)
    train = pocket.add_parser("train", help="train (or resume) the pocket model")
    train.add_argument("--run-dir", default="runs/pocket", help="folder of the resumable run")
    train.add_argument("--steps", type=int, default=3000, help="optimizer steps of the whole run")
    train.add_argument("--stop-after", type=int, default=None, help="end this sitting after N steps")
    train.add_argument("--seed", type=int, default=1234)
    train.add_argument("--corpus-dir", default=None, help="unpacked janeaustenr data folder (default: apt-get download)")
    train.add_argument("--export", action="store_true", help="export the weights into the package when done")
    train.add_argument("--json", action="store_true")
    train.set_defaults(handler=_pocket_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = args.handler(args)
    if getattr(args, "json", False):
        print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
