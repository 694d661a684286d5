"""The ``gpt2guide`` command line: one module per sub-command under ``gpt2guide.commands``.

Each module has ``register(subparsers)``, which adds its parser and sets ``handler``; a handler
returns a JSON-able result (printed with ``--json``) or prints its own readable output.
Bad input (``ValueError``/``TypeError`` from the library) becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

COMMANDS = ("tokens", "params", "generate", "bench", "pocket", "figures", "notebooks")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gpt2guide", description="GPT-2 by running it.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"gpt2guide.commands.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"gpt2guide.commands.{name}":
                raise
            continue  # a command not written yet
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except (ValueError, TypeError) as error:
        print(f"gpt2guide {args.command}: error: {error}", file=sys.stderr)
        return 2
    if result is not None:
        print(_render(result, as_json=getattr(args, "json", False)))
    return 0


def _render(result, *, as_json: bool) -> str:
    """A handler's result: the whole of it as JSON, or its readable "text"."""
    if as_json:
        return json.dumps(result, ensure_ascii=False, indent=1)
    return str(result.get("text", result)) if isinstance(result, dict) else str(result)


if __name__ == "__main__":
    sys.exit(main())
