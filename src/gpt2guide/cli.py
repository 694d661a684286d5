"""The ``gpt2guide`` command line: one module per sub-command.

The sub-commands are found, not listed: every module of ``gpt2guide.commands`` (what readers
get) and, where Python can import it, of ``tools.commands`` (maintainer tooling outside the
wheel: figures, notebooks, the pocket build, the benchmark) that has a ``register(subparsers)``
function is one. ``tools`` is importable when Python runs from the clone's root
(``python -m gpt2guide figures``, pytest) or with the clone on ``PYTHONPATH``; nothing edits
``sys.path``, and a wheel's ``gpt2guide`` offers the reader's commands alone. A new command is
one new file. A module with ``PARENT = "pocket"`` adds its sub-commands to that command's group
(what the parent's ``register`` returned).
``register`` adds the command's parser and sets its ``handler``, which returns a JSON-able result
(printed whole with ``--json``, else its ``"text"``). Handlers import what they need when they
run, so that ``gpt2guide tokens`` never imports torch.

Options the user leaves out are left out of the call, so the library's own defaults apply
(``default_of`` shows them in the help). Bad input, that is the library's ``WrongType`` and
``WrongValue`` (``gpt2guide.validation``), becomes one line on stderr that names the option
(``--checkpoint: unknown checkpoint ...``) and exit code 2. Any other exception is a bug and
keeps its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import pkgutil
import sys

from . import commands
from .constants import REPOSITORY
from .validation import ArgumentError


def command_packages() -> list:
    """``gpt2guide.commands``, and ``tools.commands`` where it can be imported (see above)."""
    packages = [commands]
    if importlib.util.find_spec("tools") is not None and importlib.util.find_spec("tools.commands") is not None:
        packages.append(importlib.import_module("tools.commands"))
    return packages


def maintainer_hint(argv: list[str]) -> str | None:
    """In a clone run where ``tools`` is not importable, how to run the maintainer command asked for."""
    folder = REPOSITORY / "tools" / "commands"
    if not argv or not folder.is_dir() or len(command_packages()) > 1:
        return None
    # each module's command (pocket_build joins pocket, a reader's command)
    names = {path.stem.split("_")[0] for path in folder.glob("*.py") if path.stem != "__init__"}
    if argv[0] in names - {info.name for info in pkgutil.iter_modules(commands.__path__)}:
        return (f"gpt2guide: error: {argv[0]} is a maintainer command of the clone at {REPOSITORY}: run it from there "
                f"as python -m gpt2guide {argv[0]} ...")
    return None


def command_modules() -> list:
    """Every module of the command packages that registers a sub-command, each package by name."""
    found = []
    for package in command_packages():
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            if callable(getattr(module, "register", None)):
                found.append(module)
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gpt2guide", description="GPT-2 by running it.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    groups = {}  # command -> the sub-command group its register returned
    modules = command_modules()
    for module in modules:
        if not hasattr(module, "PARENT"):
            groups[module.__name__.rsplit(".", 1)[1]] = module.register(subparsers)
    for module in modules:
        if hasattr(module, "PARENT"):
            module.register(groups[module.PARENT])
    return parser


def default_of(function, argument: str):
    """The default a library function gives ``argument``: the one place it is written."""
    import inspect

    return inspect.signature(function).parameters[argument].default


def given(args: argparse.Namespace, names) -> dict:
    """The options among ``names`` that the user gave (their parsers use ``default=argparse.SUPPRESS``)."""
    return {name: getattr(args, name) for name in names if hasattr(args, name)}


def option_name(args: argparse.Namespace, argument: str) -> str:
    """How the user spells a library argument: the command's own name for it, else ``--the-argument``."""
    spelled = getattr(args, "options", {}).get(argument)
    if spelled is not None:
        return spelled
    if argument.startswith("-") or argument not in vars(args):
        return argument  # already an option, or an argument the user cannot set
    return "--" + argument.replace("_", "-")


def main(argv: list[str] | None = None) -> int:
    hint = maintainer_hint(sys.argv[1:] if argv is None else argv)
    if hint:
        print(hint, file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.handler(args)
    except ArgumentError as error:
        print(f"gpt2guide {args.command}: error: {option_name(args, error.argument)}: {error.detail}", file=sys.stderr)
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
