"""A benchmark record: its schema, reading the committed one, and a short table of it.

The pages quote the decoding speeds of ``bench.json``, which ships in this package (next to this
module, so that a reader's installed wheel has it too), one run of ``python -m tools bench --record``
(``tools/bench.py``, maintainer tooling: the measuring is described there).
This module only reads a record and checks its fields, so a page never times anything itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from ._table import _table
from .validation import RecordFields

SCHEMA = 1
RECORD = Path(__file__).with_name("bench.json")  # the committed run, package data of the wheel
METHODS = ("naive", "cached", "generate")


def check_bench_record(record: dict) -> None:
    """Raise ``WrongValue`` (argument ``record``) naming every field that is missing or of the wrong type."""
    fields = RecordFields.of(record, SCHEMA)
    need = fields.need
    number = (int, float)
    need(record, "created", str, "")
    mach = need(record, "machine", dict, "") or {}
    for key in ("cpu", "platform", "torch", "transformers"):
        need(mach, key, str, "machine.")
    for key in ("logical_cpus", "torch_threads"):
        need(mach, key, int, "machine.")
    model = need(record, "model", dict, "") or {}
    need(model, "architecture", str, "model.")
    for key in ("n_layer", "n_embd", "parameters", "weight_bytes_per_token"):
        need(model, key, int, "model.")
    need(record, "settings", dict, "")
    band = need(record, "bandwidth", dict, "") or {}
    for key in ("read_bytes_per_s", "ceiling_tokens_per_s"):
        need(band, key, number, "bandwidth.")
    for i, entry in enumerate(need(record, "lengths", list, "") or []):
        where = f"lengths[{i}]."
        need(entry, "new_tokens", int, where)
        methods = need(entry, "methods", dict, where) or {}
        for m in METHODS:
            figures = need(methods, m, dict, f"{where}methods.") or {}
            need(figures, "median_tokens_per_s", number, f"{where}methods.{m}.")
            need(figures, "runs_tokens_per_s", list, f"{where}methods.{m}.")
        for key in ("cached_over_generate", "cached_over_naive"):
            need(entry, key, number, where)
        fractions = need(entry, "fraction_of_ceiling", dict, where) or {}
        for m in METHODS:
            need(fractions, m, number, f"{where}fraction_of_ceiling.")
        need(entry, "same_tokens", bool, where)
    need(record, "targets", dict, "")
    fields.check("write a fresh record with `python -m tools bench --record`")


def load_record(path: str | Path = RECORD) -> dict:
    """A benchmark record from disk, schema checked: by default the packaged ``bench.json``."""
    record = json.loads(Path(path).read_text())
    check_bench_record(record)
    return record


def format_bench(record: dict) -> str:
    """The record as a short table for the terminal."""
    mach, band = record["machine"], record["bandwidth"]
    columns = dict(align="><>>", widths=(10, 9, 9, 10), gaps=("  ", " ", "  "))
    lines = [f"{record['model']['architecture']} ({record['model']['n_layer']} layers, random weights, fp32), batch 1, "
             f"{mach['cpu']}, torch threads: {mach['torch_threads']}",
             f"read bandwidth {band['read_bytes_per_s'] / 1e9:.1f} GB/s, "
             f"{record['model']['weight_bytes_per_token'] / 1e6:.0f} MB of weights per token "
             f"-> ceiling {band['ceiling_tokens_per_s']:.1f} tokens/s",
             *_table([("new tokens", "method", "tokens/s", "of ceiling")], **columns)]
    for entry in record["lengths"]:
        for m in METHODS:
            cells = (str(entry["new_tokens"]), m, f"{entry['methods'][m]['median_tokens_per_s']:.1f}",
                     f"{entry['fraction_of_ceiling'][m]:.0%}")
            lines += _table([cells], **columns)
        lines.append(f"{'':>10}  cached/generate {entry['cached_over_generate']:.2f}x, "
                     f"cached/naive {entry['cached_over_naive']:.2f}x, same tokens: {entry['same_tokens']}")
    return "\n".join(lines)
