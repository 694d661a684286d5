"""The training loop: one function, ``train``, from text (or token ids) to a trained GPT-2.

Each step: a batch of random windows, the mean next-token loss, its gradient, the gradient norm
clipped, one AdamW step (weight decay on matrices only) at the learning rate of the warm-up +
cosine schedule. Every ``eval_every`` steps and at the end: the held-out loss and a greedy and a
seeded sample from a fixed prompt. The run stops after ``steps`` steps or ``minutes`` of wall time.
With ``out``, the run is written at each evaluation and at the end, resumably; Ctrl-C writes the
current state and raises ``Interrupted``. In a process group (``torchrun``), each process trains on
its share of every batch and DDP averages the gradients: the same steps as one process with the
whole batch. The caller's global random state and torch's thread count are left as they were.
References: nanoGPT's train.py (the loop, ``configure_optimizers``), minGPT's trainer; PyTorch's
DistributedDataParallel.
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from ..validation import WrongType, WrongValue, check_int, check_number
from . import checkpoint, evaluate, parallel
from . import data as data_module
from .activation import use_one_kernel_gelu
from .config import Shape, fresh_model, shape_of
from .progress import Progress, check_quiet
from .schedule import step_progress, warmup_cosine

# Defaults from side-by-side figures (nanoGPT's 4 x 128 x 4 shape, context 64, one thread, a 2-core
# CPU without bf16 instructions, loaded): tokens/s rose 1.08x from batch 4 to 16 and 1.14x to 32;
# fused and for-loop AdamW were within 5% of foreach; bf16 autocast ran at 0.43x; two threads at
# 0.42x of one while other jobs held the cores. The head's loss a slice at a time with its gradients
# in the same pass (head_loss.py) trained at 2.3x the tokens/s of lm_head + F.cross_entropy on one
# thread and 2.6x on two (size "tiny", batch 16, the machine otherwise idle).
BATCH_SIZE = 16  # windows per step
LR = 3e-3  # peak learning rate: small models take a large one
MIN_LR_RATIO = 0.1  # the cosine ends at lr x this
EVAL_TOKENS = 8192  # held-out tokens scored at each evaluation before the last (the last scores all)
SAMPLE_TOKENS = 32  # new tokens in each sample
PROMPT_TOKENS = 4  # the default prompt: the first tokens of the held-out part


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped the run; ``out`` is where its checkpoint was written, ``step`` its last step."""

    def __init__(self, out: Path | None, step: int):
        super().__init__(f"interrupted at step {step}" + (f"; checkpoint written to {out}" if out else ""))
        self.out, self.step = out, step


@dataclass
class Run:
    """What ``train`` returns."""

    model: object  # the trained GPT2LMHeadModel, eval mode, on the CPU
    tokenizer: object  # GPT-2's tokenizer
    history: list = field(default_factory=list)  # one dict per evaluation
    losses: list = field(default_factory=list)  # the training loss of every step
    card: dict = field(default_factory=dict)  # the training card (training_card.json)
    out: Path | None = None  # the checkpoint folder, if any


def train(data=None, *, ids=None, vocab_size=None, held_out=None, out=None, size="tiny", layers=None, width=None,
          heads=None, context=None, steps=None, minutes=None, batch_size=BATCH_SIZE, lr=LR, min_lr=None,
          warmup=None, weight_decay=0.1, grad_clip=1.0, dropout=0.0, eval_every=None, eval_tokens=EVAL_TOKENS,
          prompt=None, sample_tokens=SAMPLE_TOKENS, on_eval=None, seed=0, quiet=None, resume=False, force=False,
          device="cpu", threads=None, stop_after=None, loss_mask=None, dtype=None) -> Run:
    """Train a GPT-2 from scratch on ``data`` (text, a file, or a list of them) or on ``ids``.

    Stop after ``steps`` optimizer steps or ``minutes`` of wall time (the first reached).
    ``stop_after`` ends this sitting after that many steps without changing the schedule (resume
    later with ``resume=True``). ``threads``: torch's thread count during the run (None: as it is).
    ``loss_mask`` (ids= only): shaped as ``ids``, True at the tokens the loss counts as targets.
    ``dtype``: ``torch.float32`` (None, the default) or ``torch.float64``, in which a run from the
    same start repeats to many more digits on another CPU (float sums there go in another order).
    Returns a ``Run``: the model, the tokenizer, the evaluations, the losses and the card.
    """
    from ..checkpoints import check_device

    # -- checks, once, on entry ----------------------------------------------------------------
    shape = shape_of(size, layers=layers, width=width, heads=heads, context=context)
    if steps is None and minutes is None:
        raise WrongValue("steps", "pass steps= (optimizer steps) or minutes= (wall-clock time), or both")
    if steps is not None:
        check_int(steps, "steps", minimum=1)
    if minutes is not None:
        check_number(minutes, "minutes", positive=True)
    check_int(batch_size, "batch_size", minimum=1)
    check_number(lr, "lr", positive=True)
    min_lr = lr * MIN_LR_RATIO if min_lr is None else check_number(min_lr, "min_lr", within=(0, lr))
    horizon = steps if steps is not None else 1000
    warmup = min(100, max(1, horizon // 10)) if warmup is None else check_int(warmup, "warmup", minimum=0)
    check_number(weight_decay, "weight_decay", within=(0, math.inf))
    check_number(grad_clip, "grad_clip", positive=True)
    check_number(dropout, "dropout", within=(0, 1))
    eval_every = max(1, horizon // 10) if eval_every is None else check_int(eval_every, "eval_every", minimum=1)
    check_int(eval_tokens, "eval_tokens", minimum=1)
    check_int(sample_tokens, "sample_tokens", minimum=0)
    check_int(seed, "seed", minimum=0)
    if stop_after is not None:
        check_int(stop_after, "stop_after", minimum=1)
    if threads is not None:
        check_int(threads, "threads", minimum=1)
    if on_eval is not None and not callable(on_eval):
        raise WrongType("on_eval", f"expected a function (step, model) -> dict or None, got {type(on_eval).__name__}")
    for name, value in (("resume", resume), ("force", force)):
        if not isinstance(value, bool):
            raise WrongType(name, f"expected True or False, got {value!r}")
    quiet = check_quiet(quiet)
    target = check_device(device)
    if dtype is not None and not isinstance(dtype, torch.dtype):
        raise WrongType("dtype", f"expected torch.float32 or torch.float64, got {type(dtype).__name__}")
    if dtype not in (None, torch.float32, torch.float64):
        raise WrongValue("dtype", f"expected torch.float32 or torch.float64, got {dtype}")
    if vocab_size is not None:
        if ids is None:
            raise WrongValue("vocab_size", "vocab_size is for ids= only; text uses GPT-2's vocabulary")
        check_int(vocab_size, "vocab_size", minimum=2)
    folder, resuming = checkpoint.check_out(out, resume=resume, force=force)
    tokenizer = data_module.gpt2_tokenizer()
    prepared = data_module.prepare(data, ids=ids, held_out=held_out, vocab_size=vocab_size,
                                   context=shape.n_positions, tokenizer=tokenizer, loss_mask=loss_mask)
    prompt_ids = _prompt_ids(prompt, prepared, tokenizer, ids is not None, vocab_size, shape.n_positions)
    world, rank = parallel.world()
    if batch_size % world:
        raise WrongValue("batch_size", f"{batch_size} windows cannot be shared by {world} processes; pass a "
                         f"multiple of {world}")
    recipe = {"shape": asdict(shape), "vocab_size": vocab_size or data_module.VOCAB_SIZE, "batch_size": batch_size,
              "window": prepared.window, "rows": prepared.rows, "lr": lr, "min_lr": min_lr, "warmup": warmup,
              "weight_decay": weight_decay, "grad_clip": grad_clip, "dropout": dropout, "seed": seed,
              "text_sha256": prepared.sha256, **({"loss_mask": True} if prepared.scored is not None else {}),
              **({"dtype": "float64"} if dtype == torch.float64 else {})}
    settings = dict(steps=steps, minutes=minutes, eval_every=eval_every, eval_tokens=eval_tokens,
                    sample_tokens=sample_tokens, stop_after=stop_after, on_eval=on_eval, quiet=quiet or rank != 0,
                    world=world, rank=rank, folder=folder, resuming=resuming)
    if world > 1 and target.type == "cuda" and target.index is None:  # torchrun: one GPU per process
        target = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    # The run seeds torch's generators (initial weights, dropout): fork them, so the caller's come back as they were.
    accelerator = [] if target.type == "cpu" else [target.index or 0]
    with _threads(threads), torch.random.fork_rng(devices=accelerator, device_type=target.type if accelerator else "cuda"):
        return _run(prepared, tokenizer, prompt_ids, target, recipe, **settings)


def _prompt_ids(prompt, prepared, tokenizer, is_ids: bool, vocab_size, context: int) -> torch.Tensor:
    """The fixed sample prompt as (1, n) ids: given (text, or ids for ids= runs) or the held-out start."""
    if prompt is None:
        first = prepared.held_out[0] if prepared.rows else prepared.held_out
        ids = first[:PROMPT_TOKENS]
    elif isinstance(prompt, str):
        if is_ids:
            raise WrongType("prompt", "an ids= run needs a prompt of token ids (a list of ints)")
        if not prompt:
            raise WrongValue("prompt", "the prompt is empty; pass at least one character")
        ids = torch.tensor(tokenizer.backend_tokenizer.encode(prompt, add_special_tokens=False).ids)
    else:
        ids = data_module.check_ids([prompt], "prompt", vocab_size or data_module.VOCAB_SIZE)[0]
        if not ids.numel():
            raise WrongValue("prompt", "the prompt is empty; pass at least one token id")
    if ids.numel() >= context:
        raise WrongValue("prompt", f"{ids.numel()} tokens leave no room to sample in a context of {context}; "
                         "shorten it")
    return ids[None].to(torch.int64)


@contextlib.contextmanager
def _threads(threads):
    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextlib.contextmanager
def _sigint(enabled: bool):
    """While the run lasts, Ctrl-C sets a flag (the loop writes its state, then stops); a second one
    interrupts at once."""
    flag = threading.Event()
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum, frame):
        flag.set()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C acts as usual

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _optimizer(model, lr: float, weight_decay: float) -> torch.optim.AdamW:
    # Decay matrices only, not biases and LayerNorm gains (nanoGPT's configure_optimizers).
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.95), foreach=True)


def _run(prepared, tokenizer, prompt_ids, device, recipe, *, steps, minutes, eval_every, eval_tokens, sample_tokens,
         stop_after, on_eval, quiet, world, rank, folder, resuming) -> Run:
    shape = Shape(**recipe["shape"])
    torch.manual_seed(recipe["seed"])  # inside fork_rng: dropout draws from here, the caller's state is restored
    model = fresh_model(shape, vocab_size=recipe["vocab_size"], dropout=recipe["dropout"], seed=recipe["seed"])
    use_one_kernel_gelu(model)  # GPT-2's GELU, the same function in one kernel
    # float64 runs start from the same weights as float32 ones (initialised in float32, then widened)
    model.to(device, torch.float64 if recipe.get("dtype") == "float64" else torch.float32).train()
    optimizer = _optimizer(model, recipe["lr"], recipe["weight_decay"])
    generator = torch.Generator().manual_seed(recipe["seed"])  # the batches' random source
    meta = {"recipe": recipe, "step": 0, "seconds": 0.0, "tokens_seen": 0, "history": [], "losses": []}
    if resuming:
        meta, states = checkpoint.load_state(folder, model, optimizer)
        if meta["recipe"] != recipe:
            changed = sorted(k for k in recipe if meta["recipe"].get(k) != recipe[k])
            raise WrongValue("resume", f"{folder} was trained with another recipe ({', '.join(changed)} differ); "
                             "use the same settings, or a new folder")
        generator.set_state(states["generator"])
        torch.set_rng_state(states["torch"])
    if steps is not None and meta["step"] >= steps:
        raise WrongValue("steps", f"{folder} has already trained {meta['step']} steps; ask for more steps to go on")
    step = meta["step"]
    last = steps if steps is not None else None
    if stop_after is not None:
        last = step + stop_after if last is None else min(last, step + stop_after)
    share = recipe["batch_size"] // world
    progress = Progress(quiet=quiet, initial=step, total=steps)
    budget = None if minutes is None else minutes * 60.0
    tokens_per_step = recipe["batch_size"] * (prepared.window - 1)
    started, seconds_before = time.perf_counter(), meta["seconds"]
    # Training speed of this sitting: the time of each step but the first (warming up), evaluations left out.
    timed_tokens, timed_seconds, speed = 0, 0.0, None

    def elapsed() -> float:
        return seconds_before + time.perf_counter() - started

    def evaluation(final: bool) -> None:
        model.eval()
        scored = prepared.held_out_examples(None if final else eval_tokens)
        loss = evaluate.held_out_loss(model, scored, device)
        n_new = min(sample_tokens, shape.n_positions - prompt_ids.shape[1])
        greedy, drawn = evaluate.samples(model, prompt_ids, n_new, recipe["seed"])
        text = prepared.characters is not None
        entry = {"step": step, "seconds": round(elapsed(), 3), "tokens_seen": meta["tokens_seen"],
                 "loss": meta["losses"][-1] if meta["losses"] else None, "held_out_loss": loss,
                 "greedy": tokenizer.decode(greedy) if text else greedy,
                 "sample": tokenizer.decode(drawn) if text else drawn,
                 "extra": on_eval(step, model) if on_eval is not None else None}
        model.train()
        meta["history"].append(entry)
        progress.held_out = loss

    with parallel.process_group(world, device), _sigint(folder is not None and rank == 0) as interrupt:
        trained = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
        interrupted = False
        try:
            while True:
                # Stop? By steps, by this sitting's end, by minutes, or by Ctrl-C (every process agrees).
                stop = ((last is not None and step >= last)
                        or (budget is not None and step > meta["step"] and elapsed() >= budget))  # a step at least
                flags = parallel.all_agree(torch.tensor([float(stop), float(interrupt.is_set())]), world)
                if flags.any():
                    interrupted = bool(flags[1])
                    break
                step_started = time.perf_counter()
                # 1. the learning rate of this step: warm-up, then cosine over steps or over the time budget
                progress_now = (step_progress(step, steps, recipe["warmup"]) if steps is not None
                                else elapsed() / budget)
                rate = warmup_cosine(step, progress_now, lr=recipe["lr"], min_lr=recipe["min_lr"],
                                     warmup=recipe["warmup"])
                for group in optimizer.param_groups:
                    group["lr"] = rate
                # 2. the whole batch is drawn on every process; each trains on its own share
                batch, scored = prepared.batch(recipe["batch_size"], generator)  # (batch, window) each
                mine = slice(rank * share, (rank + 1) * share)  # (batch / world, window)
                # 3. loss, gradient (DDP averages it over the processes; with a loss mask, each process's
                #    mean is over its own counted targets), clipping, AdamW
                loss = evaluate.lm_loss(trained, batch[mine].to(device),
                                        None if scored is None else scored[mine].to(device))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), recipe["grad_clip"])
                optimizer.step()
                value = parallel.mean_over(loss.detach(), world)  # the whole batch's loss, as one process has it
                step += 1
                meta["losses"].append(value.item())
                meta["tokens_seen"] += tokens_per_step
                if step > meta["step"] + 1:  # not the sitting's first step
                    timed_tokens += tokens_per_step
                    timed_seconds += time.perf_counter() - step_started
                    speed = timed_tokens / timed_seconds
                progress.step(meta["losses"][-1], speed or 0.0)
                if step % eval_every == 0 and step != last:
                    evaluation(final=False)
                    if folder is not None and rank == 0:
                        _save(folder, model, tokenizer, optimizer, generator, meta, step, elapsed(), prepared,
                              device, world, speed)
        finally:
            progress.close()
        evaluation(final=not interrupted)
        meta["step"], meta["seconds"] = step, elapsed()
        card = _card(meta, prepared, device, world, speed)
        if folder is not None and rank == 0:
            _save(folder, model, tokenizer, optimizer, generator, meta, step, meta["seconds"], prepared, device, world,
                  speed)
        if interrupted:
            raise Interrupted(folder, step)
    model.to("cpu").eval()
    return Run(model=model, tokenizer=tokenizer, history=meta["history"], losses=meta["losses"], card=card,
               out=folder)


def _save(folder, model, tokenizer, optimizer, generator, meta, step, seconds, prepared, device, world, speed):
    """The checkpoint, the resume state and the card, each file renamed into place."""
    meta = {**meta, "step": step, "seconds": seconds}
    cpu_model = model if device.type == "cpu" else _cpu_copy(model)
    checkpoint.save_checkpoint(folder, cpu_model, tokenizer)
    checkpoint.save_state(folder, optimizer, {"generator": generator.get_state(), "torch": torch.get_rng_state()},
                          meta)
    checkpoint.write_json(folder / checkpoint.CARD, _card(meta, prepared, device, world, speed))


def _cpu_copy(model):
    import copy

    return copy.deepcopy(model).to("cpu")


def _card(meta, prepared, device, world, speed) -> dict:
    """The training card: what was trained, on what, how long, how fast, how well."""
    last = meta["history"][-1] if meta["history"] else None
    held = last["held_out_loss"] if last else None
    recipe = meta["recipe"]
    return {
        "text_sha256": recipe["text_sha256"],
        "characters": prepared.characters,
        "tokens": prepared.tokens,
        "held_out_characters": prepared.held_out_characters,
        "held_out_tokens": prepared.held_out_tokens,
        "steps": meta["step"],
        "tokens_seen": meta["tokens_seen"],
        "held_out_loss": held,
        "held_out_bits_per_character": None if held is None else evaluate.bits_per_character(
            held, prepared.held_out_tokens, prepared.held_out_characters),
        "wall_seconds": round(meta["seconds"], 3),
        # of the training steps (the first and the evaluations left out), else of the whole sitting
        "tokens_per_second": round(speed if speed else meta["tokens_seen"] / max(meta["seconds"], 1e-9), 1),
        "seed": recipe["seed"],
        "device": str(device),
        "processes": world,
        "recipe": recipe,
        "history": meta["history"],
        "losses": meta["losses"],
        "machine": checkpoint.machine(),
    }
