"""Sub-commands of the ``gpt2guide`` CLI, one module each (see ``gpt2guide.cli``)."""
