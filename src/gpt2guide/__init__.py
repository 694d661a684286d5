"""gpt2guide: the small library behind the guide "GPT-2 by running it".

This package is what a reader installs and what the pages and notebooks call. The tooling that
builds the site (figures, notebooks, the pocket model's build, the benchmark run, the mkdocs
hooks) lives outside it, in the repository's ``tools/`` and ``site_hooks/`` (see
``tools/__init__.py``); nothing here imports matplotlib, rdata, tiktoken, nbformat, jupytext or
mkdocs.

Chapter -> the modules its code calls:

1 llm ........... ``checkpoints`` (``load``, ``skeleton``), ``parameters``
2 tokens ........ ``tokens`` (tables, bytes; ``gpt2_tokenizer`` on the tokenizers library alone)
3 body-head ..... ``checkpoints``, ``parameters``, ``decoding.distribution``
4 anatomy ....... ``anatomy`` (the forward pass by hand)
5 generation .... ``decoding`` (greedy, beam search, filters, sampling, scoring), ``bench`` (the record)
6 training ...... ``bpe``, ``loss``, ``pocket.train`` (config, schedule), ``pocket.held_out``,
                  ``backward`` (the backward pass, AdamW and a training run by hand)
7 summary, 8 next-steps, 9 real-gpt2: the modules above, ``bench``
beyond pages .... ``distributed`` (parallelism), ``lora`` (LoRA and RLHF)
every chapter ... ``constants`` (facts written once), ``validation`` (the error contract, shared checks),
                  ``threads``; ``cli`` and ``commands`` are the ``gpt2guide`` command

Where new code goes: a new chapter's code is a new module here (one idea, checks from
``validation``, a test in tests/ that proves it against transformers), imported by the pages by
its module name; a new command readers use is one file in ``commands/`` (found by pkgutil); a
new figure or a maintainer command is one file in ``tools/figures/`` or ``tools/commands/`` (run
from the clone's root as ``python -m tools <command>``).

The public names below are imported on first use (PEP 562 ``__getattr__``), so ``import gpt2guide``
stays cheap: torch and transformers load only when a function needs them.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> the module that defines it
_EXPORTS = {
    "load": "checkpoints",
    "skeleton": "checkpoints",
    "count_parameters": "parameters",
    "state_dict_numel": "parameters",
    "parameter_table": "parameters",
    "tied_parameters": "parameters",
    "token_table": "tokens",
    "format_token_table": "tokens",
    "tokens_per_character": "tokens",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'gpt2guide' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
