"""The body of one process that ``launch.spawn`` starts: ``python -m gpt2guide.distributed.worker``.

Each process is a fresh Python interpreter started by this module's path, never a fork or a
``multiprocessing`` child of the caller, so it never imports the caller's ``__main__``: a
reader's script that calls ``spawn`` at its top level (no ``if __name__ == "__main__":``)
works as it is. The process reads what to run from ``setup.pkl`` in the folder it is given,
joins the gloo group, runs the function, and leaves ``rank<r>.pt`` (the result) or
``rank<r>.err`` (the traceback) there.
References: Python's ``-m`` switch and ``multiprocessing``'s "safe importing of main module";
``torch.distributed.init_process_group``.
"""

from __future__ import annotations

import os
import pickle
import sys
import traceback
from datetime import timedelta
from pathlib import Path

from .launch import LOOPBACK  # the address the parent found a free port on


def run_rank(folder: Path, rank: int) -> int:
    """Join the group as ``rank``, run the worker, save its result; 0 on success, 1 on failure."""
    try:
        setup = pickle.loads((folder / "setup.pkl").read_bytes())
        result = _run(rank, **setup)
        import torch

        torch.save(result, folder / f"rank{rank}.pt")
        return 0
    except BaseException:  # the parent reads the traceback and raises it in one exception
        (folder / f"rank{rank}.err").write_text(traceback.format_exc(), encoding="utf-8")
        return 1


def _run(rank, worker, args, world_size, port, timeout):
    import torch
    import torch.distributed as dist

    # Bind gloo to the loopback interface only (Linux "lo", macOS "lo0").
    os.environ["GLOO_SOCKET_IFNAME"] = "lo0" if sys.platform == "darwin" else "lo"
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = LOOPBACK, str(port)
    torch.set_num_threads(1)  # two processes on two cores, results that repeat
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://{LOOPBACK}:{port}",
        rank=rank,
        world_size=world_size,
        timeout=timedelta(seconds=timeout),  # bounds every collective too
    )
    try:
        return worker(*args)
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    sys.exit(run_rank(Path(sys.argv[1]), int(sys.argv[2])))
