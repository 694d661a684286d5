"""gpt2guide: the small library behind the guide "GPT-2 by running it".

The public names are imported on first use (PEP 562 ``__getattr__``), so ``import gpt2guide``
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
