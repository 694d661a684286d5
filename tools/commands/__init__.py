"""Maintainer commands, one module each: ``python -m tools <command>`` from the clone's root
(``tools/__main__.py`` finds them with ``gpt2guide.cli.add_commands``)."""
