"""Start ``world_size`` CPU processes joined in a gloo process group, and collect their results.

Doctest namespaces and ``__main__`` cannot be pickled into a new process, so the functions a
process runs live in this package; ``spawn`` sends them by reference. Each process is a fresh
interpreter started by module path (``python -m gpt2guide.distributed.worker``, see
``worker.py``), not a ``multiprocessing`` child: it never re-imports the caller's ``__main__``,
so a call at the top level of a reader's script works without ``if __name__ == "__main__":``.
Each process imports torch and transformers (seconds), so a page starts its processes once.
Each run:

- rendezvous at ``tcp://127.0.0.1:<free port>`` and binds gloo to the loopback interface only;
- runs torch on one thread per process (two processes on two cores, results that repeat);
- is bounded in time: past ``timeout`` seconds the processes are killed and a ``TimeoutError``
  says so in one line (the same bound applies to every collective inside);
- always destroys its process group; each rank's return value comes back through a file in a
  temporary folder (``torch.save``), in rank order; a failing rank's traceback comes back as a
  ``WorkerFailed`` error.

References: Python's ``-m`` switch and ``subprocess``; ``torch.distributed.init_process_group``;
multiprocessing's "safe importing of main module" (the rule this launcher avoids).
"""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..validation import WrongType, WrongValue, is_int, is_real

LOOPBACK = "127.0.0.1"
WORKER = "gpt2guide.distributed.worker"  # the module each process runs


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


class WorkerFailed(RuntimeError):
    """A process started by ``spawn`` raised; the message holds its traceback."""


def spawn(worker, *args, world_size: int = 2, timeout: float = 120.0) -> list:
    """``[worker(*args) on rank 0, on rank 1, ...]``, each run in its own process.

    ``worker`` must be a module-level function of an importable module; inside it,
    ``torch.distributed`` is initialised (``dist.get_rank()``, ``dist.all_reduce``, ...).
    ``args`` are pickled to every process; the results come back with ``torch.save`` and
    ``torch.load(weights_only=True)``, so they are tensors, numbers, strings, None, and lists,
    tuples and dicts of those. A failing process raises ``WorkerFailed`` here, with its
    traceback.
    """
    _check(worker, world_size, timeout)
    with tempfile.TemporaryDirectory(prefix="gpt2guide-dist-") as name:
        folder = Path(name)
        setup = {"worker": worker, "args": args, "world_size": world_size, "port": free_port(),
                 "timeout": timeout}
        (folder / "setup.pkl").write_bytes(pickle.dumps(setup))
        deadline = time.monotonic() + timeout
        processes = [_start(folder, rank) for rank in range(world_size)]
        try:
            _wait(processes, folder, deadline, world_size, timeout)
        finally:
            _kill(processes)
        return [_read(folder, rank) for rank in range(world_size)]


def _start(folder: Path, rank: int) -> subprocess.Popen:
    """One process running ``worker.py`` as ``rank``, with this process's import path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.Popen([sys.executable, "-m", WORKER, str(folder), str(rank)], env=env,
                            stdin=subprocess.DEVNULL)


def _wait(processes, folder: Path, deadline: float, world_size: int, timeout: float) -> None:
    """Until every process has ended; the first failure or the deadline raises."""
    while True:
        codes = [process.poll() for process in processes]
        for rank, code in enumerate(codes):
            if code not in (None, 0):
                error = folder / f"rank{rank}.err"
                detail = error.read_text(encoding="utf-8") if error.is_file() else f"exit status {code}"
                raise WorkerFailed(f"spawn: process {rank} of {world_size} failed:\n{detail}")
        if all(code == 0 for code in codes):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(
                f"spawn: {world_size} processes did not finish within {timeout:g} s "
                f"(killed); pass a larger timeout= or check that {LOOPBACK} is reachable"
            )
        time.sleep(0.05)


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


def _read(folder: Path, rank: int):
    import torch

    return torch.load(folder / f"rank{rank}.pt", weights_only=True)


def _kill(processes) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
    for process in processes:
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            pass
