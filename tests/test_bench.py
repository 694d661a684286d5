"""The benchmark: its record's schema (a tiny run here; the real figures come from the committed
``src/gpt2guide/bench.json``, shipped in the wheel; never from a timing taken during the tests)."""

import copy
import json
from pathlib import Path

import pytest
import torch

from gpt2guide.bench import METHODS, RECORD, check_bench_record, format_bench, load_record
from gpt2guide.checkpoints import random_model
from gpt2guide.validation import WrongValue
from tools.__main__ import main
from tools.bench import BenchConfig, run_benchmark, weight_bytes_per_token

COMMITTED = Path(__file__).resolve().parents[1] / "src" / "gpt2guide" / "bench.json"  # chapters 5 and 9 read it
TINY = BenchConfig(n_layer=1, new_tokens=(2, 3), repeats=1, threads=1, bandwidth_bytes=16 * 2**20)


@pytest.fixture(scope="module")
def record():
    before = torch.get_num_threads()
    result = run_benchmark(TINY, progress=False)
    assert torch.get_num_threads() == before  # the caller's thread setting is restored
    return result


@pytest.mark.slow
def test_tiny_run_has_the_schema(record):
    check_bench_record(record)
    json.dumps(record)  # JSON-able
    assert [entry["new_tokens"] for entry in record["lengths"]] == [2, 3]
    for entry in record["lengths"]:
        assert entry["same_tokens"]  # the three methods decode the same tokens
        assert all(len(entry["methods"][m]["runs_tokens_per_s"]) == 1 for m in METHODS)
    assert record["model"]["n_layer"] == 1 and record["settings"]["repeats"] == 1
    assert record["machine"]["torch_threads"] == 1
    assert "tokens/s" in format_bench(record)


@pytest.mark.slow
def test_check_names_what_is_wrong(record):
    broken = copy.deepcopy(record)
    del broken["bandwidth"]["ceiling_tokens_per_s"]
    broken["lengths"][0]["methods"]["cached"]["median_tokens_per_s"] = "fast"
    with pytest.raises(WrongValue, match=r"^record: bandwidth\.ceiling_tokens_per_s: missing.*lengths\[0\]\.methods\.cached"):
        check_bench_record(broken)


@pytest.mark.slow  # builds gpt2 (not in the quick loop)
def test_weight_bytes_of_gpt2():
    model = random_model("gpt2", n_layer=1)
    # fp32: 4 bytes per unique parameter, less the position table (1024 x 768), of which one row is read
    unique = sum(p.numel() for p in model.parameters())
    assert weight_bytes_per_token(model) == 4 * (unique - 1024 * 768)


@pytest.mark.slow
def test_cli_writes_the_record(tmp_path, capsys):
    out = tmp_path / "bench.json"
    argv = ["bench", "--layers", "1", "--new-tokens", "2", "--repeats", "1", "--threads", "1", "--no-progress",
            "--out", str(out)]
    assert main(argv) == 0
    check_bench_record(load_record(out))
    assert "ceiling" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_json_without_out_prints_the_record(capsys):
    """``bench --json`` with neither ``--out`` nor ``--record`` prints the record and writes nothing."""
    before = RECORD.read_bytes()
    argv = ["bench", "--layers", "1", "--new-tokens", "2", "--repeats", "1", "--threads", "1", "--no-progress",
            "--json"]
    assert main(argv) == 0
    printed = json.loads(capsys.readouterr().out)
    check_bench_record({key: value for key, value in printed.items() if key != "text"})
    assert RECORD.read_bytes() == before


def test_committed_record():
    """The record the summary chapter reads is committed, and holds a full run (no skip: the page needs it)."""
    assert RECORD == COMMITTED
    assert COMMITTED.is_file(), "src/gpt2guide/bench.json is missing: run `python -m tools bench --record`"
    record = load_record()  # checks the schema
    check_bench_record(record)
    assert record["model"]["architecture"] == "gpt2" and record["model"]["n_layer"] == 12
    assert {entry["new_tokens"] for entry in record["lengths"]} >= {64, 128}
    assert record["settings"]["repeats"] >= 5
    assert all(entry["same_tokens"] for entry in record["lengths"])


def test_the_record_ships_in_the_wheel():
    """load_record() reads package data, so a reader's installed wheel has the record too."""
    import tomllib

    import gpt2guide

    assert RECORD.parent == Path(gpt2guide.__file__).parent
    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
    assert "bench.json" in pyproject["tool"]["setuptools"]["package-data"]["gpt2guide"]


def test_bench_record_option_writes_the_packaged_record():
    from tools.__main__ import build_parser

    assert build_parser().parse_args(["bench", "--record"]).record is True
    assert build_parser().parse_args(["bench"]).record is False
