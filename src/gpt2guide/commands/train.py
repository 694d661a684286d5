"""``gpt2guide train FILE... --out DIR``: train a GPT-2 on your own text, into a checkpoint folder.

The command is ``gpt2guide.train.train``; only the options the user gives are passed on, so the
defaults are the library's. Ctrl-C writes the checkpoint, says where in one line and exits 130.
Under ``torchrun --nproc-per-node N -m gpt2guide train ...`` each process trains on its share of
every batch (DDP); only the first writes and prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path

# library argument -> how the command spells it, for one-line errors
OPTIONS = {"data": "FILE", "ids": "FILE", "held_out": "--held-out",
           **{name: "--" + name.replace("_", "-") for name in ("steps", "minutes", "size", "layers", "width", "heads",
                                                             "context", "seed", "device", "batch_size", "lr",
                                                             "threads", "eval_every")}}


def _train(args):
    import os
    import sys

    from ..train import Interrupted, train
    from . import given

    settings = given(args, ("steps", "minutes", "size", "layers", "width", "heads", "context", "seed", "device",
                            "batch_size", "lr", "threads", "eval_every"))
    held_out = None if args.held_out is None else Path(args.held_out)
    try:
        run = train([Path(f) for f in args.files], held_out=held_out, out=Path(args.out), resume=args.resume,
                    force=args.force, quiet=True if args.quiet else None, **settings)
    except Interrupted as stop:
        if int(os.environ.get("RANK", "0")) == 0:
            print(f"gpt2guide train: interrupted at step {stop.step}; checkpoint written to {stop.out} "
                  "(go on with --resume)", file=sys.stderr)
        raise SystemExit(130) from None
    if int(os.environ.get("RANK", "0")) != 0:
        return None  # the other processes of a torchrun print nothing
    card = run.card
    bpc = card["held_out_bits_per_character"]
    text = (f"trained {card['steps']} steps in {card['wall_seconds']:.0f} s ({card['tokens_per_second'] or 0:,.0f} "
            f"tokens/s); held-out loss {card['held_out_loss']:.3f}"
            + (f", {bpc:.3f} bits per character" if bpc is not None else "") + f"; checkpoint in {args.out}")
    return {**card, "out": args.out, "text": text}


def register(subparsers) -> None:
    from ..train.config import SIZES

    hide = argparse.SUPPRESS  # an option left out stays out of the call: the library's default applies
    parser = subparsers.add_parser("train", help="train a GPT-2 on your own text files (UTF-8)")
    parser.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 text files to train on")
    parser.add_argument("--out", required=True, help="the checkpoint folder to write (must be empty or new)")
    stop = parser.add_argument_group("when to stop (one or both)")
    stop.add_argument("--steps", type=int, default=hide, help="optimizer steps")
    stop.add_argument("--minutes", type=float, default=hide, help="minutes of wall-clock time")
    shape = parser.add_argument_group("the model")
    shape.add_argument("--size", default=hide, help=f"a named shape: {', '.join(SIZES)} (default tiny)")
    shape.add_argument("--layers", type=int, default=hide, help="transformer blocks (overrides --size)")
    shape.add_argument("--width", type=int, default=hide, help="width of the residual stream")
    shape.add_argument("--heads", type=int, default=hide, help="attention heads (must divide --width)")
    shape.add_argument("--context", type=int, default=hide, help="context length in tokens")
    parser.add_argument("--held-out", default=None, metavar="FILE",
                        help="a file held out for evaluation (default: the last 10%% of the text)")
    parser.add_argument("--batch-size", type=int, default=hide, help="windows per step")
    parser.add_argument("--lr", type=float, default=hide, help="peak learning rate")
    parser.add_argument("--eval-every", type=int, default=hide, help="steps between held-out evaluations and saves")
    parser.add_argument("--seed", type=int, default=hide, help="random seed (default 0)")
    parser.add_argument("--device", default=hide, help="cpu (default), cuda or mps")
    parser.add_argument("--threads", type=int, default=hide, help="torch threads during the run")
    parser.add_argument("--resume", action="store_true", help="go on with the run in --out")
    parser.add_argument("--force", action="store_true", help="replace the run in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print the training card as JSON")
    parser.set_defaults(handler=_train, options=OPTIONS)
