"""The stored record of benchmarks/browser_train_speed.py --write (benchmarks/browser_train_speed.json):
its fields are all there (``check_record``), the default configuration comes first and is the page's
default, and a broken record is refused with every bad field named."""

from __future__ import annotations

import copy
import json
import re

import pytest

from benchmarks.browser_train_speed import CONFIGS, RECORD, check_record
from gpt2guide.validation import WrongValue


def _record() -> dict:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def test_the_committed_record_has_every_field():
    record = _record()
    check_record(record)
    found = [(c["layers"], c["width"], c["heads"], c["context"], c["batch"]) for c in record["configs"]]
    assert found == CONFIGS[:len(found)] and found, "the record's configurations are the benchmark's, default first"
    for entry in record["configs"]:
        speeds = entry["tokens_per_second"]
        assert entry["browser_vs_torch_1_thread"] == pytest.approx(speeds["browser"] / speeds["torch_1_thread"],
                                                                   abs=1e-3)
        assert all(value > 0 for value in speeds.values())


def test_the_default_configuration_is_the_pages_default():
    """CONFIGS[0] is what the Train part starts with (its inputs' values in the page's source)."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "playground.en.md").read_text(encoding="utf-8")
    values = {name: int(re.search(rf'name="{name}"[^>]*value="(\d+)"', page).group(1))
              for name in ("trainLayers", "trainWidth", "trainHeads", "trainContext", "trainBatch")}
    assert tuple(values.values()) == CONFIGS[0]


def test_a_broken_record_is_named_field_by_field():
    record = _record()
    broken = copy.deepcopy(record)
    del broken["machine"]["cpu"]
    broken["configs"][0]["tokens_per_second"]["browser"] = "fast"
    broken["schema"] = 99
    with pytest.raises(WrongValue) as caught:
        check_record(broken)
    message = str(caught.value)
    for part in ("machine.cpu: missing", "configs[0].tokens_per_second.browser: expected", "schema: expected 1"):
        assert part in message, message
    with pytest.raises(WrongValue, match="configs: empty"):
        check_record({**record, "configs": []})
