"""How the test run shares the machine between its pytest-xdist workers.

pyproject.toml's `addopts` spread the run over the cores (`-n auto --dist loadfile`): one worker
per core, a file (so a page with its one namespace) whole on one worker. Four things follow:

- `worker_threads`: each worker gives torch its share of the cores, so that two workers do not
  run torch's thread pools on the same cores (oversubscribed pools wait on each other).
- `once_per_run`: what a session fixture builds for the whole run (the site, the wheel) is built
  by the first worker that needs it, in the run's shared temporary folder under a file lock, and
  read back by the others: pytest-xdist's own recipe ("Making session-scoped fixtures execute
  only once", https://pytest-xdist.readthedocs.io/en/stable/how-to.html).
- `machine_lock`: every test holds a shared lock on one file of the run while it runs; a test
  that times the machine (marked `alone`: the longest main-thread task of a browser tab) holds it
  exclusively, so that it runs while the other workers wait between two tests. POSIX `flock`;
  where it is missing (Windows), the tests share the machine as they are.
- `too_short_for_workers`: the runs that start no workers, because a worker's start (it imports
  and collects everything again) would cost more than it saves.

Without workers (`pytest -n 0`, or a run of one worker) each of them does nothing special.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from filelock import FileLock

NO_WORKER = "master"  # pytest-xdist's `worker_id` in a run without workers


def worker_count(config) -> int | None:
    """How many workers the run has, on a pytest-xdist worker; None in the controller or alone."""
    return getattr(config, "workerinput", {}).get("workercount")


def too_short_for_workers(markexpr: str, args: list[str]) -> bool:
    """True for the quick loop (`-m "not slow"`) and for a run of tests of one file (`pytest
    tests/test_x.py`, `pytest docs/x.md::line:5`): a file runs whole on one worker anyway."""
    files = {arg.partition("::")[0] for arg in args}
    return "not slow" in markexpr or (len(files) == 1 and Path(next(iter(files))).is_file())


def worker_threads(torch_threads: int, workers: int) -> int:
    """The torch threads of one of `workers` workers, where torch alone would take `torch_threads`."""
    return max(1, torch_threads // workers)


def once_per_run(run_folder: Path | None, name: str, make: Callable[[Path], Any], own_folder: Callable[[], Path]) -> Any:
    """`make(folder)`'s JSON-able result, made once per run. `run_folder` is the folder every worker
    shares (None without workers: then made here, in `own_folder()`); the first worker to get
    here makes it in `run_folder/name`, the others wait for the lock and read the result back."""
    if run_folder is None:
        return make(own_folder())
    record = run_folder / f"{name}.json"
    with FileLock(run_folder / f"{name}.lock"):
        if not record.exists():
            folder = run_folder / name
            folder.mkdir()
            record.write_text(json.dumps(make(folder)), encoding="utf-8")
    return json.loads(record.read_text(encoding="utf-8"))


def lock_path(config) -> Path | None:
    """The run's lock file on a pytest-xdist worker of a POSIX system, else None: in the run's
    temporary folder, the parent of the worker's own (pytest-xdist gives each worker
    `--basetemp RUN/gwN`), which pytest removes with the run's other folders."""
    basetemp = getattr(config, "workerinput", None) and config.option.basetemp
    try:
        import fcntl  # noqa: F401
    except ImportError:
        return None
    return Path(basetemp).parent / "machine.lock" if basetemp else None


@contextlib.contextmanager
def machine_lock(path: Path | None, exclusive: bool) -> Iterator[None]:
    """Hold the run's lock at `path` (shared, or `exclusive`) for the duration; no lock at None."""
    if path is None:
        yield
        return
    import fcntl

    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
