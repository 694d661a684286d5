"""Start ``world_size`` CPU processes joined in a gloo process group, and collect their results.

Doctest namespaces and ``__main__`` cannot be pickled into a new process, so the functions a
process runs live in this package; ``spawn`` sends them by reference. The processes are forks
of a fork server (``torch.multiprocessing.start_processes(start_method="forkserver")``, plain
``spawn`` where there is none) that imports torch and transformers once and then stays up for
the life of the calling process, so only the first start pays for the imports. Each run:

- rendezvous at ``tcp://127.0.0.1:<free port>`` and binds gloo to the loopback interface only;
- runs torch on one thread per process (two processes on two cores, results that repeat);
- is bounded in time: past ``timeout`` seconds the processes are killed and a ``TimeoutError``
  says so in one line (the same bound applies to every collective inside);
- always destroys its process group; each rank's return value comes back through a file in a
  temporary folder (``torch.save``), in rank order.

References: ``torch.multiprocessing.start_processes``; ``torch.distributed.init_process_group``;
Python's ``multiprocessing`` start methods.
"""

from __future__ import annotations

import os
import pickle
import socket
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from ..validation import WrongType, WrongValue, is_int, is_real

LOOPBACK = "127.0.0.1"
# What the fork server imports once, before it forks the processes.
PRELOAD = ["torch", "torch.distributed", "transformers.models.gpt2.modeling_gpt2",
           "gpt2guide.distributed.demos"]


def can_spawn() -> bool:
    """True where this platform can start processes and run the gloo backend."""
    if sys.platform in ("emscripten", "wasi"):  # no processes at all (e.g. Pyodide)
        return False
    import torch.distributed as dist

    return dist.is_available() and dist.is_gloo_available()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def spawn(worker, *args, world_size: int = 2, timeout: float = 120.0) -> list:
    """``[worker(*args) on rank 0, on rank 1, ...]``, each run in its own process.

    ``worker`` must be a module-level function of an importable module; inside it,
    ``torch.distributed`` is initialised (``dist.get_rank()``, ``dist.all_reduce``, ...).
    ``args`` are pickled to every process; the results come back with ``torch.save`` and
    ``torch.load(weights_only=True)``, so they are tensors, numbers, strings, None, and lists,
    tuples and dicts of those. A failing process raises ``ProcessRaisedException`` here, with
    its traceback.
    """
    _check(worker, world_size, timeout)
    import torch.multiprocessing as mp

    with tempfile.TemporaryDirectory(prefix="gpt2guide-dist-") as folder:
        setup = (worker, args, world_size, free_port(), folder, timeout)
        deadline = time.monotonic() + timeout
        context = mp.start_processes(
            _run_rank, args=setup, nprocs=world_size, join=False, start_method=_start_method()
        )
        # join() returns True once all processes ended; it raises if one of them failed.
        while not context.join(timeout=max(deadline - time.monotonic(), 0.0)):
            if time.monotonic() >= deadline:
                _kill(context.processes)
                raise TimeoutError(
                    f"spawn: {world_size} processes did not finish within {timeout:g} s "
                    f"(killed); pass a larger timeout= or check that {LOOPBACK} is reachable"
                )
        return [_read(Path(folder), rank) for rank in range(world_size)]


def _start_method() -> str:
    """"forkserver" where there is one (a warm server makes later starts cheap), else "spawn".

    The fork server is one clean process that imports torch and transformers once; every
    process started after it is a fork of it and skips those imports (seconds each).
    """
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return "spawn"  # Windows
    multiprocessing.set_forkserver_preload(PRELOAD)
    return "forkserver"


def _check(worker, world_size, timeout) -> None:
    if not callable(worker):
        raise WrongType("worker", f"expected a function, got {type(worker).__name__}")
    try:
        pickle.dumps(worker)
    except (pickle.PicklingError, AttributeError, TypeError):
        raise WrongType("worker", f"{worker!r} cannot be sent to a new process; define it at the top "
                        "level of an importable module (not in a doctest, a notebook or __main__)") from None
    if not is_int(world_size):
        raise WrongType("world_size", f"expected an int, got {type(world_size).__name__}")
    if world_size < 1:
        raise WrongValue("world_size", f"expected at least 1 process, got {world_size}")
    if not is_real(timeout):
        raise WrongType("timeout", f"expected seconds (a number), got {type(timeout).__name__}")
    if not timeout > 0:
        raise WrongValue("timeout", f"expected a positive number of seconds, got {timeout}")


def _run_rank(rank, worker, args, world_size, port, folder, timeout) -> None:
    """The body of one process: join the group, run ``worker``, save its result, leave."""
    import torch
    import torch.distributed as dist

    # Bind gloo to the loopback interface only (Linux "lo", macOS "lo0").
    os.environ["GLOO_SOCKET_IFNAME"] = "lo0" if sys.platform == "darwin" else "lo"
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = LOOPBACK, str(port)
    torch.set_num_threads(1)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://{LOOPBACK}:{port}",
        rank=rank,
        world_size=world_size,
        timeout=timedelta(seconds=timeout),  # bounds every collective too
    )
    try:
        result = worker(*args)
        torch.save(result, Path(folder) / f"rank{rank}.pt")
    finally:
        dist.destroy_process_group()


def _read(folder: Path, rank: int):
    import torch

    return torch.load(folder / f"rank{rank}.pt", weights_only=True)


def _kill(processes) -> None:
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(5)
