"""tools/workers.py: how the run's pytest-xdist workers share the machine."""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tools import workers


def _worker_config(tmp_path: Path, count: int = 2) -> SimpleNamespace:
    """A worker's config as pytest-xdist makes it: workerinput, and --basetemp RUN/gwN."""
    return SimpleNamespace(workerinput={"workercount": count, "testrunuid": "abc"},
                           option=SimpleNamespace(basetemp=str(tmp_path / "gw0")))


def test_each_worker_takes_its_share_of_torch_threads() -> None:
    assert workers.worker_threads(16, 2) == 8
    assert workers.worker_threads(2, 2) == 1
    assert workers.worker_threads(2, 4) == 1  # never none
    assert workers.worker_count(SimpleNamespace()) is None  # the controller, or a run without workers
    assert workers.worker_count(SimpleNamespace(workerinput={"workercount": 3})) == 3


def test_workers_start_only_where_they_pay_back(tmp_path: Path) -> None:
    one_file = tmp_path / "test_x.py"
    one_file.write_text("")
    assert workers.too_short_for_workers("not slow", [])  # the quick loop
    assert workers.too_short_for_workers("", [str(one_file)])
    assert workers.too_short_for_workers("", [f"{one_file}::test_a", f"{one_file}::test_b"])
    assert not workers.too_short_for_workers("", [])  # the whole run
    assert not workers.too_short_for_workers("", [str(tmp_path)])  # a folder
    assert not workers.too_short_for_workers("", [str(one_file), str(tmp_path / "test_y.py")])


def test_once_per_run_makes_it_once_and_every_worker_reads_it(tmp_path: Path) -> None:
    made = []

    def make(folder: Path) -> dict:
        made.append(folder)
        (folder / "built").write_text("x")
        return {"path": str(folder)}

    first = workers.once_per_run(tmp_path, "site", make, own_folder=lambda: pytest.fail("not alone"))
    second = workers.once_per_run(tmp_path, "site", make, own_folder=lambda: pytest.fail("not alone"))
    assert first == second == {"path": str(tmp_path / "site")} and made == [tmp_path / "site"]
    (tmp_path / "own").mkdir()
    alone = workers.once_per_run(None, "site", make, own_folder=lambda: tmp_path / "own")
    assert alone == {"path": str(tmp_path / "own")}


def test_the_lock_lives_in_the_run_folder_on_a_worker_only(tmp_path: Path) -> None:
    assert workers.lock_path(_worker_config(tmp_path)) == tmp_path / "machine.lock"
    assert workers.lock_path(SimpleNamespace(option=SimpleNamespace(basetemp=None))) is None


def _can_lock(path: Path, mode: int) -> bool:
    with open(path, "a") as other:
        try:
            fcntl.flock(other, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


def test_a_test_alone_excludes_the_others_and_shared_tests_do_not(tmp_path: Path) -> None:
    path = workers.lock_path(_worker_config(tmp_path))
    with workers.machine_lock(path, exclusive=False):  # an ordinary test on one worker...
        assert _can_lock(path, fcntl.LOCK_SH)  # ...lets another ordinary test run
        assert not _can_lock(path, fcntl.LOCK_EX)  # ...and makes a test alone wait
    with workers.machine_lock(path, exclusive=True):
        assert not _can_lock(path, fcntl.LOCK_SH)


def test_a_test_alone_waits_for_the_running_test_to_end(tmp_path: Path) -> None:
    path = workers.lock_path(_worker_config(tmp_path))
    events = []
    running, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        with workers.machine_lock(path, exclusive=False):
            running.set()
            release.wait(5)
            events.append("other test ends")

    thread = threading.Thread(target=other_worker)
    thread.start()
    running.wait(5)
    threading.Timer(0.2, release.set).start()
    with workers.machine_lock(path, exclusive=True):
        events.append("test alone starts")
    thread.join()
    assert events == ["other test ends", "test alone starts"]


def test_no_lock_without_workers() -> None:
    with workers.machine_lock(None, exclusive=True):
        pass
