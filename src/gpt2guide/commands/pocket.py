"""``gpt2guide pocket info``: the data card of the bundled pocket model.

The build steps ``train``, ``export`` and ``tokenizer`` are maintainer tooling
(``python -m tools pocket ...`` in a source checkout, ``tools/commands/pocket_build.py``).
``register`` returns the sub-command group, as every parent command does.
"""

from __future__ import annotations


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


def register(subparsers):
    """Add ``pocket`` and its ``info``; return the group (the group a ``PARENT = "pocket"`` module joins)."""
    pocket = subparsers.add_parser("pocket", help="the bundled pocket GPT-2").add_subparsers(dest="pocket_command",
                                                                                           required=True)
    info = pocket.add_parser("info", help="the data card of the bundled pocket model")
    info.add_argument("--json", action="store_true", help="print JSON for scripts")
    info.set_defaults(handler=_info)
    return pocket
