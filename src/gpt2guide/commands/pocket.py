"""``gpt2guide pocket train|export|tokenizer|info``: build and describe the bundled pocket model."""

from __future__ import annotations

from pathlib import Path


def _train(args):
    from ..pocket.build import export, run_training
    from ..pocket.train import TrainConfig
    from ..validation import check_int

    check_int(args.steps, "steps", minimum=1)
    config = TrainConfig(steps=args.steps, seed=args.seed)
    meta = run_training(Path(args.run_dir), config, stop_after=args.stop_after,
                        data_dir=Path(args.corpus_dir) if args.corpus_dir else None)
    if args.export:
        export(Path(args.run_dir))
    return {"step": meta["step"], "history": meta["history"], "text": f"step {meta['step']} of {config.steps}"}


def _export(args):
    from ..pocket.build import export

    card = export(Path(args.run_dir))
    return {**card, "text": f"exported step {card['steps']}, held-out loss {card['held_out_loss']:.3f}"}


def _tokenizer(args):
    from ..constants import POCKET_DIR
    from ..pocket.build import build_tokenizer

    build_tokenizer(POCKET_DIR, Path(args.sdist) if args.sdist else None)
    return {"text": f"wrote vocab.json and merges.txt to {POCKET_DIR}"}


def _info(args):
    from ..constants import POCKET_DIR
    from ..pocket.held_out import card as data_card

    card = data_card()
    files = {p.name: p.stat().st_size for p in sorted(POCKET_DIR.iterdir())}
    card = {**card, "files": files, "total_bytes": sum(files.values())}
    lines = [f"pocket GPT-2: {card['config']['n_layer']} layers, width {card['config']['n_embd']}, "
             f"context {card['config']['n_positions']}",
             f"trained {card['steps']} steps ({card['training_seconds'] / 60:.0f} min) on {card['corpus']['source']}",
             f"held-out loss {card['held_out_loss']:.3f} (untrained: {card['untrained_held_out_loss']:.3f})",
             f"{card['total_bytes'] / 1e6:.1f} MB in {POCKET_DIR}"]
    return {**card, "text": "\n".join(lines)}


def register(subparsers) -> None:
    pocket = subparsers.add_parser("pocket", help="the bundled pocket GPT-2").add_subparsers(dest="pocket_command", required=True)
    train = pocket.add_parser("train", help="train (or resume) the pocket model, with a progress bar")
    train.add_argument("--run-dir", default="runs/pocket", help="folder of the resumable run")
    train.add_argument("--steps", type=int, default=1200, help="optimizer steps of the whole run")
    train.add_argument("--stop-after", type=int, default=None, help="end this sitting after N steps (resume later)")
    train.add_argument("--seed", type=int, default=1234)
    train.add_argument("--corpus-dir", default=None, help="unpacked janeaustenr data folder (default: apt-get download)")
    train.add_argument("--export", action="store_true", help="export the weights into the package when done")
    export = pocket.add_parser("export", help="write a run's latest weights and data card into the package")
    export.add_argument("--run-dir", default="runs/pocket")
    tokenizer = pocket.add_parser("tokenizer", help="rebuild vocab.json/merges.txt from GPT-2's ranks")
    tokenizer.add_argument("--sdist", default=None, help="openai-whisper source archive (default: pip download)")
    info = pocket.add_parser("info", help="the data card of the bundled pocket model")
    for parser, handler in ((train, _train), (export, _export), (tokenizer, _tokenizer), (info, _info)):
        parser.add_argument("--json", action="store_true", help="print JSON for scripts")
        parser.set_defaults(handler=handler, options={"data_dir": "--corpus-dir"})
