"""Sub-commands of the ``gpt2guide`` CLI, one module each (see ``gpt2guide.cli``), and the two
helpers they share for options: ``given`` and ``default_of``. The maintainer commands in the
source checkout's ``tools/commands`` use them too; neither this package nor those import ``cli``."""

from __future__ import annotations


def default_of(function, argument: str):
    """The default a library function gives ``argument``: the one place it is written."""
    import inspect

    return inspect.signature(function).parameters[argument].default


def given(args, names) -> dict:
    """The options among ``names`` that the user gave (their parsers use ``default=argparse.SUPPRESS``)."""
    return {name: getattr(args, name) for name in names if hasattr(args, name)}
