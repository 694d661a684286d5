"""The process-wide state a page (or a test module) may change, saved and put back.

Sybil runs every page in one pytest process, so a page that calls ``torch.set_num_threads(1)``
at top level runs every later page on one thread: another summation order, and a tolerance that
held alone failed after it (the LoRA page after the interpretability page). The root conftest
saves this state before each page and restores it after; tests/conftest.py does the same around
each test module. tests/test_isolation.py proves that a page changing each item leaves the next
page untouched.

What is saved (and why it leaks): torch's intra-op thread count, grad mode, default dtype,
deterministic-algorithm flags and CPU random state; Python's and NumPy's global random state;
the level and the ``propagate`` and ``disabled`` flags of every logger that exists (transformers
keeps its verbosity in the ``transformers`` logger, TransformerLens raises it on import), the root
logger's included. Loggers first created by the page are left as they are (their library made
them), and so are handlers: a library adds its own once (transformers' default handler), and
pytest adds and removes its capture handlers around every test.

Reference: the same idea as pytest's own ``monkeypatch`` and ``caplog`` undo, and as
``torch.random.fork_rng`` for the random state.
"""

from __future__ import annotations

import logging
import random
import sys
from dataclasses import dataclass, field


@dataclass
class GlobalState:
    """A snapshot of the state listed in the module docstring; ``restore()`` puts it back."""

    threads: int
    grad: bool
    dtype: object  # a torch.dtype
    deterministic: bool
    deterministic_warn_only: bool
    torch_rng: object  # a ByteTensor
    python_rng: tuple
    numpy_rng: tuple | None  # None while NumPy was never imported
    loggers: dict = field(default_factory=dict)  # name -> (level, propagate, disabled)

    @classmethod
    def save(cls) -> GlobalState:
        import torch

        numpy = sys.modules.get("numpy")
        loggers = {name: logger for name, logger in logging.root.manager.loggerDict.items()
                   if isinstance(logger, logging.Logger)}  # PlaceHolders have no level
        loggers[""] = logging.getLogger()
        return cls(
            threads=torch.get_num_threads(),
            grad=torch.is_grad_enabled(),
            dtype=torch.get_default_dtype(),
            deterministic=torch.are_deterministic_algorithms_enabled(),
            deterministic_warn_only=torch.is_deterministic_algorithms_warn_only_enabled(),
            torch_rng=torch.random.get_rng_state(),
            python_rng=random.getstate(),
            numpy_rng=numpy.random.get_state() if numpy is not None else None,
            loggers={name: (lg.level, lg.propagate, lg.disabled) for name, lg in loggers.items()},
        )

    def restore(self) -> None:
        import torch

        if torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)
        torch.set_grad_enabled(self.grad)
        torch.set_default_dtype(self.dtype)
        torch.use_deterministic_algorithms(self.deterministic, warn_only=self.deterministic_warn_only)
        torch.random.set_rng_state(self.torch_rng)
        random.setstate(self.python_rng)
        numpy = sys.modules.get("numpy")
        if numpy is not None and self.numpy_rng is not None:
            numpy.random.set_state(self.numpy_rng)
        for name, (level, propagate, disabled) in self.loggers.items():
            logger = logging.getLogger(name or None)
            logger.setLevel(level)
            logger.propagate, logger.disabled = propagate, disabled

    def changes(self) -> list[str]:
        """What differs now from this snapshot (the names of the fields), for tests and reports."""
        now = GlobalState.save()
        import torch

        differ = [name for name in ("threads", "grad", "dtype", "deterministic", "deterministic_warn_only")
                  if getattr(now, name) != getattr(self, name)]
        if not torch.equal(now.torch_rng, self.torch_rng):
            differ.append("torch_rng")
        if now.python_rng != self.python_rng:
            differ.append("python_rng")
        if self.numpy_rng is not None and now.numpy_rng is not None and not _same_numpy(now.numpy_rng, self.numpy_rng):
            differ.append("numpy_rng")
        differ += [f"logger {name or 'root'}" for name, saved in self.loggers.items()
                   if now.loggers.get(name, saved) != saved]
        return differ


def _same_numpy(a: tuple, b: tuple) -> bool:
    """NumPy's legacy state tuple holds an array; compare it item by item."""
    import numpy

    return all(numpy.array_equal(x, y) if isinstance(x, numpy.ndarray) else x == y for x, y in zip(a, b))
