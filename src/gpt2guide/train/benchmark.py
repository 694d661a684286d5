"""What to expect from a few minutes of training: the training benchmark's record, read and tabulated.

``train_bench.json`` ships in the package (package data, next to ``bench.json``): one run of
``benchmarks/train_speed.py --write``, which trains ``gpt2guide.train`` and nanoGPT's README CPU recipe
side by side on the pocket model's Austen corpus and scores both on the pocket's held-out text in bits
per character (the measuring is described there). This module only reads the record, checks its
fields, and lays its points out as rows (held-out loss, bits per character, tokens per second against
minutes of training), so the training page prints what was measured and never times a run itself.
References: benchmarks/train_speed.py (the benchmark); ``gpt2guide.bench`` (the decoding record, read
the same way); nanoGPT's README (the CPU recipe).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..validation import RecordFields, WrongValue

SCHEMA = 1
RECORD = Path(__file__).resolve().parent.parent / "train_bench.json"  # package data of the wheel
MODELS = ("gpt2guide", "nanogpt")  # the two runs of each point
# Fields of each model's part of a point that the rows read (both models have them).
FIELDS = ("seconds", "tokens_per_second", "characters_per_second", "held_out_loss", "bits_per_character")


def check_record(record) -> None:
    """Raise ``WrongValue`` (argument ``record``) naming every field that is missing or wrong."""
    fields = RecordFields.of(record, SCHEMA)
    need, problems = fields.need, fields.problems
    number = (int, float)
    if need(record, "complete", bool, "") is False:
        problems.append("complete: False (the benchmark stopped before its last point)")
    machine = need(record, "machine", dict, "") or {}
    for key in ("cpu", "torch"):
        need(machine, key, str, "machine.")
    need(machine, "cores", int, "machine.")
    text = need(record, "text", dict, "") or {}
    for key in ("train_characters", "held_out_characters", "held_out_tokens"):
        need(text, key, int, "text.")
    need(need(record, "pocket", dict, "") or {}, "bits_per_character", number, "pocket.")
    points = need(record, "points", list, "") or []
    if "points" in record and not points:
        problems.append("points: empty")
    for i, point in enumerate(points):
        where = f"points[{i}]."
        need(point, "label", str, where)
        need(point, "minutes", number, where)
        for model in MODELS:
            part = need(point, model, dict, where) or {}
            for key in FIELDS:
                need(part, key, number, f"{where}{model}.")
        need(point.get("gpt2guide"), "steps", int, f"{where}gpt2guide.")
        need(point.get("nanogpt"), "iterations", int, f"{where}nanogpt.")
    fields.check("write a fresh record with `python benchmarks/train_speed.py --nanogpt DIR --long --write`")


def benchmark_record(path: str | Path = RECORD) -> dict:
    """The training benchmark's record, its fields checked: by default the packaged ``train_bench.json``."""
    path = Path(path)
    if not path.is_file():
        raise WrongValue("path", f"no benchmark record at {path}; write one with benchmarks/train_speed.py --write")
    record = json.loads(path.read_text(encoding="utf-8"))
    check_record(record)
    return record


def expectation_rows(record: dict) -> list[dict]:
    """One row per point of the record, in its order: the point's label and minutes, then for each of
    ``gpt2guide`` and ``nanogpt`` its training seconds, held-out loss (nats per token: GPT-2 tokens for
    gpt2guide, characters for nanoGPT), held-out bits per character and tokens and characters per second."""
    check_record(record)
    rows = []
    for point in record["points"]:
        row = {"label": point["label"], "minutes": point["minutes"]}
        for model in MODELS:
            row[model] = {key: point[model][key] for key in FIELDS}
        rows.append(row)
    return rows
