"""``python -m tools COMMAND``: the maintainer commands of a source checkout, run from its root.

``figures``, ``notebooks``, ``bench``, ``prose-lint`` and ``pocket train|export|tokenizer``: one module each in
``tools/commands`` with ``register(subparsers)``, found as ``gpt2guide.cli`` finds the reader's
commands (``add_commands``) and run the same way (``run``: a result printed as text or ``--json``,
bad input one line naming the option and exit 2). The arrow runs one way: the tooling imports the
library; the library (``gpt2guide``, the wheel) never imports the tooling.
References: Python's ``runpy`` (``-m`` runs a package's ``__main__``); argparse sub-commands.
"""

from __future__ import annotations

import argparse
import sys

PROG = "python -m tools"


def build_parser() -> argparse.ArgumentParser:
    from gpt2guide.cli import add_commands

    from . import commands

    parser = argparse.ArgumentParser(prog=PROG, description="Maintainer commands of the gpt2guide checkout.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    # the group the pocket build steps join (PARENT = "pocket"); the reader's `gpt2guide pocket info` is the library's
    pocket = subparsers.add_parser("pocket", help="build the bundled pocket model: train, export, tokenizer")
    add_commands(subparsers, commands, {"pocket": pocket.add_subparsers(dest="pocket_command", required=True)})
    return parser


def main(argv: list[str] | None = None) -> int:
    from gpt2guide.cli import run

    return run(build_parser(), argv)


if __name__ == "__main__":  # importing this module (the tests do) runs nothing
    sys.exit(main())
