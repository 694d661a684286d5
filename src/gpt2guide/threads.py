"""Running torch on one CPU thread for a while.

Small models gain nothing from a second thread and lose much when another job holds the cores;
one thread also fixes the order of floating-point sums, so results repeat bit for bit.
"""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block; restore the caller's setting afterwards."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
