"""The ``gpt2guide`` command line: one module per sub-command, found in ``gpt2guide.commands``.

The sub-commands are found, not listed: every module of a command package that has a
``register(subparsers)`` function is one, so a new command is one new file. A module with
``PARENT = "pocket"`` adds its sub-commands to that command's group (what the parent's
``register`` returned). ``register`` adds the command's parser and sets its ``handler``, which
returns a JSON-able result (printed whole with ``--json``, else its ``"text"``). Handlers import
what they need when they run, so that ``gpt2guide tokens`` never imports torch.

The library looks in its own package only: the maintainer commands of a source checkout
(figures, notebooks, the pocket build, the benchmark) have their own entry point,
``python -m tools``, which builds its parser with ``add_commands`` and runs it with ``run``
(tooling depends on the library, never the reverse).

Options the user leaves out are left out of the call, so the library's own defaults apply
(``gpt2guide.commands.default_of`` shows them in the help). Bad input, that is the library's
``WrongType`` and ``WrongValue`` (``gpt2guide.validation``), becomes one line on stderr that
names the option (``--checkpoint: unknown checkpoint ...``) and exit code 2. Any other exception
is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

from . import commands
from .validation import ArgumentError


def command_modules(package=commands) -> list:
    """Every module of ``package`` that registers a sub-command, by name."""
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if callable(getattr(module, "register", None)):
            found.append(module)
    return found


def add_commands(subparsers, package, groups: dict | None = None) -> dict:
    """Register every command module of ``package``; returns ``{command: the group its register returned}``.

    ``groups`` holds groups made elsewhere that ``PARENT`` modules may join (the maintainer CLI's ``pocket``).
    """
    groups = dict(groups or {})
    modules = command_modules(package)
    for module in modules:
        if not hasattr(module, "PARENT"):
            groups[module.__name__.rsplit(".", 1)[1]] = module.register(subparsers)
    for module in modules:
        if hasattr(module, "PARENT"):
            module.register(groups[module.PARENT])
    return groups


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gpt2guide", description="GPT-2 by running it.")
    add_commands(parser.add_subparsers(dest="command", required=True), commands)
    return parser


def option_name(args: argparse.Namespace, argument: str) -> str:
    """How the user spells a library argument: the command's own name for it, else ``--the-argument``."""
    spelled = getattr(args, "options", {}).get(argument)
    if spelled is not None:
        return spelled
    if argument.startswith("-") or argument not in vars(args):
        return argument  # already an option, or an argument the user cannot set
    return "--" + argument.replace("_", "-")


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse ``argv``, run the command's handler and print its result; bad input is one line and exit 2."""
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except ArgumentError as error:
        print(f"{parser.prog} {args.command}: error: {option_name(args, error.argument)}: {error.detail}",
              file=sys.stderr)
        return 2
    if result is not None:
        print(_render(result, as_json=getattr(args, "json", False)))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


def _render(result, *, as_json: bool) -> str:
    """A handler's result: the whole of it as JSON, or its readable "text"."""
    if as_json:
        return json.dumps(result, ensure_ascii=False, indent=1)
    return str(result.get("text", result)) if isinstance(result, dict) else str(result)


if __name__ == "__main__":
    sys.exit(main())
