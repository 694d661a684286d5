"""The progress bar of a run: step, training loss, held-out loss, tokens per second.

A tqdm bar on standard error, shown when ``quiet`` is False, hidden when it is True, and with
``quiet=None`` shown only when standard error is a terminal (a page, a pipe or a log file gets
nothing). Runs stopped by minutes have no known number of steps: their bar counts steps alone.
References: tqdm's ``set_postfix``.
"""

from __future__ import annotations

import sys


def check_quiet(quiet) -> bool:
    from ..validation import WrongType

    if quiet is not None and not isinstance(quiet, bool):
        raise WrongType("quiet", f"expected True, False or None (a bar on a terminal only), got {quiet!r}")
    if quiet is None:
        return not (hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
    return quiet


class Progress:
    """A bar that starts at ``initial`` steps of ``total`` (None: unknown)."""

    def __init__(self, *, quiet: bool, initial: int, total: int | None):
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, initial=initial, disable=quiet, desc="train", unit="step",
                        dynamic_ncols=True, file=sys.stderr)
        self.held_out = None

    def step(self, loss: float, tokens_per_second: float) -> None:
        postfix = {"loss": f"{loss:.3f}"}
        if self.held_out is not None:
            postfix["held-out"] = f"{self.held_out:.3f}"
        postfix["tok/s"] = f"{tokens_per_second:,.0f}"
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()
