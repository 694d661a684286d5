"""Decoding speed, batch 1: the naive loop, the cached loop and ``generate``, measured side by side.

Generating one token at batch 1 multiplies one vector by every weight matrix of the model, so each
token has to read all the weights from memory once. On a CPU that reading, not the arithmetic, sets
the limit: tokens/s can be at most (read bandwidth) / (bytes of weights per token). ``run_benchmark``
measures that ceiling on this machine and how close each decoding loop comes to it.

Method: the gpt2 (124M) architecture with random weights (speed does not depend on the values),
fp32, one fixed 7-token prompt; for each length in ``new_tokens``, the three methods run in turn
(interleaved, the order rotating every round, so a busy moment hurts all of them alike), ``repeats``
rounds; each figure is the median of its runs, a run's tokens/s being its new tokens over the wall
time of the whole call (prompt included). Read bandwidth: summing a float32 buffer far larger than
the CPU caches, once in every round too; the median. Figures on the pages come from the committed
``src/gpt2guide/bench.json`` (package data, read by ``gpt2guide.bench.load_record``), never from a
timing taken while the docs are tested.
References: nanoGPT ``bench.py``; "LLM inference is memory-bound" (the roofline model).
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field

import torch

from gpt2guide.bench import METHODS, SCHEMA
from gpt2guide.checkpoints import random_model
from gpt2guide.constants import RUNNING_PROMPT_IDS
from gpt2guide.decoding import greedy_cached, greedy_naive
from gpt2guide.validation import WrongValue, check_int

PROMPT_IDS = list(RUNNING_PROMPT_IDS)  # the guide's running prompt
TARGETS = {"cached_over_generate": 1.0, "cached_over_naive_at_128": 4.0}  # ratios of medians, one run


@dataclass(frozen=True)
class BenchConfig:
    """What ``run_benchmark`` measures."""

    model: str = "gpt2"  # the official size whose architecture is built (random weights)
    n_layer: int | None = None  # fewer layers for a quick trial; None: the size's own count
    new_tokens: tuple[int, ...] = (64, 128)  # lengths to generate, each measured separately
    repeats: int = 5  # timed runs per method and length; the median is reported
    threads: int | None = None  # torch CPU threads; None: torch's default
    seed: int = 0  # seed of the random weights
    bandwidth_bytes: int = 256 * 2**20  # buffer summed to measure read bandwidth (far above cache sizes)


def weight_bytes_per_token(model) -> int:
    """Bytes of weights one decoding step reads: every parameter once, except the position table.

    The token embedding is tied to the head, so it is read once (as the head: a full product); of the
    position embedding only one row is read.
    """
    position_table = model.transformer.wpe.weight
    unique = {id(p): p for p in model.parameters()}.values()  # tied weights counted once
    return sum(p.numel() * p.element_size() for p in unique if p is not position_table)


def read_bandwidth(n_bytes: int, repeats: int = 5) -> float:
    """Bytes per second that summing a large float32 buffer achieves (median of ``repeats``)."""
    buffer = torch.ones(n_bytes // 4, dtype=torch.float32)
    buffer.sum()  # warm-up: touch every page once
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        buffer.sum()
        times.append(time.perf_counter() - start)
    return buffer.numel() * 4 / statistics.median(times)


def _decoders(model, eos_token_id: int):
    """The three methods, each ``(prompt, n) -> ids``, on the same model and prompt."""

    def generate(prompt, n):
        return model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=n,
                              do_sample=False, pad_token_id=eos_token_id)

    return {"naive": lambda prompt, n: greedy_naive(model, prompt, n),
            "cached": lambda prompt, n: greedy_cached(model, prompt, n),
            "generate": generate}


def machine() -> dict:
    """A description of this machine for the benchmark record."""
    cpu = platform.processor() or platform.machine()
    memory_bytes = None
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
        with open("/proc/meminfo") as f:
            memory_bytes = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    import transformers

    return {"cpu": cpu, "logical_cpus": os.cpu_count(),
            "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "memory_bytes": memory_bytes,
            "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
            "platform": platform.platform(), "python": platform.python_version(),
            "torch": torch.__version__, "transformers": transformers.__version__}


@dataclass
class _Timings:
    tokens_per_s: dict = field(default_factory=dict)  # (n, method) -> list of runs
    outputs: dict = field(default_factory=dict)  # (n, method) -> ids of the first run
    bandwidth: list = field(default_factory=list)  # bytes/s, one measurement per round


def _measure(decoders, prompt, config: BenchConfig, bar) -> _Timings:
    timings = _Timings()
    for round_ in range(config.repeats):
        timings.bandwidth.append(read_bandwidth(config.bandwidth_bytes))  # in every round, like the decoders
        bar.update(1)
        for n in config.new_tokens:
            order = METHODS[round_ % 3:] + METHODS[:round_ % 3]  # rotate who goes first
            for method in order:
                start = time.perf_counter()
                ids = decoders[method](prompt, n)
                seconds = time.perf_counter() - start
                made = ids.shape[1] - prompt.shape[1]  # fewer than n only if end-of-sequence came
                timings.tokens_per_s.setdefault((n, method), []).append(made / seconds)
                timings.outputs.setdefault((n, method), ids[0].tolist())
                bar.update(1)
    return timings


def run_benchmark(config: BenchConfig = BenchConfig(), *, progress: bool = True) -> dict:
    """Measure, and return a JSON-able record (``check_bench_record`` lists its fields)."""
    check_int(config.repeats, "repeats", minimum=1)
    if not config.new_tokens:
        raise WrongValue("new_tokens", "give at least one length")
    for n in config.new_tokens:
        check_int(n, "new_tokens", minimum=1)
    if config.threads is not None:
        check_int(config.threads, "threads", minimum=1)
    threads_before = torch.get_num_threads()
    if config.threads is not None:
        torch.set_num_threads(config.threads)
    try:
        return _run(config, progress)
    finally:
        torch.set_num_threads(threads_before)  # leave the caller's setting as it was


def _run(config: BenchConfig, progress: bool) -> dict:
    from tqdm.auto import tqdm

    model = random_model(config.model, n_layer=config.n_layer, seed=config.seed)
    context = model.config.n_positions
    if len(PROMPT_IDS) + max(config.new_tokens) > context:
        raise WrongValue("new_tokens", f"at most {context - len(PROMPT_IDS)} for this model's context of {context}")
    prompt = torch.tensor([PROMPT_IDS])  # (1, 7)
    decoders = _decoders(model, model.config.eos_token_id)
    described = machine()  # before the runs: the load average says how busy the machine was
    total = 3 + config.repeats * (1 + len(config.new_tokens) * 3)  # warm-up, then per round: bandwidth, runs
    with tqdm(total=total, desc="bench", unit="run", file=sys.stderr, disable=not progress) as bar:
        for method in METHODS:  # warm-up: first calls allocate memory and pick kernels
            decoders[method](prompt, 4)
            bar.update(1)
        timings = _measure(decoders, prompt, config, bar)

    bandwidth = statistics.median(timings.bandwidth)
    bytes_per_token = weight_bytes_per_token(model)
    ceiling = bandwidth / bytes_per_token  # tokens/s if reading the weights were the only cost
    lengths = []
    for n in config.new_tokens:
        medians = {m: statistics.median(timings.tokens_per_s[(n, m)]) for m in METHODS}
        lengths.append({
            "new_tokens": n,
            "methods": {m: {"median_tokens_per_s": medians[m], "runs_tokens_per_s": timings.tokens_per_s[(n, m)]}
                        for m in METHODS},
            "cached_over_generate": medians["cached"] / medians["generate"],
            "cached_over_naive": medians["cached"] / medians["naive"],
            "fraction_of_ceiling": {m: medians[m] / ceiling for m in METHODS},
            "same_tokens": len({tuple(timings.outputs[(n, m)]) for m in METHODS}) == 1,
        })
    return {
        "schema": SCHEMA,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": described,
        "model": {"architecture": config.model, "n_layer": model.config.n_layer, "n_embd": model.config.n_embd,
                  "parameters": sum(p.numel() for p in model.parameters()), "dtype": "float32",
                  "weights": f"random (seed {config.seed})", "weight_bytes_per_token": bytes_per_token},
        "settings": {**asdict(config), "new_tokens": list(config.new_tokens), "batch": 1,
                     "prompt_tokens": len(PROMPT_IDS), "statistic": "median", "order": "interleaved, rotating"},
        "bandwidth": {"read_bytes_per_s": bandwidth, "runs_read_bytes_per_s": timings.bandwidth,
                      "buffer_bytes": config.bandwidth_bytes, "ceiling_tokens_per_s": ceiling},
        "lengths": lengths,
        "targets": _targets(lengths),
    }


def _targets(lengths: list[dict]) -> dict:
    """The targets (TARGETS above), checked on this run's medians."""
    at_128 = next((entry for entry in lengths if entry["new_tokens"] == 128), None)
    return {**TARGETS,
            "cached_over_generate_met": all(e["cached_over_generate"] >= TARGETS["cached_over_generate"] for e in lengths),
            "cached_over_naive_at_128_met": None if at_128 is None
            else at_128["cached_over_naive"] >= TARGETS["cached_over_naive_at_128"]}
