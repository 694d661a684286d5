"""Maintainer commands, found by ``gpt2guide.cli`` in a source checkout: one module each."""
