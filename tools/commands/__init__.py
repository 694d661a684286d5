"""Maintainer commands, one module each: ``gpt2guide.cli`` finds them where ``tools`` is importable
(``python -m gpt2guide <command>`` from the clone's root, pytest, or the clone on ``PYTHONPATH``)."""
