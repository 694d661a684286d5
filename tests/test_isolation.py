"""No page changes the next one: the process-wide state a page sets is put back after it.

The root conftest saves `tools.isolation.GlobalState` before every page and restores it after
(tests/conftest.py does the same around every test module). Here two pages run under the real
root conftest, in a temporary folder: the first changes every item of that state, the second
asserts it sees the state from before the first. The unit test below proves the snapshot sees
each change (the check can fail) and undoes it.
"""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy
import pytest
import torch

from tools.isolation import GlobalState

ROOT = Path(__file__).resolve().parents[1]

CHANGES_EVERYTHING = '''
```python
import logging, random
import numpy, torch

torch.set_num_threads(1)
torch.set_grad_enabled(False)
torch.set_default_dtype(torch.float64)
torch.use_deterministic_algorithms(True, warn_only=True)
torch.manual_seed(5); random.seed(5); numpy.random.seed(5)
logging.getLogger("transformers").setLevel(logging.ERROR)
logging.getLogger("isolation.probe").setLevel(logging.CRITICAL)
logging.getLogger("isolation.probe").propagate = False
assert torch.get_num_threads() == 1 and not torch.is_grad_enabled()
```
'''

SEES_THE_STATE_BEFORE = '''
```python
import logging, random
import numpy, torch

assert torch.get_num_threads() == 2
assert torch.is_grad_enabled()
assert torch.get_default_dtype() == torch.float32
assert not torch.are_deterministic_algorithms_enabled()
assert torch.equal(torch.rand(3), torch.rand(3, generator=torch.Generator().manual_seed(123)))
assert random.random() == random.Random(123).random()
assert numpy.random.random() == numpy.random.RandomState(123).random_sample()
assert logging.getLogger("transformers").level == logging.WARNING
probe = logging.getLogger("isolation.probe")
assert probe.level == logging.NOTSET and probe.propagate
```
'''

# The state every page starts from in the temporary project, set when its conftest is imported.
KNOWN_START = '''

import logging as _logging, random as _random
import numpy as _numpy, torch as _torch

_torch.set_num_threads(2)
_torch.manual_seed(123); _random.seed(123); _numpy.random.seed(123)
_logging.getLogger("transformers").setLevel(_logging.WARNING)
_logging.getLogger("isolation.probe")
'''


@pytest.mark.slow
def test_a_page_that_changes_global_state_leaves_the_next_page_untouched(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(CHANGES_EVERYTHING, encoding="utf-8")
    (tmp_path / "docs" / "b.md").write_text(SEES_THE_STATE_BEFORE, encoding="utf-8")
    # The real root conftest, collecting this folder's docs/ (it finds docs/ beside itself).
    conftest = (ROOT / "conftest.py").read_text(encoding="utf-8")
    (tmp_path / "conftest.py").write_text(conftest + textwrap.dedent(KNOWN_START), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), "docs"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout, result.stdout[-2000:]


CHANGES = {
    "threads": lambda: torch.set_num_threads(max(1, torch.get_num_threads() % 2 + 1)),
    "grad": lambda: torch.set_grad_enabled(not torch.is_grad_enabled()),
    "dtype": lambda: torch.set_default_dtype(torch.float64),
    "deterministic": lambda: torch.use_deterministic_algorithms(True, warn_only=True),
    "torch_rng": lambda: torch.rand(1),
    "python_rng": lambda: random.random(),
    "numpy_rng": lambda: numpy.random.random(),
    "logger transformers": lambda: logging.getLogger("transformers").setLevel(logging.CRITICAL),
}


@pytest.mark.parametrize("name", CHANGES)
def test_a_snapshot_sees_each_change_and_undoes_it(name):
    logging.getLogger("transformers")  # the logger exists before the snapshot, as after any import of transformers
    saved = GlobalState.save()
    if name == "threads" and torch.get_num_threads() == 1:
        torch.set_num_threads(2)
        saved = GlobalState.save()
    try:
        CHANGES[name]()
        assert name in saved.changes()
    finally:
        saved.restore()
    assert saved.changes() == []
